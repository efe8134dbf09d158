import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("crm_lifecycle_override_tour", {
    url: "/odoo/action-crm_lifecycle.crm_customer_profile_action",
    steps: () => [
        {
            content: "Look the customer up (the demo data has hundreds)",
            trigger: ".o_searchview_input",
            run: "edit Tour Customer",
        },
        {
            content: "Search",
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "Open the customer's lifecycle profile",
            trigger: ".o_list_view .o_data_row td:contains('Tour Customer')",
            run: "click",
        },
        {
            content: "The customer is new",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Prospect')",
        },
        {
            content: "Set the stage by hand",
            trigger: ".o_form_view button[name='action_open_stage_wizard']",
            run: "click",
        },
        {
            trigger: ".modal div[name='lifecycle_stage'] select",
            run: 'select "mature"',
        },
        {
            trigger: ".modal div[name='reason'] textarea",
            run: "edit Framework agreement signed for three years",
        },
        {
            trigger: ".modal button[name='action_apply']",
            run: "click",
        },
        {
            content: "The stage is now mature, and the history says it was manual",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Mature')",
        },
        {
            trigger:
                ".o_field_widget[name='history_ids'] td:contains('Framework agreement signed')",
        },
    ],
});
