from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import AnalyticsCommon


@tagged("post_install", "-at_install")
@freeze_time(AnalyticsCommon.REF)
class TestPotentialPlaybook(AnalyticsCommon):
    """The playbook trigger "identified as a potential big customer" and the
    playbook action "create an opportunity" (识别潜在大客户 → 商机)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Playbook = cls.env["crm.lifecycle.playbook"]
        cls.default_playbook = cls.env.ref(
            "crm_analytics.playbook_potential_opportunity"
        )
        cls.company.write(
            {
                "crm_tier_mode": "thresholds",
                "crm_tier_vip_threshold": 1000,
                "crm_tier_key_threshold": 500,
                "crm_tier_ordinary_threshold": 100,
                "crm_rfm_window_days": 365,
            }
        )
        names = ("Wallet", "Growth", "Already VIP", "Too Small")
        cls.wallet, cls.growth, cls.vip, cls.small = cls.partners = cls.env[
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
                (cls.small, cls.days_before(30), 100),
            ]
        )
        for partner, spend in ((cls.wallet, 1500), (cls.vip, 5000), (cls.small, 200)):
            partner.with_company(cls.company).crm_potential_spend = spend

    def opportunities(self, partners=None):
        return self.env["crm.lead"].search(
            [("partner_id", "in", (partners or self.partners).ids)], order="id"
        )

    def summary(self, leads):
        return {
            (
                lead.partner_id.name,
                lead.type,
                lead.name,
                lead.user_id.login,
                lead.company_id.name,
                lead.expected_revenue,
            )
            for lead in leads
        }

    def test_identified_once(self):
        self.rank()
        leads = self.opportunities()
        company = self.company.name
        self.assertEqual(
            self.summary(leads),
            {
                (
                    "Wallet",
                    "opportunity",
                    "Potential big customer: Wallet",
                    "lc_salesman",
                    company,
                    1300,
                ),
                (
                    "Growth",
                    "opportunity",
                    "Potential big customer: Growth",
                    "lc_salesman",
                    company,
                    400,
                ),
            },
        )
        self.assertIn("what it would take", leads[0].description)
        profiles = self.profiles(self.partners)
        self.assertEqual(
            {p.partner_id.name: p.potential_date for p in profiles},
            {
                "Wallet": self.REF,
                "Growth": self.REF,
                "Already VIP": False,
                "Too Small": False,
            },
        )
        # still potential at the next rankings: nothing more
        self.rank()
        later = self.REF + timedelta(days=1)
        with freeze_time(later):
            self.rank(later)
        self.assertEqual(self.opportunities(), leads)
        self.assertEqual(
            self.profiles(self.wallet | self.growth).mapped("potential_date"),
            [self.REF, self.REF],
        )

    def test_identified_again_after_a_break(self):
        self.rank()
        first = self.opportunities(self.wallet)
        self.assertEqual(len(first), 1)
        # no potential spend any more: no longer a potential big customer
        self.wallet.with_company(self.company).crm_potential_spend = 0
        later = self.REF + timedelta(days=1)
        with freeze_time(later):
            self.rank(later)
        self.assertFalse(self.profiles(self.wallet).potential_date)
        self.assertEqual(self.opportunities(self.wallet), first)
        # potential again: a new opportunity, with the new gap
        self.wallet.with_company(self.company).crm_potential_spend = 2000
        later += timedelta(days=1)
        with freeze_time(later):
            self.rank(later)
        self.assertEqual(self.profiles(self.wallet).potential_date, later)
        second = self.opportunities(self.wallet) - first
        self.assertEqual(len(second), 1)
        self.assertEqual(second.expected_revenue, 1800)
        self.assertEqual(second.user_id, self.salesman)

    def test_company_of_the_playbook(self):
        self.default_playbook.active = False
        self.Playbook.create(
            [
                {
                    "name": "Company B's potential",
                    "trigger": "potential",
                    "create_opportunity": True,
                    "company_id": self.company_b.id,
                },
                {
                    "name": "Our potential",
                    "trigger": "potential",
                    "create_opportunity": True,
                    "summary": "Grow the account",
                    "company_id": self.company.id,
                },
            ]
        )
        self.rank()
        self.assertEqual(
            set(self.opportunities().mapped("name")),
            {"Grow the account: Wallet", "Grow the account: Growth"},
        )

    def test_opportunity_in_the_salesperson_s_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["crm_lifecycle", "crm_analytics"], ["zh_CN"], overwrite=True
        )
        self.salesman.lang = "zh_CN"
        self.rank()
        self.assertEqual(
            set(self.opportunities().mapped("name")),
            {"潜在大客户：Wallet", "潜在大客户：Growth"},
        )
        selection = self.Playbook.with_context(lang="zh_CN").fields_get(["trigger"])
        self.assertIn(
            ("potential", "被识别为潜在大客户"), selection["trigger"]["selection"]
        )

    def test_cron_run_by_a_user_without_crm_rights(self):
        """The daily ranking's cron, run by a user who may not read CRM
        data, identifies the customers and creates their opportunities."""
        self.assertFalse(self.accountant.has_group("sales_team.group_sale_salesman"))
        Profile = self.Profile.with_user(self.accountant).with_context(
            ir_cron_progress_id=False
        )
        while Profile._cron_rank_values():
            pass
        leads = self.opportunities()
        self.assertEqual(leads.partner_id, self.wallet | self.growth)
        self.assertEqual(leads.user_id, self.salesman)
        self.assertEqual(leads.create_uid, self.accountant)
        # the salesperson reads their opportunities
        self.assertEqual(
            self.env["crm.lead"]
            .with_user(self.salesman)
            .search([("partner_id", "in", self.partners.ids)]),
            leads,
        )

    def test_no_opportunity_outside_the_salesperson_s_companies(self):
        """A salesperson who does not work in the customer's company gets
        no opportunity there (it would break its company rule)."""
        self.salesman.company_ids -= self.company_b
        self.rank()
        self.assertEqual(len(self.opportunities()), 2)
        self.company_b.write(
            {
                "crm_tier_mode": "thresholds",
                "crm_tier_vip_threshold": 1000,
                "crm_tier_key_threshold": 500,
                "crm_tier_ordinary_threshold": 100,
            }
        )
        partner = self.customer("Company B customer")
        self.post_invoices([(partner, self.days_before(30), 200)], self.company_b)
        partner.with_company(self.company_b).crm_potential_spend = 1_000_000
        self.rank(company=self.company_b)
        self.assertEqual(
            self.profiles(partner, self.company_b).potential_date, self.REF
        )
        self.assertFalse(self.opportunities(partner))

    def test_playbook_needs_an_action(self):
        with self.assertRaises(ValidationError):
            self.Playbook.create({"name": "Nothing", "trigger": "potential"})
        playbook = self.Playbook.create(
            {"name": "Only a lead", "trigger": "potential", "create_opportunity": True}
        )
        self.assertEqual(playbook._trigger_value(), True)

    def test_upgrade_marks_without_firing(self):
        """The update that adds the potential date gives it to the customers
        potential already, without an opportunity; the next ranking fires
        only for customers identified anew."""
        self.rank()
        self.opportunities().unlink()
        self.env.flush_all()
        self.env.execute_query(
            SQL("UPDATE crm_customer_profile SET potential_date = NULL")
        )
        self.Profile.invalidate_model(["potential_date"])
        self.run_migration("18.0.1.4.0/post-migration.py", "18.0.1.3.0")
        self.assertEqual(
            self.profiles(self.wallet | self.growth).mapped("potential_date"),
            [self.REF, self.REF],
        )
        self.assertFalse(self.opportunities())
        self.rank()
        self.assertFalse(self.opportunities())
