from odoo.tests import new_test_user, tagged

from .common import AnalyticsCommon


@tagged("post_install", "-at_install")
class TestPotentialCustomers(AnalyticsCommon):
    """Potential big customers (识别潜在大客户): below the VIP or key tier
    today, placed there by their potential yearly spend or their growth."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "crm_tier_mode": "thresholds",
                "crm_tier_vip_threshold": 1000,
                "crm_tier_key_threshold": 500,
                "crm_tier_ordinary_threshold": 100,
                "crm_rfm_window_days": 365,
            }
        )
        cls.colleague = new_test_user(
            cls.env,
            login="pb_colleague",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
        )
        names = ("Wallet", "Growth", "Already VIP", "Already Key", "Too Small")
        cls.wallet, cls.growth, cls.vip, cls.key, cls.small = cls.partners = cls.env[
            "res.partner"
        ].create(
            [
                {"name": name, "is_company": True, "user_id": cls.salesman.id}
                for name in names
            ]
        )
        cls.post_invoices(
            [
                (cls.wallet, cls.days_before(30), 200),
                # 200 the year before, 400 the last 12 months: 800 next year
                (cls.growth, cls.days_before(400), 200),
                (cls.growth, cls.days_before(50), 400),
                (cls.vip, cls.days_before(30), 1200),
                # key today (600), 654.55 next year: key still
                (cls.key, cls.days_before(400), 550),
                (cls.key, cls.days_before(50), 600),
                (cls.small, cls.days_before(30), 100),
            ]
        )
        for partner, spend in ((cls.wallet, 1500), (cls.vip, 5000), (cls.small, 200)):
            partner.with_company(cls.company).crm_potential_spend = spend

    def report(self, user=None):
        Report = self.env["crm.potential.customer.report"]
        if user:
            Report = Report.with_user(user)
        rows = Report.with_company(self.company).search(
            [("partner_id", "in", self.partners.ids)]
        )
        return {
            row.partner_id.name: (
                row.value_tier,
                row.potential_tier,
                row.potential_source,
                round(row.window_revenue, 2),
                round(row.potential, 2),
                round(row.gap, 2),
            )
            for row in rows
        }

    def test_potential_big_customers(self):
        self.rank()
        self.assertEqual(
            self.report(),
            {
                "Wallet": ("ordinary", "vip", "wallet", 200, 1500, 1300),
                "Growth": ("ordinary", "key", "growth", 400, 800, 400),
            },
        )
        # the list opens on the biggest gap
        rows = self.env["crm.potential.customer.report"].search(
            [("partner_id", "in", self.partners.ids)]
        )
        self.assertEqual(rows.partner_id, self.wallet | self.growth)
        # the pivot's total, as the web client reads it
        [total] = self.env["crm.potential.customer.report"].read_group(
            [("partner_id", "in", self.partners.ids)], ["gap:sum"], []
        )
        self.assertEqual(total["gap"], 1700)
        # the partner filter
        self.assertEqual(
            self.env["res.partner"].search(
                [("crm_potential_big", "=", True), ("id", "in", self.partners.ids)]
            ),
            self.wallet | self.growth,
        )
        self.assertTrue(self.wallet.with_company(self.company).crm_potential_big)
        self.assertFalse(self.vip.with_company(self.company).crm_potential_big)

    def test_over_a_longer_window(self):
        """The potential is yearly; the tiers measure the RFM window: over
        two years, twice the yearly potential."""
        self.company.crm_rfm_window_days = 730
        self.company.crm_tier_vip_threshold = 2500
        self.rank()
        self.assertEqual(
            self.report()["Wallet"], ("ordinary", "vip", "wallet", 200, 3000, 2800)
        )

    def test_salespeople_see_their_own_customers(self):
        self.rank()
        self.assertEqual(set(self.report(self.salesman)), {"Wallet", "Growth"})
        self.assertEqual(self.report(self.colleague), {})

    def test_companies_see_their_own_customers(self):
        """The multi-company rule: a user of company B reads none of company
        A's potential big customers."""
        self.rank()
        self.assertEqual(set(self.report()), {"Wallet", "Growth"})
        self.assertFalse(
            self.env["crm.potential.customer.report"]
            .with_user(self.user_company_b)
            .search([("partner_id", "in", self.partners.ids)])
        )
