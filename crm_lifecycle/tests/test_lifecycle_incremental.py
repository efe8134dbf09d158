from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL

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

    def test_other_addons_see_the_writes(self):
        """The evaluation writes profiles and partners in SQL, then marks the
        fields it wrote as modified, so that stored fields of other addons
        that depend on them are recomputed."""
        partner = self.customer("Watched Customer")
        invoice = self.invoice(partner, self.days_before(3), 500, post=False)
        marked = []
        Partner, Profile = type(self.env["res.partner"]), type(self.Profile)

        def recording(modified):
            def record(records, fnames, *args, **kwargs):
                marked.extend(
                    (records._name, record_id, fname)
                    for record_id in records.ids
                    for fname in fnames
                )
                return modified(records, fnames, *args, **kwargs)

            return record

        with (
            patch.object(Partner, "modified", recording(Partner.modified)),
            patch.object(Profile, "modified", recording(Profile.modified)),
        ):
            invoice.action_post()
        profile = self.profile(partner)
        for name, record_id, fname in (
            ("res.partner", partner.id, "lifecycle_stage"),
            ("crm.customer.profile", profile.id, "lifecycle_stage"),
            ("crm.customer.profile", profile.id, "revenue_total"),
        ):
            self.assertIn((name, record_id, fname), marked)

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
        """The refresh costs the same queries for 1 or 40 past invoices,
        whatever the customer's history."""
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

        # a savepoint, lock the partner and its profiles (three statements:
        # see _lock_customers), drop the last evaluation's temporary table,
        # evaluate into a new one, update the profiles, insert the new
        # profiles and the history rows, read back what moved, release
        self.assertEqual(queries(small.partner_id), 11)
        self.assertEqual(queries(large.partner_id), queries(small.partner_id))

        small.action_post()
        large.action_post()
        self.assertEqual(self.profile(large.partner_id).purchase_count, 41)


FACTS = [
    "first_purchase_date",
    "last_purchase_date",
    "purchase_count",
    "revenue_total",
    "revenue_12m",
    "revenue_prev_12m",
    "purchase_count_12m",
    "avg_purchase_interval",
    "last_return_date",
    "lifecycle_stage",
    "stage_rule",
    "stage_reason_figures",
    "stage_reason",
]


@tagged("post_install", "-at_install")
@freeze_time(LifecycleCommon.REF)
class TestLifecycleDelta(LifecycleCommon):
    """A posted document that comes after the customer's last purchase is
    added to the stored facts; the result is the same as aggregating all the
    customer's documents again."""

    def facts(self, partner):
        profile = self.Profile.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )
        profile.invalidate_recordset()
        return {name: profile[name] for name in FACTS}

    def set_facts_date(self, partner, value):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE crm_customer_profile SET facts_date = %s WHERE partner_id = %s",
                value,
                partner.id,
            )
        )
        self.env.invalidate_all()

    def post(self, move):
        """Post ``move``; return whether the stored facts of its customer took
        it in (rather than all the customer's documents being aggregated
        again). A marker added to the stored revenue tells: it survives only
        if the stored facts were used; the facts are then repaired."""
        partner = move.commercial_partner_id
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE crm_customer_profile SET revenue_total = revenue_total + 1000
                    WHERE partner_id = %s""",
                partner.id,
            )
        )
        self.env.invalidate_all()
        move.action_post()
        self.assertEqual(set(move.mapped("state")), {"posted"})
        posted = self.facts(partner)
        self.set_facts_date(partner, None)
        self.Profile.recompute(self.REF, partners=partner)
        truth = self.facts(partner)
        taken = posted["revenue_total"] - truth["revenue_total"] == 1000
        if taken:
            posted["revenue_total"] -= 1000
        # the facts the posting left, bar the marker, are those of the
        # documents
        self.assertEqual(posted, truth)
        return taken

    def test_return_refund_and_back_dated_invoice(self):
        partner = self.customer("Returning Customer")
        self.invoice(partner, self.days_before(900), 300)
        self.invoice(partner, self.days_before(800), 200)
        self.invoice(partner, self.days_before(750), 50, move_type="out_refund")
        self.assertEqual(self.facts(partner)["lifecycle_stage"], "churned")

        # a purchase after a gap longer than the churn period: a return
        back = self.invoice(partner, self.days_before(2), 400, post=False)
        self.assertTrue(self.post(back))
        facts = self.facts(partner)
        self.assertEqual(facts["lifecycle_stage"], "won_back")
        self.assertEqual(facts["last_return_date"], self.days_before(2))
        self.assertEqual(facts["purchase_count"], 3)
        self.assertEqual(facts["revenue_total"], 850)

        # a credit note, whatever its date, only moves revenue
        refund = self.invoice(
            partner, self.days_before(400), 100, move_type="out_refund", post=False
        )
        self.assertTrue(self.post(refund))
        facts = self.facts(partner)
        self.assertEqual(facts["revenue_total"], 750)
        self.assertEqual(facts["revenue_prev_12m"], -100)

        # an invoice dated before the last purchase changes the gaps: the
        # customer's documents are aggregated again
        early = self.invoice(partner, self.days_before(100), 100, post=False)
        self.assertFalse(self.post(early))
        facts = self.facts(partner)
        self.assertEqual(facts["purchase_count"], 4)
        self.assertEqual(facts["last_purchase_date"], self.days_before(2))

    def test_stale_facts_are_aggregated_again(self):
        partner = self.customer("Stale Customer")
        # in the 12-month window ten days ago, out of it today
        self.invoice(partner, self.days_before(370), 100)
        self.invoice(partner, self.days_before(100), 100)
        profile = self.profile_of(partner, self.days_before(10))
        self.assertEqual(profile.revenue_12m, 200)
        invoice = self.invoice(partner, self.days_before(1), 100, post=False)
        self.assertFalse(self.post(invoice))
        profile.invalidate_recordset()
        self.assertEqual(profile.revenue_12m, 200)
        self.assertEqual(profile.revenue_prev_12m, 100)
        self.assertEqual(profile.facts_date, self.REF)

    def test_evaluation_of_everyone_makes_stored_facts_hold(self):
        partner = self.customer("Evaluated Customer")
        self.invoice(partner, self.days_before(200), 100)
        self.set_facts_date(partner, self.days_before(30))
        self.Profile.recompute(self.REF)
        profile = self.Profile.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(profile.facts_date, self.REF)
        invoice = self.invoice(partner, self.days_before(1), 50, post=False)
        self.assertTrue(self.post(invoice))
        self.assertEqual(self.facts(partner)["revenue_12m"], 150)

        # facts that hold as of another date are aggregated again
        self.Profile.recompute(self.REF - timedelta(days=1))
        profile.invalidate_recordset()
        self.assertEqual(profile.facts_date, self.REF - timedelta(days=1))
        invoice = self.invoice(partner, self.days_before(0), 50, post=False)
        self.assertFalse(self.post(invoice))
        self.assertEqual(self.facts(partner)["revenue_12m"], 200)

    def test_documents_of_one_customer_in_two_companies(self):
        """One posting of a customer's invoices in two companies: where the
        stored facts hold, they take the invoice in; where they do not (here
        after a change of settings), the documents are aggregated again."""
        partner = self.customer("Two Companies", company_id=False)
        self.invoice(partner, self.days_before(60), 100)
        self.invoice(partner, self.days_before(60), 100, company=self.company_b)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE crm_customer_profile SET facts_date = NULL
                    WHERE partner_id = %s AND company_id = %s""",
                partner.id,
                self.company.id,
            )
        )
        self.env.invalidate_all()
        moves = self.invoice(partner, self.days_before(1), 10, post=False)
        moves |= self.invoice(
            partner, self.days_before(1), 20, company=self.company_b, post=False
        )
        both = (self.company | self.company_b).ids
        moves.with_context(allowed_company_ids=both).action_post()
        profiles = self.Profile.with_context(allowed_company_ids=both).search(
            [("partner_id", "=", partner.id)]
        )
        self.assertEqual(
            {
                (p.company_id, p.purchase_count, p.revenue_total, p.facts_date)
                for p in profiles
            },
            {
                (self.company, 2, 110, self.REF),
                (self.company_b, 2, 120, self.REF),
            },
        )

    def test_two_documents_of_one_customer_are_aggregated(self):
        partner = self.customer("Batch Customer")
        self.invoice(partner, self.days_before(60), 100)
        moves = self.invoice(partner, self.days_before(2), 10, post=False)
        moves |= self.invoice(partner, self.days_before(1), 20, post=False)
        self.assertFalse(self.post(moves))
        self.assertEqual(self.facts(partner)["purchase_count"], 3)
        self.assertEqual(self.facts(partner)["revenue_total"], 130)
