from odoo.tests import HttpCase, tagged

# the lists of the three addons' menus whose headers were cut at 1440 px
LISTS = [
    "crm_analytics.crm_churn_report_action",
    "crm_analytics.crm_repurchase_report_action",
    "crm_analytics.crm_cohort_report_action",
    "crm_lifecycle.crm_customer_profile_action",
    "crm_lifecycle.crm_lifecycle_history_action",
    "crm_analytics.crm_customer_snapshot_action",
    "crm_analytics.crm_pareto_report_action",
    "crm_analytics.crm_clv_report_action",
    "crm_analytics.crm_satisfaction_trap_report_action",
    "crm_analytics.crm_value_ranking_action",
    "crm_satisfaction.crm_service_sla_action",
]


@tagged("post_install", "-at_install")
class TestListHeaders(HttpCase):
    """On the demo database, the lists of the addons' menus show every
    default column's header whole at 1440 × 900."""

    browser_size = "1440x900"

    def test_headers_whole_at_1440(self):
        if not self.env.ref("crm_lifecycle.demo_partner_northwind", False):
            self.skipTest("needs the demo data")
        for xmlid in LISTS:
            with self.subTest(action=xmlid):
                self.start_tour(
                    f"/odoo/action-{xmlid}?view_type=list",
                    "crm_analytics_list_headers_tour",
                    login="admin",
                )
