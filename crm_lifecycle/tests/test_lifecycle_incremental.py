from freezegun import freeze_time

from odoo.tests import tagged

from .common import LifecycleCommon


@tagged("post_install", "-at_install")
@freeze_time(LifecycleCommon.REF)
class TestLifecycleIncremental(LifecycleCommon):
    """Posting, cancelling, resetting and reversing an invoice updates that
    customer at once, in the same transaction, and nobody else."""

    def profile(self, partner):
        return self.Profile.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )

    def test_post_cancel_draft_reverse(self):
        partner = self.customer("Live Customer")
        bystander = self.customer("Bystander")
        self.invoice(bystander, self.days_before(400), 100)
        bystander_profile = self.profile(bystander)
        bystander_write = bystander_profile.write_date

        invoice = self.invoice(partner, self.days_before(3), 500)
        profile = self.profile(partner)
        self.assertEqual(
            (profile.lifecycle_stage, profile.revenue_total, profile.purchase_count),
            ("new", 500, 1),
        )
        self.assertEqual(partner.with_company(self.company).lifecycle_stage, "new")

        invoice.button_draft()
        profile.invalidate_recordset()
        self.assertEqual(profile.purchase_count, 0)
        self.assertEqual(profile.revenue_total, 0)
        # Posting gave the partner a customer rank: now a prospect.
        self.assertEqual(profile.lifecycle_stage, "prospect")

        invoice.action_post()
        self.assertEqual(self.profile(partner).revenue_total, 500)

        reversal = invoice._reverse_moves(
            default_values_list=[{"invoice_date": self.REF, "date": self.REF}]
        )
        reversal.action_post()
        profile.invalidate_recordset()
        self.assertEqual(profile.revenue_total, 0)
        self.assertEqual(profile.purchase_count, 1)

        invoice.button_draft()
        invoice.button_cancel()
        profile.invalidate_recordset()
        self.assertEqual(profile.revenue_total, -500)
        self.assertEqual(profile.purchase_count, 0)

        bystander_profile.invalidate_recordset()
        self.assertEqual(bystander_profile.write_date, bystander_write)
        self.assertEqual(bystander_profile.lifecycle_stage, "churned")
        self.assertEqual(
            self.history_of(partner).mapped("stage_to"),
            ["new", "prospect", "new", "prospect"],
        )

    def test_accountant_posts_salesperson_gets_playbook(self):
        partner = self.customer("Posted By Finance")
        invoice = self.invoice(partner, self.days_before(1), 100, post=False)
        invoice.with_user(self.accountant).action_post()
        activity = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )
        self.assertEqual(activity.user_id, self.salesman)
        self.assertEqual(
            activity.activity_type_id, self.env.ref("mail.mail_activity_data_call")
        )

    def _post_cost(self, partner, invoice_count):
        for days in range(invoice_count):
            self.invoice(partner, self.days_before(200 + days), 10)
        invoice = self.invoice(partner, self.days_before(1), 10, post=False)
        self.env.flush_all()
        self.env.invalidate_all()
        return invoice

    def test_post_cost_does_not_grow_with_invoices(self):
        """The refresh costs the same queries for 1 or 40 past invoices: it is
        one statement per posting, whatever the customer's history."""
        small = self._post_cost(self.customer("Small History"), 1)
        large = self._post_cost(self.customer("Large History"), 40)
        Profile = self.env["crm.customer.profile"]
        pairs = {
            (small.partner_id.id, self.company.id),
            (large.partner_id.id, self.company.id),
        }
        Profile._refresh_customers(pairs)

        def queries(partner):
            before = self.env.cr.sql_log_count
            Profile._refresh_customers({(partner.id, self.company.id)})
            return self.env.cr.sql_log_count - before

        # 4 with crm_lifecycle alone, one more when crm_analytics places the
        # customer in its value tier
        self.assertLessEqual(queries(small.partner_id), 5)
        self.assertEqual(queries(large.partner_id), queries(small.partner_id))

        small.action_post()
        large.action_post()
        self.assertEqual(self.profile(large.partner_id).purchase_count, 41)
