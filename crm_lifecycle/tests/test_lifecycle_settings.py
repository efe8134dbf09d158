from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import LifecycleCommon


@tagged("post_install", "-at_install")
class TestLifecycleSettings(LifecycleCommon):
    def test_defaults(self):
        company = self.env["res.company"].create({"name": "Fresh Company"})
        self.assertEqual(
            (
                company.crm_churn_days,
                company.crm_winback_days,
                company.crm_new_days,
                company.crm_growth_rate,
                company.crm_revenue_source,
            ),
            (365, 180, 90, 0.10, "invoice"),
        )

    def test_out_of_range_values_are_refused(self):
        for values in (
            {"crm_churn_days": -1},
            {"crm_churn_days": 0},
            {"crm_new_days": -5},
            {"crm_winback_days": 0},
            {"crm_winback_days": 400},
            {"crm_new_days": 366},
            {"crm_growth_rate": -0.1},
            {"crm_growth_rate": 1.5},
        ):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                self.company.write(values)
        self.assertEqual(self.company.crm_churn_days, 365)

    def test_bounds_name_the_field_and_the_bound(self):
        Settings = self.env["res.config.settings"].with_company(self.company)
        for values, message in (
            (
                {"crm_churn_days": 1_000_000},
                "Churn After (days) must be between 1 and 36,500 days, not 1,000,000.",
            ),
            (
                {"crm_new_days": 0},
                "New For (days) must be between 1 and 36,500 days, not 0.",
            ),
            (
                {"crm_winback_days": 36_501},
                "Won Back For (days) must be between 1 and 36,500 days, not 36,501.",
            ),
            (
                {"crm_growth_rate": 1.5},
                "Growth Threshold must be between 0 and 1 (0.10 means 10%), not 1.5.",
            ),
        ):
            with (
                self.subTest(values=values),
                self.assertRaises(ValidationError) as raised,
            ):
                Settings.create(values).execute()
            self.assertEqual(
                raised.exception.args[0], f"{self.company.name}: {message}"
            )
        self.assertEqual(
            (self.company.crm_churn_days, self.company.crm_growth_rate), (365, 0.10)
        )

    def test_widest_settings_keep_posting_and_the_cron_running(self):
        """A period of 36,500 days (the most allowed) still posts invoices and
        runs the daily cron, which a million days broke."""
        self.company.write(
            {
                "crm_churn_days": 36_500,
                "crm_winback_days": 36_500,
                "crm_new_days": 36_500,
                "crm_growth_rate": 1,
            }
        )
        partner = self.customer("A Century of Custom")
        with freeze_time(self.REF):
            invoice = self.invoice(partner, self.days_before(3000), 100)
            later = self.invoice(partner, self.days_before(10), 100, post=False)
            later.with_user(self.accountant).action_post()
            self.env.ref(
                "crm_lifecycle.ir_cron_crm_lifecycle_recompute"
            ).method_direct_trigger()
        self.assertEqual((invoice.state, later.state), ("posted", "posted"))
        profile = self.Profile.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )
        self.assertEqual((profile.lifecycle_stage, profile.purchase_count), ("new", 2))

    def test_settings_form_and_effect(self):
        self.env["res.config.settings"].with_company(self.company).create(
            {"crm_churn_days": 200, "crm_winback_days": 100}
        ).execute()
        self.assertEqual(self.company.crm_churn_days, 200)
        partner = self.customer("Short Memory")
        self.invoice(partner, self.days_before(400), 100)
        self.invoice(partner, self.days_before(201), 100)
        self.assertEqual(self.profile_of(partner).lifecycle_stage, "churned")

    def test_changed_settings_rewrite_reasons(self):
        """A change of settings makes the company's customers pending for
        the cron (their facts no longer hold) and rewrites the reasons that
        quote them."""
        partner = self.customer("Long Gone")
        self.invoice(partner, self.days_before(500), 100)
        profile = self.profile_of(partner)
        self.assertEqual(profile.lifecycle_stage, "churned")
        self.assertEqual(
            profile.stage_reason,
            "Rule 2: no purchase since 02/16/2024, more than the churn period "
            "of 365 days.",
        )
        self.company.crm_churn_days = 400
        self.assertFalse(profile.facts_date)
        self.assertEqual(self.profile_of(partner).lifecycle_stage, "churned")
        self.assertEqual(
            profile.stage_reason,
            "Rule 2: no purchase since 02/16/2024, more than the churn period "
            "of 400 days.",
        )
        self.assertEqual(profile.facts_date, self.REF)
        # Writing the same value again does not invalidate anything.
        self.company.crm_churn_days = 400
        self.assertEqual(profile.facts_date, self.REF)

    def test_full_recompute_uses_each_company_churn_period(self):
        """One full recompute over two companies: the same 350-day gap
        between purchases is a return where the churn period is 200 days,
        not where it is 365."""
        self.company_b.crm_churn_days = 200
        partner = self.customer("Two Companies")
        for company in (self.company, self.company_b):
            self.invoice(partner, self.days_before(400), 100, company=company)
            self.invoice(partner, self.days_before(50), 100, company=company)
        both = self.company | self.company_b
        profiles = self.Profile.with_context(allowed_company_ids=both.ids).recompute(
            self.REF
        )
        by_company = {p.company_id: p for p in profiles if p.partner_id == partner}
        self.assertEqual(by_company[self.company].lifecycle_stage, "mature")
        self.assertFalse(by_company[self.company].last_return_date)
        self.assertEqual(by_company[self.company_b].lifecycle_stage, "won_back")
        self.assertEqual(
            by_company[self.company_b].last_return_date, self.days_before(50)
        )
