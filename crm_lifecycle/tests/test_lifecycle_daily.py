from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL

from .common import LifecycleCommon

STATE_QUERY = """
    SELECT pr.partner_id, pr.company_id, pr.first_purchase_date,
           pr.last_purchase_date, pr.purchase_count, pr.revenue_total,
           pr.revenue_12m, pr.revenue_prev_12m, pr.purchase_count_12m,
           pr.avg_purchase_interval, pr.last_return_date, pr.facts_date,
           pr.lifecycle_stage, pr.stage_date, pr.stage_rule,
           pr.stage_reason_figures, pr.stage_locked_until,
           p.lifecycle_stage ->> pr.company_id::text,
           ARRAY(SELECT ROW(h.stage_from, h.stage_to, h.date, h.rule,
                      h.reason_figures, h.note)::text
                   FROM crm_lifecycle_history h
                  WHERE h.profile_id = pr.id
               ORDER BY h.id)
      FROM crm_customer_profile pr
      JOIN res_partner p ON p.id = pr.partner_id
     WHERE pr.company_id = ANY(%s)
  ORDER BY pr.partner_id, pr.company_id
"""


@tagged("post_install", "-at_install")
@freeze_time(LifecycleCommon.REF)
class TestLifecycleDaily(LifecycleCommon):
    """Day after day, customers move through the stages as the periods of
    DOMAIN §1 run out; the daily cron, batch by batch, leaves every profile,
    history row and partner stage exactly as one evaluation of everyone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.companies = cls.company | cls.company_b
        cls.Everyone = cls.Profile.with_context(allowed_company_ids=cls.companies.ids)
        day = cls.days_before
        # every third day for two years: "declining" after seven quiet days
        cls.frequent = cls.customer("Frequent Buyer")
        # churned from day 6 after REF (365 days)
        cls.churning = cls.customer("Churning Customer")
        # no longer new from day 4 (90 days)
        cls.newcomer = cls.customer("Newcomer")
        # back after 523 days; no longer won back from day 4 (180 days)
        cls.returning = cls.customer("Returning Customer")
        # an invoice leaving the previous 12 months on day 2, another the
        # last 12 months on day 3: mature, growing, declining
        cls.shifting = cls.customer("Shifting Customer")
        # an invoice dated day 5, posted beforehand: declining, then growing
        cls.ahead = cls.customer("Customer Invoiced Ahead")
        # quiet and growing all along, in both companies
        cls.quiet = cls.customer("Quiet Customer")
        # a prospect: flagged as a customer, no purchase
        cls.prospect = cls.customer("Prospect", customer_rank=1)
        # held as "growing" by hand until day 3
        cls.held = cls.customer("Held Customer")
        cls.post_invoices(
            [(cls.frequent, day(days), 10) for days in range(3, 730, 3)]
            + [(cls.churning, day(400), 100), (cls.churning, day(360), 100)]
            + [(cls.newcomer, day(87), 100)]
            + [(cls.returning, day(700), 100), (cls.returning, day(177), 100)]
            + [(cls.shifting, day(days), 100) for days in (728, 400, 362, 100)]
            + [
                (cls.ahead, day(600), 300),
                (cls.ahead, day(250), 100),
                (cls.ahead, cls.REF + timedelta(days=5), 300),
            ]
            + [(cls.quiet, day(days), 100) for days in (500, 380, 300, 120, 40)]
            + [(cls.held, day(500), 100), (cls.held, day(200), 100)]
        )
        cls.post_invoices(
            [(cls.quiet, day(days), 100) for days in (500, 380, 300, 120, 40)],
            company=cls.company_b,
        )

    def state(self):
        self.env.flush_all()
        return self.env.execute_query(SQL(STATE_QUERY, self.companies.ids))

    def full_state(self, reference_date):
        """The state one evaluation of everyone leaves (rolled back)."""
        self.env.flush_all()
        with self.env.cr.savepoint(flush=False) as savepoint:
            self.Everyone.recompute(reference_date)
            state = self.state()
            savepoint.rollback()
        self.env.invalidate_all()
        return state

    def run_cron(self, reference_date, batch_size=4, between_batches=None):
        """Run the daily cron as of ``reference_date`` batch by batch, as
        Odoo's cron runner does; return the number of batches."""
        cron = self.env.ref("crm_lifecycle.ir_cron_crm_lifecycle_recompute")
        batches = 0
        with freeze_time(reference_date):
            progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
            Profile = self.Profile.with_context(ir_cron_progress_id=progress.id)
            while True:
                remaining = Profile._cron_recompute(batch_size=batch_size)
                batches += 1
                self.assertEqual(progress.remaining, remaining)
                self.assertLessEqual(progress.done, batch_size)
                if not remaining:
                    break
                if between_batches:
                    between_batches()
        return batches

    def pending(self, reference_date):
        return set(
            self.Profile._pending_partner_ids(reference_date, self.companies.ids)
        )

    def test_stages_day_by_day(self):
        self.Everyone.recompute(self.REF)
        held = self.Profile.search(
            [("partner_id", "=", self.held.id), ("company_id", "=", self.company.id)]
        )
        held.with_user(self.sales_manager).set_stage(
            "growing", "Key account in negotiation", until=self.REF + timedelta(days=3)
        )
        watched = (
            self.frequent,
            self.churning,
            self.newcomer,
            self.returning,
            self.shifting,
            self.ahead,
            self.held,
        )
        stages = {}
        for offset in range(1, 8):
            reference_date = self.REF + timedelta(days=offset)
            self.Everyone.recompute(reference_date)
            stages[offset] = {
                partner: partner.with_company(self.company).lifecycle_stage
                for partner in watched
            }
            # every customer's facts hold as of that day
            self.assertFalse(self.pending(reference_date), f"day {offset}")
        expected_stages = [
            (5, self.churning, "declining"),
            (6, self.churning, "churned"),
            (3, self.newcomer, "new"),
            # no revenue the 12 months before: "growing" (DOMAIN rule 5)
            (4, self.newcomer, "growing"),
            (3, self.returning, "won_back"),
            (4, self.returning, "mature"),
            (1, self.shifting, "mature"),
            (2, self.shifting, "growing"),
            (3, self.shifting, "declining"),
            (4, self.ahead, "declining"),
            (5, self.ahead, "growing"),
            (3, self.held, "growing"),
            (4, self.held, "mature"),
            (1, self.frequent, "mature"),
            (7, self.frequent, "declining"),
        ]
        for offset, partner, stage in expected_stages:
            with self.subTest(day=offset, customer=partner.name):
                self.assertEqual(stages[offset][partner], stage)
        # one history row per change of stage, dated the day of the change
        churning = self.history_of(self.churning)
        self.assertEqual(
            [(h.stage_from, h.stage_to, h.date) for h in churning[-1:]],
            [("declining", "churned", self.REF + timedelta(days=6))],
        )

    def test_cron_batches_equal_one_evaluation(self):
        self.Everyone.recompute(self.REF)
        later = self.REF + timedelta(days=6)
        expected = self.full_state(later)
        self.assertIn(self.quiet.id, self.pending(later))
        self.assertGreater(self.run_cron(later), 2)
        self.assertEqual(self.state(), expected)
        self.assertFalse(self.pending(later))
        self.assertEqual(
            self.churning.with_company(self.company).lifecycle_stage, "churned"
        )
        # Running again the same day finds nothing left to do.
        self.assertEqual(self.run_cron(later), 1)

    def test_settings_changed_during_the_cron(self):
        self.Everyone.recompute(self.REF)
        later = self.REF + timedelta(days=1)
        changed = []

        def change_settings():
            # after the first batch: company B's customers are to do again
            if not changed:
                self.company_b.write({"crm_churn_days": 100, "crm_winback_days": 50})
                changed.append(True)
                self.assertIn(self.quiet.id, self.pending(later))

        self.run_cron(later, between_batches=change_settings)
        self.assertTrue(changed)
        self.assertFalse(self.pending(later))
        self.assertEqual(self.state(), self.full_state(later))
        # 180 days without purchase are now a churn, and the purchase after
        # them a return
        quiet_b = self.Profile.search(
            [("partner_id", "=", self.quiet.id), ("company_id", "=", self.company_b.id)]
        )
        self.assertEqual(quiet_b.last_return_date, self.days_before(120))

    def test_new_prospect(self):
        self.Everyone.recompute(self.REF)
        flagged = self.customer("Flagged Later", customer_rank=1)
        interested = self.env["res.partner"].create({"name": "Interested Company"})
        self.env["crm.lead"].create(
            {
                "name": "First deal",
                "type": "opportunity",
                "partner_id": interested.id,
                "company_id": self.company.id,
            }
        )
        reference_date = self.REF + timedelta(days=1)
        self.assertLessEqual({flagged.id, interested.id}, self.pending(reference_date))
        self.run_cron(reference_date)
        self.assertEqual(flagged.with_company(self.company).lifecycle_stage, "prospect")
        self.assertEqual(
            interested.with_company(self.company).lifecycle_stage, "prospect"
        )
        self.assertFalse(interested.with_company(self.company_b).lifecycle_stage)

    def add_marker(self, partner, amount):
        """Add ``amount`` to the stored total revenue of ``partner``: it
        survives only where the stored facts are built upon (aggregating the
        documents drops it)."""
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                """UPDATE crm_customer_profile SET revenue_total = revenue_total + %s
                    WHERE partner_id = %s""",
                amount,
                partner.id,
            )
        )
        self.env.invalidate_all()

    def test_purchase_count_12m(self):
        """Purchases of the last 12 months (D - 365, D]: aggregated, taken in
        from a new invoice, and moved when an invoice leaves the window."""
        partner = self.customer("Counted Customer")
        self.post_invoices(
            [(partner, self.days_before(days), 100) for days in (400, 200, 10)]
            + [(partner, self.days_before(5), 30, "out_refund")]
        )
        self.Everyone.recompute(self.REF)
        profile = self.Profile.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(profile.purchase_count, 3)
        self.assertEqual(profile.purchase_count_12m, 2)

        # an invoice of today, taken into the stored facts
        self.add_marker(partner, 1000)
        self.invoice(partner, self.REF, 100)
        self.assertEqual(profile.revenue_total, 1000 + 370)
        self.assertEqual(profile.purchase_count, 4)
        self.assertEqual(profile.purchase_count_12m, 3)

        # the day the invoice of 200 days before REF leaves the last 12
        # months, the evaluation aggregates the documents again
        reference_date = self.REF + timedelta(days=165)
        self.Everyone.recompute(reference_date)
        self.assertEqual(profile.revenue_total, 370)
        self.assertEqual(profile.purchase_count, 4)
        self.assertEqual(profile.purchase_count_12m, 2)
        self.assertEqual(profile.facts_date, reference_date)

    def test_first_invoice_makes_a_prospect_elsewhere(self):
        partner = self.customer("First Timer")
        self.invoice(partner, self.days_before(1), 100)
        self.assertEqual(partner.with_company(self.company).lifecycle_stage, "new")
        # flagged as a customer (customer_rank > 0): a prospect in company B
        self.assertEqual(
            partner.with_company(self.company_b).lifecycle_stage, "prospect"
        )

    def test_customer_without_profile_is_pending(self):
        """Documents of a customer without a profile in their company make
        the customer pending for the cron, which creates the profile."""
        self.Everyone.recompute(self.REF)
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                """DELETE FROM crm_customer_profile
                    WHERE partner_id = %s AND company_id = %s""",
                self.quiet.id,
                self.company_b.id,
            )
        )
        self.env.invalidate_all()
        self.assertIn(self.quiet.id, self.pending(self.REF))
        self.run_cron(self.REF)
        profile = self.Profile.search(
            [("partner_id", "=", self.quiet.id), ("company_id", "=", self.company_b.id)]
        )
        self.assertEqual(profile.purchase_count, 5)
        # 300 in the last 12 months against 200 the 12 months before
        self.assertEqual(profile.lifecycle_stage, "growing")

    def test_merged_customer_is_refreshed(self):
        self.Everyone.recompute(self.REF)
        duplicate = self.customer("Quiet Customer (duplicate)")
        self.invoice(duplicate, self.days_before(10), 1000)
        kept_history = self.history_of(self.quiet)
        merged_history = self.history_of(duplicate)
        self.assertEqual(merged_history.mapped("stage_to"), ["new"])
        wizard = self.env["base.partner.merge.automatic.wizard"].create({})
        wizard._merge((self.quiet | duplicate).ids, dst_partner=self.quiet)
        self.assertFalse(duplicate.exists())
        # the merged partner's stage history is kept, on the kept customer
        self.assertTrue(merged_history.exists())
        self.assertEqual(self.history_of(self.quiet), kept_history | merged_history)
        profile = self.Profile.search(
            [("partner_id", "=", self.quiet.id), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(profile.purchase_count, 6)
        self.assertEqual(profile.revenue_total, 1500)
        self.assertEqual(profile.last_purchase_date, self.days_before(10))
        self.assertEqual(profile.facts_date, self.REF)

    def test_merge_keeps_history_in_every_company(self):
        """Where the kept partner has no profile, the merged partner's
        profile becomes its own; where both have one, the merged one's
        history moves to the kept one: no stage history is lost."""
        kept = self.customer("Kept, Company A", company_id=self.company.id)
        self.invoice(kept, self.days_before(30), 100)
        merged = self.customer("Merged, Both Companies", company_id=False)
        self.invoice(merged, self.days_before(20), 100)
        self.invoice(merged, self.days_before(20), 300, company=self.company_b)
        merged_history = self.History.with_context(
            allowed_company_ids=self.companies.ids
        ).search([("partner_id", "=", merged.id)])
        self.assertEqual(merged_history.company_id, self.company | self.company_b)
        wizard = self.env["base.partner.merge.automatic.wizard"].create({})
        wizard._merge((kept | merged).ids, dst_partner=kept, extra_checks=False)
        self.assertTrue(merged_history.exists())
        self.assertEqual(merged_history.partner_id, kept)
        profile_b = self.Everyone.search(
            [("partner_id", "=", kept.id), ("company_id", "=", self.company_b.id)]
        )
        self.assertEqual(profile_b.revenue_total, 300)
        self.assertLessEqual(
            merged_history.filtered(lambda h: h.company_id == self.company_b),
            profile_b.history_ids,
        )
        self.assertEqual(profile_b.user_id, kept.user_id)
        profile_a = self.Everyone.search(
            [("partner_id", "=", kept.id), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(profile_a.purchase_count, 2)
