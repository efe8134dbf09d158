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

    def test_settings_form_and_effect(self):
        self.env["res.config.settings"].with_company(self.company).create(
            {"crm_churn_days": 200, "crm_winback_days": 100}
        ).execute()
        self.assertEqual(self.company.crm_churn_days, 200)
        partner = self.customer("Short Memory")
        self.invoice(partner, self.days_before(400), 100)
        self.invoice(partner, self.days_before(201), 100)
        self.assertEqual(self.profile_of(partner).lifecycle_stage, "churned")
