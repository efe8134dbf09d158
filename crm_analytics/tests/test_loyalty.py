from datetime import date, timedelta

from odoo import fields
from odoo.tests import tagged

from .common import AnalyticsCommon


@tagged("post_install", "-at_install")
class TestLoyalty(AnalyticsCommon):
    def report(self, model, **domain):
        return self.env[model].search(
            [("company_id", "=", self.company.id)]
            + [(key, "=", value) for key, value in domain.items()]
        )

    def test_churn_risk_and_share_of_wallet(self):
        today = fields.Date.context_today(self.Profile)
        regular, once, fresh = self.customers(3)
        prospect = self.customer("Never Bought", customer_rank=1)
        self.post_invoices(
            [
                # mean interval 30 days, last purchase 45 days ago: 50 x 45/30
                (regular, today - timedelta(days=75), 200),
                (regular, today - timedelta(days=45), 300),
                # one purchase 73 days ago: 100 x 73 / 365 = 20
                (once, today - timedelta(days=73), 100),
                (fresh, today, 100),
            ]
        )
        profiles = {p.partner_id: p for p in self.rank(today)}
        self.assertEqual(
            (profiles[regular].churn_risk, profiles[regular].churn_risk_band),
            (75, "high"),
        )
        self.assertEqual(
            (profiles[once].churn_risk, profiles[once].churn_risk_band), (20, "low")
        )
        self.assertEqual(profiles[fresh].churn_risk, 0)
        # a customer that never bought has no risk and no band, shown or
        # searched
        self.assertEqual(
            (profiles[prospect].churn_risk, profiles[prospect].churn_risk_band),
            (0, False),
        )
        everyone = regular | once | fresh | prospect
        for band, expected in (
            ("high", profiles[regular]),
            ("low", profiles[once] | profiles[fresh]),
        ):
            self.assertEqual(
                self.Profile.search(
                    [("churn_risk_band", "=", band), ("partner_id", "in", everyone.ids)]
                ),
                expected,
            )
        self.assertEqual(
            self.Profile.search(
                [
                    ("churn_risk", ">=", 20),
                    ("partner_id", "in", (regular | once | fresh).ids),
                ]
            ),
            profiles[regular] | profiles[once],
        )
        regular.with_company(self.company).crm_potential_spend = 2000
        self.assertAlmostEqual(profiles[regular].share_of_wallet, 25.0)
        self.assertTrue(profiles[regular].has_share_of_wallet)
        # without a potential (none, or 0) the share is empty, not 0 %
        fresh.with_company(self.company).crm_potential_spend = 0
        for partner in (once, fresh):
            self.assertFalse(profiles[partner].has_share_of_wallet)
            # Odoo reads an empty float as 0.0: the flag hides it on screen
            self.assertEqual(profiles[partner].share_of_wallet, 0.0)
        arch = self.Profile.get_views([(False, "list")])["views"]["list"]["arch"]
        self.assertIn('invisible="not has_share_of_wallet"', arch)
        tier_row = self.report("crm.value.tier.report", partner_id=regular.id)
        self.assertAlmostEqual(tier_row.share_of_wallet, 25.0)

    def _respond(self, partner, csi_pair=None, overall=None):
        """A completed response of ``partner`` in the test company with an
        expectation/perception pair and/or an overall answer."""
        survey = self.env["survey.survey"].create({"title": "Trap survey"})
        dimension = self.env["crm.satisfaction.dimension"].search(
            [("code", "=", "quality")]
        )
        lines = []
        if csi_pair:
            for measure, value in zip(
                ("expectation", "perception"), csi_pair, strict=True
            ):
                question = self.env["survey.question"].create(
                    {
                        "survey_id": survey.id, "title": measure,
                        "question_type": "scale", "scale_min": 1, "scale_max": 5,
                        "crm_measure": measure, "crm_dimension_id": dimension.id,
                    }
                )  # fmt: skip
                lines.append((question, value))
        if overall:
            question = self.env["survey.question"].create(
                {
                    "survey_id": survey.id, "title": "overall",
                    "question_type": "scale", "scale_min": 1, "scale_max": 5,
                    "crm_measure": "overall",
                }
            )  # fmt: skip
            lines.append((question, overall))
        return self.complete_response(partner, lines)

    def test_satisfaction_trap(self):
        today = fields.Date.context_today(self.Profile)
        churned_happy, declining_top2, churned_unhappy, growing_happy = self.customers(
            4
        )
        self.post_invoices(
            [
                (churned_happy, today - timedelta(days=400), 100),
                # declining: 400 in the last 12 months against 1000 before
                (declining_top2, today - timedelta(days=400), 1000),
                (declining_top2, today - timedelta(days=200), 400),
                (churned_unhappy, today - timedelta(days=500), 100),
                (growing_happy, today - timedelta(days=300), 100),
                (growing_happy, today - timedelta(days=10), 900),
            ]
        )
        self.rank(today)
        stages = {
            p.partner_id: p.lifecycle_stage
            for p in self.profiles(
                churned_happy | declining_top2 | churned_unhappy | growing_happy
            )
        }
        self.assertEqual(list(stages.values()).count("churned"), 2, stages)
        self.assertEqual(stages[declining_top2], "declining")
        self.assertEqual(stages[growing_happy], "growing")
        self._respond(churned_happy, csi_pair=(4, 4))  # C = 1
        self._respond(declining_top2, csi_pair=(5, 3), overall=4)  # top two
        self._respond(churned_unhappy, csi_pair=(5, 4), overall=2)
        self._respond(growing_happy, csi_pair=(3, 5), overall=5)
        trap = self.report("crm.satisfaction.trap.report")
        self.assertEqual(trap.partner_id, churned_happy | declining_top2)
        row = trap.filtered(lambda r: r.partner_id == declining_top2)
        self.assertAlmostEqual(row.latest_csi, 0.6)
        self.assertTrue(row.latest_top_two)
        partners = (
            self.env["res.partner"]
            .with_company(self.company)
            .search(
                [
                    ("crm_satisfaction_trap", "=", True),
                    ("id", "in", trap.partner_id.ids + churned_unhappy.ids),
                ]
            )
        )
        self.assertEqual(partners, churned_happy | declining_top2)
        self.assertTrue(churned_happy.with_company(self.company).crm_satisfaction_trap)
        self.assertFalse(growing_happy.with_company(self.company).crm_satisfaction_trap)

    def test_repurchase_and_cohorts(self):
        a, b, c = self.customers(3)
        self.post_invoices(
            [
                (a, date(2024, 1, 5), 100),
                (b, date(2024, 1, 20), 100),
                (a, date(2024, 2, 3), 100),
                (c, date(2024, 2, 10), 100),
                (c, date(2024, 2, 11), 100),  # one buyer, however many invoices
                (b, date(2024, 4, 1), 100),
                (a, date(2024, 4, 2), 50, "out_refund"),  # a refund is no purchase
            ]
        )
        february = self.report("crm.repurchase.report", month=date(2024, 2, 1))
        # January buyers a, b; a bought again in February
        self.assertEqual((february.buyers_previous, february.repeat_buyers), (2, 1))
        self.assertAlmostEqual(february.repurchase_rate, 50.0)
        march = self.report("crm.repurchase.report", month=date(2024, 3, 1))
        self.assertEqual((march.buyers_previous, march.repeat_buyers), (2, 0))
        cohorts = self.report("crm.cohort.report")
        cells = {
            (row.cohort_month, row.months_since): (
                row.cohort_size,
                row.buyers,
                row.retention,
            )
            for row in cohorts
        }
        self.assertEqual(
            cells,
            {
                (date(2024, 1, 1), 0): (2, 2, 100.0),
                (date(2024, 1, 1), 1): (2, 1, 50.0),
                (date(2024, 1, 1), 3): (2, 1, 50.0),
                (date(2024, 2, 1), 0): (1, 1, 100.0),
            },
        )
        # totals are ratios of the summed counts, not means of the cells'
        # rates (75 % here)
        [month_one] = self.env["crm.cohort.report"].read_group(
            [("company_id", "=", self.company.id), ("months_since", "=", 1)],
            ["buyers:sum", "cohort_size:sum", "retention:sum"],
            [],
        )
        self.assertAlmostEqual(month_one["retention"], 50.0)
        # every cell of both cohorts: 5 buyers of 7 customer-months
        [total] = self.env["crm.cohort.report"].read_group(
            [("company_id", "=", self.company.id)], ["retention:sum"], []
        )
        self.assertAlmostEqual(total["retention"], 500 / 7)
        [repurchase] = self.env["crm.repurchase.report"].read_group(
            [
                ("company_id", "=", self.company.id),
                ("month", "in", (date(2024, 2, 1), date(2024, 3, 1))),
            ],
            ["repurchase_rate:sum"],
            [],
        )
        # 1 of 2 in February, 0 of 2 in March: 25 %, as is the mean here
        self.assertAlmostEqual(repurchase["repurchase_rate"], 25.0)
        # the current month is not over: left out
        current = fields.Date.context_today(self.Profile).replace(day=1)
        self.post_invoices(
            [
                (a, current - timedelta(days=3), 100),
                (a, current, 100),
            ]
        )
        self.assertFalse(self.report("crm.repurchase.report", month=current))

    def test_churn_and_winback_per_month(self):
        a, b, c = self.customers(3)
        self.post_invoices(
            [
                (a, date(2023, 1, 10), 100),
                (b, date(2023, 6, 10), 100),
                (c, date(2023, 12, 10), 100),
                (a, date(2024, 3, 15), 100),  # a returns after 430 days
            ]
        )
        # As if the lifecycle were evaluated daily from then on (posting
        # evaluated the customers as of today): history of those months.
        self.profiles(a | b | c).sudo().unlink()
        for day in (date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)):
            self.rank(day)
        january = self.report("crm.churn.report", month=date(2024, 1, 1))
        # active at 1 January 2024: bought within 365 days (a, b, c); a
        # churned on 31 January (386 days without purchase)
        self.assertEqual((january.active_start, january.churned), (3, 1))
        self.assertAlmostEqual(january.churn_rate, 100 / 3)
        march = self.report("crm.churn.report", month=date(2024, 3, 1))
        self.assertEqual((march.churned_start, march.won_back), (1, 1))
        self.assertAlmostEqual(march.winback_rate, 100.0)

    def test_churn_counts_add_up_and_rates_stay_under_100(self):
        """Active and churned at the month's start are measured at the same
        instant (the end of the day before) and add up to every customer who
        bought before; customers churning or coming back during the month
        are in its base; pivot totals are ratios of the summed counts."""
        # churn period 365 days; May 2024: the end of 30 April is day D
        edge, early, returning, steady = self.customers(4)
        self.post_invoices(
            [
                # 365 days without purchase at the end of D, churned on 1 May
                (edge, date(2023, 5, 1), 100),
                # churned on 1 April: churned at the start of May
                (early, date(2023, 4, 1), 100),
                # churned on 1 May, back on 20 May
                (returning, date(2023, 5, 1), 100),
                (returning, date(2024, 5, 20), 100),
                (steady, date(2024, 4, 10), 100),
            ]
        )
        may = self.report("crm.churn.report", month=date(2024, 5, 1))
        self.assertEqual(
            (may.active_start, may.churned_start, may.churned, may.churn_base),
            (3, 1, 2, 3),
        )
        self.assertAlmostEqual(may.churn_rate, 200 / 3)
        # early did not come back; returning churned and came back in May
        self.assertEqual((may.won_back, may.winback_base), (1, 2))
        self.assertAlmostEqual(may.winback_rate, 50.0)
        april = self.report("crm.churn.report", month=date(2024, 4, 1))
        self.assertEqual((april.active_start, april.churned), (3, 1))
        # June: edge churned at its start too, returning back: 0 of 2
        june = self.report("crm.churn.report", month=date(2024, 6, 1))
        self.assertEqual((june.active_start, june.churned), (2, 0))
        # the total of May and June: 2 churned of 5 (40 %), not the mean of
        # the two rates (33.3 %)
        [total] = self.env["crm.churn.report"].read_group(
            [
                ("company_id", "=", self.company.id),
                ("month", "in", (date(2024, 5, 1), date(2024, 6, 1))),
            ],
            ["churned:sum", "churn_base:sum", "churn_rate:sum"],
            [],
        )
        self.assertEqual((total["churned"], total["churn_base"]), (2, 5))
        self.assertAlmostEqual(total["churn_rate"], 40.0)
        for row in self.report("crm.churn.report"):
            self.assertLessEqual(row.churned, row.churn_base)
            self.assertLessEqual(row.won_back, row.winback_base)
            self.assertEqual(
                row.active_start + row.churned_start,
                len(
                    {
                        p
                        for p, d in (
                            (edge, date(2023, 5, 1)),
                            (early, date(2023, 4, 1)),
                            (returning, date(2023, 5, 1)),
                            (steady, date(2024, 4, 10)),
                        )
                        if d < row.month
                    }
                ),
            )

    def test_salesperson_scorecard(self):
        a, b, c = self.customers(3)
        (a | b | c).user_id = self.salesman
        self.post_invoices(
            [
                (a, date(2024, 9, 1), 100),  # previous period
                (b, date(2024, 9, 1), 100),  # previous period only
                (a, date(2025, 3, 1), 300),
                (c, date(2025, 4, 1), 250),
                (c, date(2025, 4, 2), 50, "out_refund"),
            ]
        )
        profile_b = self.profiles(b)
        self.env["crm.lifecycle.history"].sudo().create(
            {
                "profile_id": profile_b.id,
                "partner_id": b.id,
                "company_id": self.company.id,
                "stage_from": "mature",
                "stage_to": "churned",
                "date": date(2025, 5, 1),
            }
        )
        dimension = self.env["crm.satisfaction.dimension"].search(
            [("code", "=", "quality")]
        )
        survey = self.env["survey.survey"].create({"title": "Scorecard survey"})
        questions = self.env["survey.question"].create(
            [
                {
                    "survey_id": survey.id, "title": measure,
                    "question_type": "scale", "scale_min": scale[0],
                    "scale_max": scale[1], "crm_measure": measure,
                    "crm_dimension_id": dimension.id if scale == (1, 5) else False,
                }
                for measure, scale in (
                    ("expectation", (1, 5)),
                    ("perception", (1, 5)),
                    ("recommend", (0, 10)),
                )
            ]
        )  # fmt: skip
        response = self.complete_response(
            a, list(zip(questions, (4, 5, 10), strict=True))
        )
        response.end_datetime = "2025-05-10 10:00:00"
        self.env["crm.service.case"].create(
            {
                "name": "Late delivery",
                "partner_id": c.id,
                "company_id": self.company.id,
                "date_recorded": "2025-05-05 09:00:00",
            }
        )
        scorecard = self.env["crm.salesperson.scorecard"].create(
            {"date_from": "2025-01-01", "date_to": "2025-06-30"}
        )
        action = scorecard.action_compute()
        line = self.env["crm.salesperson.scorecard.line"].search(
            action["domain"] + [("user_id", "=", self.salesman.id)]
        )
        self.assertEqual(line.customers, 3)
        # a and b bought in the previous half-year, a again: 50%
        self.assertEqual((line.bought_before, line.retained), (2, 1))
        self.assertAlmostEqual(line.retention_rate, 50.0)
        self.assertEqual((line.churned, line.won_back), (1, 0))
        self.assertAlmostEqual(line.csi, 1.25)
        self.assertAlmostEqual(line.nps, 100.0)
        # one complaint, two customers invoiced in the period (a, c)
        self.assertEqual((line.complaints, line.invoiced), (1, 2))
        self.assertAlmostEqual(line.complaint_rate, 50.0)
        self.assertAlmostEqual(line.revenue, 500.0)

    def test_crm_roi(self):
        a, b, c = self.customers(3)
        self.post_invoices(
            [
                (c, date(2022, 6, 1), 100),
                (a, date(2023, 3, 1), 1000),  # baseline: margin 300 at 30%
                (a, date(2024, 3, 1), 2000),
                (b, date(2024, 2, 1), 500),  # period: margin 750
            ]
        )
        self.env["crm.cost.entry"].create(
            [
                {"name": "CRM licences", "date": date(2024, 2, 1), "amount": 100},
                {"name": "Campaign", "date": date(2024, 5, 1), "amount": 50},
                {"name": "Later", "date": date(2024, 7, 1), "amount": 999},
            ]
        )
        roi = (
            self.env["crm.roi.report"]
            .with_company(self.company)
            .roi(date(2024, 1, 1), date(2024, 6, 29))
        )
        self.assertEqual((roi["revenue"], roi["margin"], roi["cost"]), (2500, 750, 150))
        # no baseline yet: the figures that need one are empty, and say why
        for key in (
            "baseline_margin",
            "baseline_retention",
            "incremental_margin",
            "retention_uplift",
            "roi",
        ):
            self.assertIsNone(roi[key], key)
        self.assertAlmostEqual(roi["retention"], 100.0)
        self.assertEqual(roi["missing"], ["No baseline period is set in the settings."])
        wizard = self.env["crm.roi.wizard"].create(
            {"date_from": date(2024, 1, 1), "date_to": date(2024, 6, 29)}
        )
        action = wizard.action_compute()
        # the dialog keeps its title, and leads to where the baseline is set
        self.assertEqual(action["name"], "CRM Return on Investment")
        settings = wizard.action_open_settings()
        self.assertEqual(
            (settings["res_model"], settings["context"]["module"]),
            ("res.config.settings", "crm"),
        )
        self.assertEqual(
            (wizard.has_baseline, wizard.has_roi, wizard.has_retention_uplift),
            (False, False, False),
        )
        self.assertEqual((wizard.has_cost, wizard.cost), (True, 150))
        self.assertEqual(wizard.missing, "No baseline period is set in the settings.")
        self.company.write(
            {
                "crm_roi_baseline_from": date(2023, 1, 1),
                "crm_roi_baseline_to": date(2023, 6, 30),
            }
        )
        roi = (
            self.env["crm.roi.report"]
            .with_company(self.company)
            .roi(date(2024, 1, 1), date(2024, 6, 29))
        )
        # both periods last 181 days: no scaling
        self.assertAlmostEqual(roi["baseline_margin"], 300)
        self.assertAlmostEqual(roi["incremental_margin"], 450)
        self.assertAlmostEqual(roi["roi"], (450 - 150) / 150)
        # active at 1 January 2024: a, who bought again (100%); at
        # 1 January 2023: c, who did not (0%)
        self.assertAlmostEqual(roi["retention"], 100.0)
        self.assertAlmostEqual(roi["baseline_retention"], 0.0)
        self.assertAlmostEqual(roi["retention_uplift"], 100.0)
        self.assertEqual(roi["missing"], [])
        wizard.action_compute()
        self.assertEqual(
            (wizard.has_baseline, wizard.has_roi, wizard.missing), (True, True, False)
        )
        self.assertEqual((wizard.incremental_margin, wizard.roi), (450, 2.0))
        # no CRM costs in the period: no costs and no ROI, not 0
        self.env["crm.cost.entry"].search(
            [("company_id", "=", self.company.id)]
        ).unlink()
        roi = (
            self.env["crm.roi.report"]
            .with_company(self.company)
            .roi(date(2024, 1, 1), date(2024, 6, 29))
        )
        self.assertEqual((roi["cost"], roi["roi"]), (None, None))
        self.assertAlmostEqual(roi["incremental_margin"], 450)
        self.assertEqual(roi["missing"], ["No CRM costs are recorded in this period."])
        wizard.action_compute()
        self.assertEqual(
            (wizard.has_cost, wizard.has_roi, wizard.has_baseline), (False, False, True)
        )
        self.assertEqual(wizard.missing, "No CRM costs are recorded in this period.")
        # the reason in the user's language
        self.env["res.lang"]._activate_lang("zh_CN")
        roi = (
            self.env["crm.roi.report"]
            .with_company(self.company)
            .with_context(lang="zh_CN")
            .roi(date(2024, 1, 1), date(2024, 6, 29))
        )
        self.assertEqual(roi["missing"], ["本期间没有记录 CRM 成本。"])
        march = self.report("crm.roi.report", month=date(2024, 3, 1))
        self.assertEqual((march.revenue, march.margin), (2000, 600))
