from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import AnalyticsCommon


@tagged("post_install", "-at_install")
class TestValueSecurity(AnalyticsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vip_a, cls.vip_b = cls.customers(2, prefix="Secure")
        cls.post_invoices([(cls.vip_a, cls.days_before(5), 700)])
        cls.post_invoices([(cls.vip_b, cls.days_before(5), 900)], company=cls.company_b)
        for company in cls.company | cls.company_b:
            cls.Profile.with_company(company).with_context(
                allowed_company_ids=company.ids
            ).recompute(cls.REF)
        cls.employee = new_test_user(
            cls.env, login="va_employee", groups="base.group_user"
        )

    def test_multi_company_rules_on_profiles_and_snapshots(self):
        for model in (
            "crm.customer.snapshot.period",
            "crm.value.ranking",
            "crm.value.tier.report",
            "crm.pareto.report",
        ):
            with self.subTest(model=model):
                records = self.env[model].with_user(self.user_company_b).search([])
                self.assertTrue(records)
                self.assertEqual(records.company_id, self.company_b)
        profiles = self.Profile.with_user(self.user_company_b).search(
            [("value_tier", "!=", False)]
        )
        self.assertEqual(profiles.partner_id, self.vip_b)
        period_a = self.Period.search(
            [("partner_id", "=", self.vip_a.id), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(period_a.value_tier, "vip")
        with self.assertRaises(AccessError):
            period_a.with_user(self.user_company_b).read(["value_tier"])
        # the tier history on a date and the migration matrix: company B only
        holding = self.Period.with_user(self.user_company_b).search(
            [("snapshot_date", "=", self.REF), ("value_tier", "!=", False)]
        )
        self.assertEqual(
            [(p.partner_id, p.value_tier) for p in holding], [(self.vip_b, "vip")]
        )
        matrix = (
            self.Period.with_user(self.user_company_b)
            .with_company(self.company_b)
            .migration_matrix(self.REF, self.REF)
        )
        self.assertIn(
            {
                "tier_from": "vip",
                "tier_to": "vip",
                "count": 1,
                "revenue": 900.0,
                "value": 900.0,
            },
            matrix,
        )
        self.assertEqual(
            self.env["crm.pareto.report"]
            .with_user(self.user_company_b)
            .with_company(self.company_b)
            .pareto(self.REF)["customers"],
            1,
        )

    def test_invoicing_user_reads_tiers(self):
        partner = self.vip_a.with_user(self.accountant)
        self.assertEqual(partner.value_tier, "vip")
        self.assertEqual(partner.crm_profile_id.value_tier, "vip")
        period = self.Period.with_user(self.accountant).search(
            [("partner_id", "=", self.vip_a.id), ("snapshot_date", "=", self.REF)]
        )
        self.assertEqual((period.company_id, period.value_tier), (self.company, "vip"))
        with self.assertRaises(AccessError):
            period.write({"value_tier": "small"})
        with self.assertRaises(AccessError):
            period.unlink()
        # not the accountant's company: company B's periods stay hidden
        self.assertTrue(self.Period.search([("company_id", "=", self.company_b.id)]))
        self.assertFalse(
            self.Period.with_user(self.accountant).search(
                [("company_id", "=", self.company_b.id)]
            )
        )

    def test_salesperson_reads_and_cannot_change_settings(self):
        period = self.Period.with_user(self.salesman).search(
            [
                ("partner_id", "=", self.vip_a.id),
                ("company_id", "=", self.company.id),
                ("date_to", "=", False),
            ]
        )
        self.assertEqual(period.value_tier, "vip")
        with self.assertRaises(AccessError):
            period.write({"value_tier": "small"})
        report = self.env["crm.value.tier.report"].with_user(self.salesman)
        self.assertEqual(
            report.search([("partner_id", "=", self.vip_a.id)]).value_tier, "vip"
        )
        with self.assertRaises(AccessError):
            self.company.with_user(self.salesman).write({"crm_tier_vip_share": 4})
        with self.assertRaises(AccessError):
            self.Ranking.with_user(self.salesman).search([]).unlink()
        self.assertTrue(
            self.Ranking.with_user(self.sales_manager).search(
                [("company_id", "=", self.company.id)]
            )
        )

    def test_plain_employee_is_refused(self):
        for model in (
            "crm.customer.snapshot.period",
            "crm.value.tier.report",
            "crm.clv.report",
            "crm.tier.migration.wizard",
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.employee).search([])
        period = self.Period.search([("partner_id", "=", self.vip_a.id)])
        self.assertTrue(period)
        with self.assertRaises(AccessError):
            period.with_user(self.employee).read(["value_tier"])
        with self.assertRaises(AccessError):
            self.Period.with_user(self.employee).migration_matrix(
                self.days_before(10), self.REF
            )
