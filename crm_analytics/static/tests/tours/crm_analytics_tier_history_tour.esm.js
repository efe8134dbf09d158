import {formatDate} from "@web/core/l10n/dates";
import {registry} from "@web/core/registry";

const {DateTime} = luxon;

registry.category("web_tour.tours").add("crm_analytics_tier_history_tour", {
    url: "/odoo/action-crm_analytics.crm_customer_snapshot_action",
    steps: () => [
        {
            content: "The current periods are listed",
            trigger: ".o_searchview_facet:contains('Current')",
        },
        {
            trigger: ".o_list_view .o_data_row td[name='value_tier']",
        },
        {
            content: "Drop the Current filter",
            trigger: ".o_searchview_facet:contains('Current') .o_facet_remove",
            run: "click",
        },
        {
            content: "Type a date of the demo's first half year",
            trigger: ".o_searchview_input",
            run: `edit ${formatDate(DateTime.now().minus({days: 200}))}`,
        },
        {
            content: "Search the periods holding on it",
            trigger: ".o_searchview_autocomplete .o_menu_item:contains('Holding on')",
            run: "click",
        },
        {
            trigger: ".o_searchview_facet:contains('Holding on')",
        },
        {
            content: "Every customer's state on that date",
            trigger: ".o_list_view .o_data_row td[name='partner_id']",
        },
        {
            content: "The same in the pivot",
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "Tiers as rows, stages as columns",
            trigger: ".o_pivot table th.o_pivot_header_cell_opened",
        },
    ],
});
