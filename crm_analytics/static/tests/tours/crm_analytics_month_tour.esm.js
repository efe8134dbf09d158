import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("crm_analytics_month_tour", {
    url: "/odoo/action-crm_analytics.crm_churn_report_action?view_type=list",
    steps: () => [
        {
            content: "The churn report's months read as months (Dec 2026)",
            trigger: ".o_list_view .o_data_row td[name='month']",
            run() {
                const months = [
                    ...document.querySelectorAll(".o_data_row td[name='month']"),
                ].map((cell) => cell.textContent.trim());
                const wrong = months.filter(
                    (month) => !/^[A-Z][a-z]{2} \d{4}$/.test(month)
                );
                if (!months.length || wrong.length) {
                    throw new Error(
                        `Months not read as "Dec 2026": ${wrong.join(", ")}`
                    );
                }
            },
        },
    ],
});
