import {registry} from "@web/core/registry";

/**
 * Every column header of the list shows its whole label: none is cut to
 * "…" (the test opens the lists at 1440 × 900).
 */
registry.category("web_tour.tours").add("crm_analytics_list_headers_tour", {
    steps: () => [
        {
            content: "The list's headers are whole",
            trigger: ".o_list_view .o_list_table thead th[data-name]",
            run() {
                const cut = [];
                for (const th of document.querySelectorAll(
                    ".o_list_view .o_list_table thead th[data-name]"
                )) {
                    const label = th.querySelector(".d-flex > span") || th;
                    if (label.scrollWidth > label.clientWidth + 1) {
                        cut.push(`${th.dataset.name} (${th.innerText.trim()})`);
                    }
                }
                if (cut.length) {
                    throw new Error(`Headers cut short: ${cut.join(", ")}`);
                }
            },
        },
    ],
});
