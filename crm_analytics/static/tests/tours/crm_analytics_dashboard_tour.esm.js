import {registry} from "@web/core/registry";

const year = new Date().getFullYear();
const yearStart = `${year}-01-01`;

function setFrom(value) {
    const input = document.querySelector(".o_crm_filter_from");
    input.value = value;
    input.dispatchEvent(new Event("change", {bubbles: true}));
}

function checkFrom(expected) {
    const value = document.querySelector(".o_crm_filter_from").value;
    if (value !== expected) {
        throw new Error(
            `The dashboard's From filter is ${value}, expected ${expected}`
        );
    }
}

registry.category("web_tour.tours").add("crm_analytics_dashboard_tour", {
    url: "/odoo/action-crm_analytics.action_crm_analytics_dashboard",
    steps: () => [
        {
            content: "The pyramid shows customers per tier",
            trigger: ".o_crm_tile_pyramid .o_crm_kpi",
        },
        {
            content: "Every tile is there, with figures",
            trigger:
                ".o_crm_tile_funnel .o_crm_kpi, .o_crm_tile_flow, .o_crm_tile_churn canvas, .o_crm_tile_satisfaction .o_crm_kpi, .o_crm_tile_matrix .o_crm_kpi, .o_crm_tile_risk .o_crm_kpi",
        },
        {
            content: "The importance–satisfaction matrix is drawn",
            trigger: ".o_crm_tile_matrix .o_crm_importance_matrix canvas",
        },
        {
            content:
                "The satisfaction trap lists a satisfied customer who is declining",
            trigger: ".o_crm_tile_trap td:contains('Northwind Logistics')",
        },
        {
            content: "Filter from the first day of the year",
            trigger: ".o_crm_filter_from",
            run() {
                setFrom(yearStart);
            },
        },
        {
            content: "The stage flow follows the period",
            trigger: `.o_crm_tile_flow .card-header small:contains(${yearStart})`,
        },
        {
            content: "A period starting after its end is refused",
            trigger: ".o_crm_filter_from",
            run() {
                setFrom(`${year + 1}-01-01`);
            },
        },
        {
            content: "The user is told, and the period stays",
            trigger:
                ".o_notification:contains(start date must be on or before the end date)",
            run() {
                checkFrom(yearStart);
            },
        },
        {
            content: "Drill into the VIP customers",
            trigger: ".o_crm_tile_pyramid a.o_crm_drill:contains('VIP')",
            run: "click",
        },
        {
            content: "The VIP customers are listed",
            trigger: ".o_list_view .o_data_row",
        },
        {
            content: "Back to the dashboard through the breadcrumb",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "The dashboard kept its filters",
            trigger: `.o_crm_tile_flow .card-header small:contains(${yearStart})`,
            run() {
                checkFrom(yearStart);
            },
        },
        {
            content: "A customer of the satisfaction trap opens",
            trigger:
                ".o_crm_tile_trap a.o_crm_trap_customer:contains('Northwind Logistics')",
            run: "click",
        },
        {
            content: "The customer's profile is shown",
            trigger:
                ".o_form_view .o_field_widget[name=partner_id]:contains('Northwind Logistics')",
        },
    ],
});
