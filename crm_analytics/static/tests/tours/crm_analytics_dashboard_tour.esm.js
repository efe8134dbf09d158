import {deserializeDate, formatDate} from "@web/core/l10n/dates";
import {registry} from "@web/core/registry";

const year = new Date().getFullYear();
const yearStart = `${year}-01-01`;
// As the stage flow shows it, in the user's date format (01/01/2026); once
// the tour runs, when the user's localization is loaded
const yearStartShown = () => formatDate(deserializeDate(yearStart));

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

// "Dec 2026": a month as an English reader says it (not "2026-12-01")
const ENGLISH_MONTH = /^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}$/;

function checkMonths(canvas) {
    const labels = window.Chart.getChart(canvas).data.labels;
    const wrong = labels.filter((label) => !ENGLISH_MONTH.test(label));
    if (!labels.length || wrong.length) {
        throw new Error(`The trend's months read ${labels.join(", ")}`);
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
            content: "The churn trend's months read Dec 2026 (axis and tooltips)",
            trigger: ".o_crm_tile_churn canvas",
            run() {
                checkMonths(this.anchor);
            },
        },
        {
            content: "So do the satisfaction trend's",
            trigger: ".o_crm_tile_satisfaction canvas",
            run() {
                checkMonths(this.anchor);
            },
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
            trigger: `.o_crm_tile_flow .card-header small:contains(${yearStartShown()})`,
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
            trigger: `.o_crm_tile_flow .card-header small:contains(${yearStartShown()})`,
            run() {
                checkFrom(yearStart);
            },
        },
        {
            content: "The whale curve comes after the other tiles",
            trigger: ".o_crm_tile_whale canvas",
        },
        {
            content: "Drill into the customers who destroy value",
            trigger: ".o_crm_tile_whale a.o_crm_drill_destroyers",
            run: "click",
        },
        {
            content: "The whale curve's list, filtered on the value destroyers",
            trigger: ".o_searchview_facet:contains('Value Destroyers')",
        },
        {
            content: "The demo data's value destroyers are listed",
            trigger: ".o_list_view .o_data_row",
        },
        {
            content: "Back to the dashboard",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
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
