from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL

from .common import LifecycleCommon

STATE_QUERY = """
    SELECT pr.partner_id, pr.company_id, pr.first_purchase_date,
           pr.last_purchase_date, pr.purchase_count, pr.revenue_total,
           pr.revenue_12m, pr.revenue_prev_12m, pr.purchase_count_12m,
           pr.avg_purchase_interval,
           pr.last_return_date, pr.lifecycle_stage, pr.stage_date, pr.stage_rule,
           pr.stage_reason, pr.stage_locked_until,
           p.lifecycle_stage ->> pr.company_id::text,
           ARRAY(SELECT ROW(h.stage_from, h.stage_to, h.date, h.rule, h.reason)::text
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
class TestLifecycleSteady(LifecycleCommon):
    """A run over every customer, at most a month after the last one,
    evaluates only the customers whose facts or stage may have moved, and
    leaves every profile, history row and partner stage exactly as a run
    that aggregates everyone's documents again."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.companies = cls.company | cls.company_b
        cls.Everyone = cls.Profile.with_context(allowed_company_ids=cls.companies.ids)
        day = cls.days_before
        # every third day for two years: "declining" after seven quiet days
        cls.frequent = cls.customer("Frequent Buyer")
        for days in range(3, 730, 3):
            cls.invoice(cls.frequent, day(days), 10)
        # churned from day 6 after REF (365 days)
        cls.churning = cls.customer("Churning Customer")
        cls.invoice(cls.churning, day(400), 100)
        cls.invoice(cls.churning, day(360), 100)
        # no longer new from day 4 (90 days)
        cls.newcomer = cls.customer("Newcomer")
        cls.invoice(cls.newcomer, day(87), 100)
        # back after 523 days; no longer won back from day 4 (180 days)
        cls.returning = cls.customer("Returning Customer")
        cls.invoice(cls.returning, day(700), 100)
        cls.invoice(cls.returning, day(177), 100)
        # an invoice leaving the previous 12 months on day 2, another the
        # last 12 months on day 3: mature, growing, declining
        cls.shifting = cls.customer("Shifting Customer")
        for days in (728, 400, 362, 100):
            cls.invoice(cls.shifting, day(days), 100)
        # an invoice dated day 5, posted beforehand: declining, then growing
        cls.ahead = cls.customer("Customer Invoiced Ahead")
        cls.invoice(cls.ahead, day(600), 300)
        cls.invoice(cls.ahead, day(250), 100)
        cls.invoice(cls.ahead, cls.REF + timedelta(days=5), 300)
        # quiet and mature all along, in both companies
        cls.quiet = cls.customer("Quiet Customer")
        for days in (500, 380, 300, 120, 40):
            cls.invoice(cls.quiet, day(days), 100)
            cls.invoice(cls.quiet, day(days), 100, company=cls.company_b)
        # a prospect: flagged as a customer, no purchase
        cls.prospect = cls.customer("Prospect", customer_rank=1)
        # held as "growing" by hand until day 3
        cls.held = cls.customer("Held Customer")
        cls.invoice(cls.held, day(500), 100)
        cls.invoice(cls.held, day(200), 100)

    def state(self):
        self.env.flush_all()
        return self.env.execute_query(SQL(STATE_QUERY, self.companies.ids))

    def full_state(self, reference_date):
        """The state a run aggregating every customer's documents leaves
        (rolled back)."""
        self.env.flush_all()
        with self.env.cr.savepoint(flush=False) as savepoint:
            self.env.execute_query(
                SQL("UPDATE res_company SET crm_lifecycle_date = NULL")
            )
            self.env.invalidate_all()
            self.Everyone.recompute(reference_date)
            state = self.state()
            savepoint.rollback()
        self.env.invalidate_all()
        return state

    def due(self, reference_date, companies=None):
        companies = (companies or self.companies).sudo()
        return {
            partner_id
            for partner_id, _fresh in self.Profile._due_partner_ids(
                reference_date, companies
            )
        }

    def test_daily_runs_match_full_runs(self):
        self.Everyone.recompute(self.REF)
        self.assertEqual(self.companies.mapped("crm_lifecycle_date"), [self.REF] * 2)
        held = self.Profile.search(
            [("partner_id", "=", self.held.id), ("company_id", "=", self.company.id)]
        )
        held.with_user(self.sales_manager).set_stage(
            "growing", "Key account in negotiation", until=self.REF + timedelta(days=3)
        )
        stages = {}
        for offset in range(1, 13):
            reference_date = self.REF + timedelta(days=offset)
            expected = self.full_state(reference_date)
            self.assertNotIn(self.quiet.id, self.due(reference_date))
            self.Everyone.recompute(reference_date)
            self.assertEqual(self.state(), expected, f"day {offset}")
            self.assertEqual(
                self.companies.mapped("crm_lifecycle_date"), [reference_date] * 2
            )
            stages[offset] = {
                partner: partner.with_company(self.company).lifecycle_stage
                for partner in (
                    self.frequent,
                    self.churning,
                    self.newcomer,
                    self.returning,
                    self.shifting,
                    self.ahead,
                    self.held,
                )
            }
            # in company A (customers flagged as such are prospects in B)
            stages[offset]["due"] = self.due(reference_date, self.company)
        # the periods ran out on the days expected, and only then were those
        # customers due
        self.assertNotIn(self.churning.id, stages[4]["due"])
        self.assertIn(self.churning.id, stages[6]["due"])
        self.assertNotIn(self.churning.id, stages[9]["due"])
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

    def test_new_prospect_and_changed_settings(self):
        self.Everyone.recompute(self.REF)
        newcomer = self.customer("Flagged Later", customer_rank=1)
        reference_date = self.REF + timedelta(days=1)
        self.assertIn(newcomer.id, self.due(reference_date))
        self.Everyone.recompute(reference_date)
        self.assertEqual(
            newcomer.with_company(self.company).lifecycle_stage, "prospect"
        )
        # a change of settings: every customer of the company again
        self.company.crm_churn_days = 300
        self.assertFalse(self.company.crm_lifecycle_date)
        reference_date += timedelta(days=1)
        expected = self.full_state(reference_date)
        self.Everyone.recompute(reference_date)
        self.assertEqual(self.state(), expected)
        self.assertEqual(
            self.churning.with_company(self.company).lifecycle_stage, "churned"
        )

    def test_daily_run_starts_from_stored_facts(self):
        """Customers not due are left as they are; a customer due for an
        invoice leaving the 12-month window has its windows moved, the rest
        of its stored facts kept. A marker added to the stored total revenue
        tells (aggregating the documents would drop it)."""
        self.Everyone.recompute(self.REF)
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                """UPDATE crm_customer_profile SET revenue_total = revenue_total + 1000
                    WHERE partner_id = ANY(%s)""",
                [self.quiet.id, self.shifting.id],
            )
        )
        self.env.invalidate_all()
        reference_date = self.REF + timedelta(days=3)
        self.assertIn(self.shifting.id, self.due(reference_date, self.company))
        self.Everyone.recompute(reference_date)
        quiet, shifting = (
            self.Profile.search(
                [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
            )
            for partner in (self.quiet, self.shifting)
        )
        self.assertEqual(quiet.revenue_total, 1500)
        # the invoices of 728 and 362 days before REF left their windows
        self.assertEqual(shifting.revenue_total, 1400)
        self.assertEqual(shifting.revenue_12m, 100)
        self.assertEqual(shifting.revenue_prev_12m, 200)
        self.assertEqual(shifting.lifecycle_stage, "declining")
        self.assertEqual(shifting.facts_date, reference_date)

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
        for days in (400, 200, 10):
            self.invoice(partner, self.days_before(days), 100)
        self.invoice(partner, self.days_before(5), 30, move_type="out_refund")
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
        self.add_marker(partner, -1000)

        # daily runs at most a month apart, up to the day the invoice of 200
        # days before REF leaves the last 12 months (REF + 165)
        for offset in range(30, 165, 30):
            self.Everyone.recompute(self.REF + timedelta(days=offset))
            self.assertEqual(profile.purchase_count_12m, 3, f"day {offset}")
        self.assertEqual(self.company.crm_lifecycle_date, self.REF + timedelta(150))
        reference_date = self.REF + timedelta(days=165)
        expected = self.full_state(reference_date)
        self.assertIn(partner.id, self.due(reference_date, self.company))
        self.add_marker(partner, 1000)
        self.Everyone.recompute(reference_date)
        # moved from the stored facts, not aggregated
        self.assertEqual(profile.revenue_total, 1000 + 370)
        self.assertEqual(profile.purchase_count, 4)
        self.assertEqual(profile.purchase_count_12m, 2)
        self.assertEqual(profile.facts_date, reference_date)
        self.add_marker(partner, -1000)
        self.assertEqual(self.state(), expected)

    def test_profiles_written_since_the_evaluation(self):
        """A profile written after the evaluation began holds facts as of its
        own date: moved from there when it lies between the evaluation's date
        and the run's, aggregated again otherwise."""
        self.Everyone.recompute(self.REF)
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                """UPDATE crm_customer_profile pr
                      SET write_date = c.crm_lifecycle_evaluated_at
                                       + interval '1 hour',
                          facts_date = CASE WHEN pr.partner_id = %(later)s
                                            THEN %(later_date)s::date
                                            ELSE %(earlier_date)s::date END
                     FROM res_company c
                    WHERE c.id = pr.company_id
                      AND pr.partner_id = ANY(%(partners)s)""",
                later=self.shifting.id,
                later_date=self.REF + timedelta(days=1),
                earlier_date=self.REF - timedelta(days=1),
                partners=[self.shifting.id, self.quiet.id],
            )
        )
        self.env.invalidate_all()
        reference_date = self.REF + timedelta(days=3)
        self.assertIn(self.quiet.id, self.due(reference_date, self.company))
        expected = self.full_state(reference_date)
        self.Everyone.recompute(reference_date)
        self.assertEqual(self.state(), expected)

    def test_new_opportunity_makes_a_prospect(self):
        self.Everyone.recompute(self.REF)
        partner = self.env["res.partner"].create({"name": "Interested Company"})
        self.env["crm.lead"].create(
            {
                "name": "First deal",
                "type": "opportunity",
                "partner_id": partner.id,
                "company_id": self.company.id,
            }
        )
        reference_date = self.REF + timedelta(days=1)
        expected = self.full_state(reference_date)
        self.Everyone.recompute(reference_date)
        self.assertEqual(self.state(), expected)
        self.assertEqual(partner.with_company(self.company).lifecycle_stage, "prospect")
        self.assertFalse(partner.with_company(self.company_b).lifecycle_stage)

    def test_first_invoice_makes_a_prospect_elsewhere(self):
        partner = self.customer("First Timer")
        self.invoice(partner, self.days_before(1), 100)
        self.assertEqual(partner.with_company(self.company).lifecycle_stage, "new")
        # flagged as a customer (customer_rank > 0): a prospect in company B
        self.assertEqual(
            partner.with_company(self.company_b).lifecycle_stage, "prospect"
        )

    def test_cron_evaluates_due_customers_in_slices(self):
        self.Everyone.recompute(self.REF)
        later = self.REF + timedelta(days=6)
        expected = self.full_state(later)
        cron = self.env.ref("crm_lifecycle.ir_cron_crm_lifecycle_recompute")
        with freeze_time(later):
            progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
            Profile = self.Profile.with_context(ir_cron_progress_id=progress.id)
            slices = 0
            while Profile._cron_recompute(batch_size=4):
                slices += 1
                # not evaluated as of that day before the last slice
                self.assertEqual(self.company.crm_lifecycle_date, self.REF)
        self.assertGreater(slices, 2)
        self.assertEqual(self.state(), expected)
        self.assertEqual(self.companies.mapped("crm_lifecycle_date"), [later] * 2)
        self.assertEqual(
            self.churning.with_company(self.company).lifecycle_stage, "churned"
        )

    def test_cron_does_not_vouch_for_a_company_changed_meanwhile(self):
        self.Everyone.recompute(self.REF)
        later = self.REF + timedelta(days=1)
        cron = self.env.ref("crm_lifecycle.ir_cron_crm_lifecycle_recompute")
        with freeze_time(later):
            progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
            Profile = self.Profile.with_context(ir_cron_progress_id=progress.id)
            self.assertTrue(Profile._cron_recompute(batch_size=4))
            # settings changed after the first slice: the run that began
            # before cannot vouch for that company
            self.company_b.crm_churn_days = 300
            while Profile._cron_recompute(batch_size=4):
                pass
        self.assertEqual(self.company.crm_lifecycle_date, later)
        self.assertFalse(self.company_b.crm_lifecycle_date)

    def test_invoice_in_a_company_without_profile(self):
        """A customer due for a document in a company where it has no
        profile is aggregated there, not moved from its other profiles."""
        self.Everyone.recompute(self.REF)
        self.invoice(
            self.quiet, self.REF + timedelta(days=2), 500, company=self.company_b
        )
        self.env.flush_all()
        # no profile in company B, and not written for long (not looked at
        # as a new prospect)
        self.env.execute_query(
            SQL(
                """DELETE FROM crm_customer_profile
                    WHERE partner_id = %(partner)s AND company_id = %(company)s;
                   UPDATE res_partner SET write_date = '2020-01-01'
                    WHERE id = %(partner)s""",
                partner=self.quiet.id,
                company=self.company_b.id,
            )
        )
        self.env.invalidate_all()
        reference_date = self.REF + timedelta(days=3)
        expected = self.full_state(reference_date)
        self.Everyone.recompute(reference_date)
        self.assertEqual(self.state(), expected)
        profile = self.Profile.search(
            [("partner_id", "=", self.quiet.id), ("company_id", "=", self.company_b.id)]
        )
        self.assertEqual(profile.purchase_count, 6)

    def test_merged_customer_is_refreshed(self):
        self.Everyone.recompute(self.REF)
        duplicate = self.customer("Quiet Customer (duplicate)")
        self.invoice(duplicate, self.days_before(10), 1000)
        wizard = self.env["base.partner.merge.automatic.wizard"].create({})
        wizard._merge((self.quiet | duplicate).ids, dst_partner=self.quiet)
        self.assertFalse(duplicate.exists())
        profile = self.Profile.search(
            [("partner_id", "=", self.quiet.id), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(profile.purchase_count, 6)
        self.assertEqual(profile.revenue_total, 1500)
        self.assertEqual(profile.last_purchase_date, self.days_before(10))
        # the next daily run agrees with aggregating everything
        reference_date = self.REF + timedelta(days=1)
        expected = self.full_state(reference_date)
        self.Everyone.recompute(reference_date)
        self.assertEqual(self.state(), expected)
