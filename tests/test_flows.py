"""Cross-addon flows: the front office (sales) and the back office (finance)
working on the same customers in one database."""

from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-03-31")
class TestFrontAndBackOffice(AccountTestInvoicingCommon):
    test_module = "crm_analytics"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env,
            login="flow_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=cls.env.company.id,
        )
        cls.accountant = new_test_user(
            cls.env,
            login="flow_accountant",
            groups="account.group_account_invoice",
            company_id=cls.env.company.id,
        )

    def test_sales_user_gets_every_crm_right(self):
        for group in (
            "crm_lifecycle.group_lifecycle_user",
            "crm_satisfaction.group_satisfaction_user",
            "crm_analytics.group_analytics_user",
        ):
            self.assertTrue(self.salesman.has_group(group), group)
        self.assertFalse(
            self.salesman.has_group("crm_lifecycle.group_lifecycle_manager")
        )

    def test_opportunity_to_invoice_to_stage(self):
        """A salesperson's opportunity makes a prospect; the order is invoiced
        and finance posts the invoice: the salesperson sees a new customer with
        a welcome call scheduled, finance sees the same figures read-only."""
        partner = self.env["res.partner"].create(
            {"name": "Flow Customer", "is_company": True, "user_id": self.salesman.id}
        )
        self.env["crm.lead"].with_user(self.salesman).create(
            {"name": "First deal", "type": "opportunity", "partner_id": partner.id}
        )
        Profile = self.env["crm.customer.profile"]
        self.assertEqual(
            Profile.recompute(partners=partner).lifecycle_stage, "prospect"
        )

        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product_a.id,
                            "product_uom_qty": 3,
                            "price_unit": 100,
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        self.assertEqual(
            partner.with_company(self.env.company).lifecycle_stage,
            "prospect",
            "a confirmed order is no purchase while the company invoices",
        )
        invoice = order._create_invoices()
        invoice.invoice_date = date(2025, 3, 31)
        invoice.with_user(self.accountant).action_post()

        profile = Profile.with_user(self.salesman).search(
            [("partner_id", "=", partner.id)]
        )
        self.assertEqual(profile.lifecycle_stage, "new")
        self.assertEqual(profile.revenue_12m, 300)
        self.assertEqual(
            self.env["res.partner"]
            .with_user(self.salesman)
            .search([("lifecycle_stage", "=", "new"), ("id", "=", partner.id)]),
            partner,
        )
        activity = partner.activity_ids
        self.assertEqual(activity.user_id, self.salesman)
        self.assertEqual(activity.summary, "Welcome call")

        as_finance = profile.with_user(self.accountant)
        self.assertEqual(as_finance.revenue_12m, 300)
        with self.assertRaises(AccessError):
            as_finance.write({"stage_lock_reason": "finance cannot"})
