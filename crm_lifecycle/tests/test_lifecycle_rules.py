from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import tagged

from .common import LifecycleCommon


@tagged("post_install", "-at_install")
class TestLifecycleRules(LifecycleCommon):
    """Every rule of DOMAIN §1, at its boundaries, as of the reference date."""

    def assertStage(self, partner, stage, rule=None, **facts):
        profile = self.profile_of(partner)
        self.assertEqual(len(profile), 1, "one profile per customer and company")
        self.assertEqual(profile.lifecycle_stage, stage, profile.stage_reason)
        if rule:
            self.assertEqual(profile.stage_rule, rule)
        for name, value in facts.items():
            self.assertEqual(profile[name], value, name)
        return profile

    # -- rule 1 -------------------------------------------------------------

    def test_prospect_with_open_opportunity(self):
        partner = self.customer("Lead Only Ltd")
        self.env["crm.lead"].create(
            {"name": "Big deal", "type": "opportunity", "partner_id": partner.id}
        )
        profile = self.assertStage(partner, "prospect", "no_purchase")
        self.assertEqual(profile.purchase_count, 0)
        self.assertFalse(profile.first_purchase_date)

    def test_prospect_flagged_customer(self):
        partner = self.customer("Flagged Ltd", customer_rank=1)
        self.assertStage(partner, "prospect", "no_purchase")

    def test_won_or_lost_opportunity_is_not_a_prospect(self):
        partner = self.customer("Nobody Ltd")
        won_stage = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        self.env["crm.lead"].create(
            [
                {
                    "name": "Won",
                    "type": "opportunity",
                    "partner_id": partner.id,
                    "stage_id": won_stage.id,
                },
                {
                    "name": "Lost",
                    "type": "opportunity",
                    "partner_id": partner.id,
                    "active": False,
                },
                {"name": "Just a lead", "type": "lead", "partner_id": partner.id},
            ]
        )
        self.assertFalse(self.profile_of(partner), "not a customer: no profile")
        self.assertFalse(partner.with_company(self.company).lifecycle_stage)

    # -- rule 2 -------------------------------------------------------------

    def test_churn_boundary(self):
        exactly = self.customer("Exactly 365")
        self.invoice(exactly, self.days_before(800), 100)
        self.invoice(exactly, self.days_before(365), 100)
        self.assertNotEqual(self.profile_of(exactly).lifecycle_stage, "churned")

        over = self.customer("366 days")
        self.invoice(over, self.days_before(800), 100)
        self.invoice(over, self.days_before(366), 100)
        profile = self.assertStage(over, "churned", "churned")
        self.assertEqual(
            profile.stage_reason,
            "Rule 2: no purchase since 06/29/2024, more than the churn period "
            "of 365 days.",
        )

    # -- rule 3 -------------------------------------------------------------

    def test_won_back_boundaries(self):
        back = self.customer("Back After 180")
        self.invoice(back, self.days_before(700), 100)
        self.invoice(back, self.days_before(180), 100)
        self.assertStage(
            back, "won_back", "won_back", last_return_date=self.days_before(180)
        )

        late = self.customer("Back After 181")
        self.invoice(late, self.days_before(700), 100)
        self.invoice(late, self.days_before(181), 100)
        profile = self.profile_of(late)
        self.assertEqual(profile.last_return_date, self.days_before(181))
        self.assertNotEqual(profile.lifecycle_stage, "won_back")

    def test_gap_of_exactly_churn_days_is_no_return(self):
        partner = self.customer("Gap 365")
        self.invoice(partner, self.days_before(465), 100)
        self.invoice(partner, self.days_before(100), 100)
        profile = self.profile_of(partner)
        self.assertFalse(profile.last_return_date)
        self.assertNotEqual(profile.lifecycle_stage, "won_back")

        partner2 = self.customer("Gap 366")
        self.invoice(partner2, self.days_before(466), 100)
        self.invoice(partner2, self.days_before(100), 100)
        self.assertStage(partner2, "won_back", last_return_date=self.days_before(100))

    def test_last_return_is_the_latest_gap(self):
        partner = self.customer("Twice Back")
        for days in (1500, 1000, 600, 20):
            self.invoice(partner, self.days_before(days), 100)
        self.assertStage(partner, "won_back", last_return_date=self.days_before(20))

    # -- rule 4 -------------------------------------------------------------

    def test_new_boundary(self):
        new = self.customer("New 90")
        self.invoice(new, self.days_before(90), 100)
        self.assertStage(new, "new", "new", first_purchase_date=self.days_before(90))

        older = self.customer("New 91")
        self.invoice(older, self.days_before(91), 100)
        # Revenue of the last 12 months (100) > previous 12 months (0) × 1.1.
        self.assertStage(older, "growing", "growing")

    # -- rules 5 to 7 -------------------------------------------------------

    def _two_years(self, name, prev, last):
        partner = self.customer(name)
        self.invoice(partner, self.days_before(400), prev)
        self.invoice(partner, self.days_before(50), last)
        return partner

    def test_growth_boundary(self):
        self.assertStage(
            self._two_years("Plus 10%", 1000, 1100),
            "mature",
            "mature",
            revenue_12m=1100,
            revenue_prev_12m=1000,
        )
        self.assertStage(self._two_years("Plus 10.01%", 1000, 1100.01), "growing")

    def test_decline_boundary(self):
        self.assertStage(self._two_years("Minus 10%", 1000, 900), "mature")
        self.assertStage(
            self._two_years("Minus 10.01%", 1000, 899.99),
            "declining",
            "declining_revenue",
        )

    def test_window_boundaries(self):
        partner = self.customer("Windows")
        # D - 365 < date <= D is the last 12 months, D - 730 < date <= D - 365
        # the previous 12 months.
        self.invoice(partner, self.days_before(364), 10)  # last 12 months
        self.invoice(partner, self.days_before(365), 20)  # previous 12 months
        self.invoice(partner, self.days_before(729), 40)  # previous 12 months
        self.invoice(partner, self.days_before(730), 80)  # older
        self.assertStage(
            partner,
            "declining",
            revenue_12m=10,
            revenue_prev_12m=60,
            revenue_total=150,
            purchase_count=4,
        )

    def test_declining_by_purchase_interval(self):
        overdue = self.customer("Every 30 Days, Then Silence")
        for days in range(720, 89, -30):  # 720, 690, ..., 90
            # Same yearly revenue (1200) in both windows: no revenue trend.
            self.invoice(overdue, self.days_before(days), 120 if days <= 365 else 100)
        # Mean interval (720 - 90) / 21 = 30 days; 90 > 2 × 30: overdue.
        profile = self.assertStage(
            overdue,
            "declining",
            "declining_interval",
            avg_purchase_interval=30.0,
            revenue_12m=1200,
            revenue_prev_12m=1200,
        )
        self.assertEqual(
            profile.stage_reason,
            "Rule 6: no purchase since 04/01/2025, more than twice the mean "
            "interval of 30.0 days.",
        )

        on_time = self.customer("Exactly Twice The Interval")
        for days in range(690, 59, -30):  # 690, ..., 60
            self.invoice(on_time, self.days_before(days), 100)
        # Mean interval 30 days, last purchase 60 days ago: not over twice.
        self.assertStage(on_time, "mature", "mature", avg_purchase_interval=30.0)

    def test_single_invoice_has_no_interval(self):
        partner = self.customer("Once")
        self.invoice(partner, self.days_before(200), 100)
        self.assertStage(partner, "growing", avg_purchase_interval=0.0)

    # -- documents --------------------------------------------------------

    def test_refunds_count_negative_and_are_no_purchase(self):
        partner = self.customer("Refunded")
        self.invoice(partner, self.days_before(400), 1000)
        self.invoice(partner, self.days_before(50), 1000)
        self.invoice(partner, self.days_before(40), 400, move_type="out_refund")
        profile = self.assertStage(
            partner,
            "declining",
            "declining_revenue",
            purchase_count=2,
            revenue_12m=600,
            revenue_prev_12m=1000,
            revenue_total=1600,
            last_purchase_date=self.days_before(50),
        )
        self.assertEqual(profile.avg_purchase_interval, 350.0)

    def test_foreign_currency_counts_in_company_currency(self):
        partner = self.customer("Euro Buyer")
        # 1 USD = 2 EUR: 500 EUR are 250 in company currency.
        self.invoice(partner, self.days_before(30), 500, currency=self.eur)
        self.assertStage(partner, "new", revenue_12m=250, revenue_total=250)

    def test_draft_cancelled_and_later_documents_are_ignored(self):
        partner = self.customer("Mostly Ignored")
        self.invoice(partner, self.days_before(30), 1000, post=False)
        self.invoice(partner, self.days_before(20), 1000).button_cancel()
        self.invoice(partner, self.days_before(-5), 1000)  # after REF
        self.invoice(partner, self.days_before(200), 100)
        self.assertStage(
            partner,
            "growing",
            purchase_count=1,
            revenue_total=100,
            last_purchase_date=self.days_before(200),
        )

    def test_contacts_roll_up_to_commercial_partner(self):
        company = self.customer("Parent Co")
        contact = self.env["res.partner"].create(
            {"name": "Jane at Parent", "parent_id": company.id}
        )
        self.invoice(contact, self.days_before(300), 100)
        self.invoice(company, self.days_before(10), 50)
        profile = self.profile_of(contact)
        self.assertEqual(profile.partner_id, company)
        self.assertEqual(profile.purchase_count, 2)
        self.assertEqual(profile.revenue_total, 150)
        self.assertFalse(
            self.Profile.search([("partner_id", "=", contact.id)]),
            "no profile on the contact person",
        )

    def test_two_companies_have_separate_facts(self):
        partner = self.customer("Buys Twice", company_id=False)
        self.invoice(partner, self.days_before(30), 100, company=self.company)
        self.invoice(partner, self.days_before(500), 700, company=self.company_b)
        profile_a = self.profile_of(partner, company=self.company)
        profile_b = self.profile_of(partner, company=self.company_b)
        self.assertEqual(
            (profile_a.lifecycle_stage, profile_a.revenue_total), ("new", 100)
        )
        self.assertEqual(
            (profile_b.lifecycle_stage, profile_b.revenue_total), ("churned", 700)
        )
        self.assertEqual(partner.with_company(self.company).lifecycle_stage, "new")
        self.assertEqual(
            partner.with_company(self.company_b).lifecycle_stage, "churned"
        )
        stages = (
            self.env["res.partner"]
            .with_company(self.company_b)
            ._read_group([("id", "=", partner.id)], ["lifecycle_stage"], ["__count"])
        )
        self.assertEqual(stages, [("churned", 1)])
        panel = (
            self.env["res.partner"]
            .with_company(self.company_b)
            .search_panel_select_range(
                "lifecycle_stage",
                enable_counters=True,
                search_domain=[("id", "=", partner.id)],
            )
        )
        counts = {value["id"]: value["__count"] for value in panel["values"]}
        self.assertEqual(counts["churned"], 1)
        self.assertFalse(counts.get("new"))
        self.assertEqual(
            self.env["res.partner"]
            .with_company(self.company)
            .search([("lifecycle_stage", "=", "new"), ("id", "=", partner.id)]),
            partner,
        )

    def test_sale_order_revenue_source(self):
        self.company.crm_revenue_source = "sale_order"
        partner = self.customer("Orders Only")
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "date_order": fields.Datetime.to_datetime(self.days_before(20)),
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product_a.id,
                            "product_uom_qty": 2,
                            "price_unit": 150,
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        order.date_order = fields.Datetime.to_datetime(self.days_before(20))
        self.invoice(partner, self.days_before(10), 5000)  # ignored: source is SO
        self.assertStage(partner, "new", purchase_count=1, revenue_total=300)

    # -- recompute ----------------------------------------------------------

    def test_recompute_is_idempotent_and_full(self):
        partner = self.customer("Steady")
        self.invoice(partner, self.days_before(30), 100)
        other = self.customer("Other")
        self.invoice(other, self.days_before(400), 100)
        profiles = self.Profile.recompute(self.REF)
        self.assertIn(partner, profiles.partner_id)
        self.assertIn(other, profiles.partner_id)
        history_count = len(self.history_of(partner))
        write_date = self.profile_of(partner).write_date
        self.Profile.recompute(self.REF)
        self.assertEqual(len(self.history_of(partner)), history_count)
        self.assertEqual(self.profile_of(partner).write_date, write_date)
        last = self.history_of(partner)[-1]
        self.assertEqual(
            (last.stage_to, last.date, last.is_manual), ("new", self.REF, False)
        )
        self.assertEqual(last.rule, "new")

    def test_passage_of_time(self):
        partner = self.customer("Ages")
        self.invoice(partner, self.days_before(10), 100)
        self.assertEqual(self.profile_of(partner).lifecycle_stage, "new")
        later = self.days_before(-400)
        profile = self.profile_of(partner, reference_date=later)
        self.assertEqual(profile.lifecycle_stage, "churned")
        self.assertEqual(profile.stage_date, later)
        self.assertEqual(
            self.history_of(partner).mapped("stage_to")[-2:], ["new", "churned"]
        )

    def test_failed_recompute_keeps_previous_figures(self):
        partner = self.customer("Fragile")
        self.invoice(partner, self.days_before(30), 100)
        self.invoice(partner, self.days_before(20), 900)
        profile = self.profile_of(partner)
        self.assertEqual(profile.revenue_total, 1000)
        history_count = len(self.history_of(partner))

        def boom(self, events):
            raise ValueError("playbook failure")

        with (
            patch.object(
                type(self.env["crm.lifecycle.playbook"]), "_run_for_events", boom
            ),
            self.assertRaises(ValueError),
        ):
            self.Profile.recompute(self.days_before(-400), partners=partner)
        profile.invalidate_recordset()
        self.assertEqual(profile.revenue_total, 1000)
        self.assertEqual(profile.lifecycle_stage, "new")
        self.assertEqual(len(self.history_of(partner)), history_count)
