import {registry} from "@web/core/registry";

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
            content:
                "The satisfaction trap lists a satisfied customer who is declining",
            trigger: ".o_crm_tile_trap td:contains('Northwind Logistics')",
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
    ],
});
