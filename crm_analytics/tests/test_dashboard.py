from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import AnalyticsCommon


@tagged("post_install", "-at_install")
class TestDashboardData(AnalyticsCommon):
    def test_tiles_on_hand_built_data(self):
        today = fields.Date.context_today(self.Profile)
        partners = self.customers(4)
        self.post_invoices(
            [
                (partners[0], today.replace(day=1), 4000),
                (partners[1], today.replace(day=1), 300),
                (partners[2], today.replace(day=1), 200),
                (partners[3], today.replace(day=1), 100),
            ]
        )
        self.rank(today)
        Dashboard = self.env["crm.analytics.dashboard"].with_context(
            allowed_company_ids=self.company.ids
        )
        data = Dashboard.get_dashboard_data({})
        pyramid = {tier["key"]: tier for tier in data["pyramid"]}
        # n = 4: VIP 1, no key, ordinary 1 (ceil 2), small 2
        self.assertEqual(
            [pyramid[k]["count"] for k in ("vip", "key", "ordinary", "small")],
            [1, 0, 1, 2],
        )
        self.assertAlmostEqual(pyramid["vip"]["share"], 4000 / 46)
        self.assertEqual(
            self.Profile.search(pyramid["vip"]["domain"]).partner_id, partners[0]
        )
        funnel = {stage["key"]: stage["count"] for stage in data["funnel"]}
        self.assertEqual(funnel["new"], 4)
        self.assertEqual(data["trap"]["count"], 0)
        self.assertEqual(data["at_risk_vips"]["count"], 0)
        # a salesperson filter narrows the profile tiles
        partners[:2].user_id = self.salesman
        self.Profile.invalidate_model()
        data = Dashboard.get_dashboard_data({"user_id": self.salesman.id})
        self.assertEqual(sum(stage["count"] for stage in data["funnel"]), 2)

    def test_tier_and_stage_names_in_the_reader_s_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["crm_lifecycle", "crm_satisfaction", "crm_analytics"],
            ["zh_CN"],
            overwrite=True,
        )
        partner = self.customers(1)
        self.post_invoices([(partner, self.days_before(30), 100)])
        data = (
            self.env["crm.analytics.dashboard"]
            .with_context(lang="zh_CN", allowed_company_ids=self.company.ids)
            .get_dashboard_data({})
        )
        labels = {row["key"]: row["label"] for row in data["pyramid"] + data["funnel"]}
        self.assertEqual(labels["small"], "小客户")
        self.assertEqual(labels["new"], "新客户")
        # the matrix's legend
        self.assertEqual(data["matrix"]["quadrants"]["urgent"], "急需改进区")


@tagged("post_install", "-at_install")
class TestDashboardTour(HttpCase):
    def test_dashboard_tour(self):
        """On the demo database, a manager opens the dashboard: every tile
        shows figures, and the VIP drill-down lists the VIP customers."""
        if not self.env.ref("crm_lifecycle.demo_partner_northwind", False):
            self.skipTest("needs the demo data")
        self.start_tour(
            "/odoo/action-crm_analytics.action_crm_analytics_dashboard",
            "crm_analytics_dashboard_tour",
            login="admin",
        )

    def test_report_months_read_as_months(self):
        """On the demo database, the churn report's list names its months
        ("Dec 2026"), not their first day ("12/01/2026")."""
        if not self.env.ref("crm_lifecycle.demo_partner_northwind", False):
            self.skipTest("needs the demo data")
        self.start_tour(
            "/odoo/action-crm_analytics.crm_churn_report_action?view_type=list",
            "crm_analytics_month_tour",
            login="admin",
        )
