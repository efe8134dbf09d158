import json
from unittest.mock import patch

from odoo import Command, fields
from odoo.api import call_kw
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import AnalyticsCommon


@tagged("post_install", "-at_install")
class TestValueAnalyses(AnalyticsCommon):
    @staticmethod
    def moved(matrix):
        """The matrix as {(tier_from, tier_to): (count, revenue)}, without
        the customers who never had a tier (other fixtures' partners with a
        profile)."""
        return {
            (row["tier_from"], row["tier_to"]): (row["count"], row["revenue"])
            for row in matrix
            if (row["tier_from"], row["tier_to"]) != ("none", "none")
        }

    def test_migration_matrix_between_two_snapshots(self):
        d1, d2 = self.days_before(180), self.REF
        a, b, c, d, e = self.customers(5)
        self.post_invoices(
            [
                # at d1 (n = 3): a VIP 900, b ordinary 500 (ceil(1.5) = 2),
                # c small 100; d and e have not bought yet
                (a, self.days_before(200), 900),
                (b, self.days_before(200), 500),
                (c, self.days_before(200), 100),
                # by d2 (n = 4): d VIP (ceil(0.2) = 1), no key (ceil(0.8) = 1),
                # c ordinary (ceil(2) = 2), a and e small; b's refund takes
                # it out of the pyramid
                (d, self.days_before(10), 5000),
                (c, self.days_before(10), 3000),
                (e, self.days_before(10), 50),
                (b, self.days_before(5), 500, "out_refund"),
            ]
        )
        self.rank(d1)
        self.rank(d2)
        profiles = {
            p.partner_id: p.value_tier for p in self.profiles(a | b | c | d | e)
        }
        self.assertEqual(
            profiles,
            {a: "small", b: False, c: "ordinary", d: "vip", e: "small"},
        )
        # from the top of the pyramid down, no tier last
        matrix = self.moved(
            self.Period.with_company(self.company).migration_matrix(d1, d2)
        )
        self.assertEqual(
            list(matrix.items()),
            [
                (("vip", "small"), (1, 900.0)),
                (("ordinary", "none"), (1, 0.0)),
                (("small", "ordinary"), (1, 3100.0)),
                (("none", "vip"), (1, 5000.0)),
                (("none", "small"), (1, 50.0)),
            ],
        )
        # A date between the two rankings reads the snapshot of d1.
        self.assertEqual(
            self.moved(self.Period.migration_matrix(d1, self.days_before(100))),
            {
                ("vip", "vip"): (1, 900.0),
                ("ordinary", "ordinary"): (1, 500.0),
                ("small", "small"): (1, 100.0),
            },
        )
        # The wizard's pivot shows the same moves, up and down the pyramid.
        wizard = self.env["crm.tier.migration.wizard"].create(
            {"date_from": d1, "date_to": d2}
        )
        action = wizard.action_open_matrix()
        lines = self.env["crm.tier.migration.line"].search(action["domain"])
        self.assertEqual(
            {
                line.partner_id: line.direction
                for line in lines
                if line.partner_id in a | b | c | d | e
            },
            {a: "down", b: "down", c: "up", d: "up", e: "up"},
        )
        groups = self.env["crm.tier.migration.line"].read_group(
            action["domain"], ["revenue:sum"], ["tier_from", "tier_to"], lazy=False
        )
        self.assertEqual(
            {
                (g["tier_from"], g["tier_to"]): (g["__count"], g["revenue"])
                for g in groups
                if (g["tier_from"], g["tier_to"]) != ("none", "none")
            },
            matrix,
        )

    def test_migration_matrix_over_rpc(self):
        """Called as the web client calls it (ISO strings through call_kw),
        the matrix goes through JSON unchanged; wrong dates are refused with
        a message, never a traceback."""
        # at d1 (n = 1) a is VIP; by today (n = 2) b's 3000 takes the only
        # VIP place (ceil(0.1) = 1), no key or ordinary place (ceil(0.4) =
        # ceil(1) = 1): a is small
        a, b = self.customers(2)
        self.post_invoices(
            [(a, self.days_before(200), 900), (b, self.days_before(10), 3000)]
        )
        d1 = self.days_before(180)
        self.rank(d1)
        self.rank()
        Period = self.Period.with_company(self.company)
        matrix = call_kw(Period, "migration_matrix", [str(d1), str(self.REF)], {})
        self.assertEqual(json.loads(json.dumps(matrix)), matrix)
        self.assertEqual(
            [row for row in matrix if row["tier_from"] != row["tier_to"]],
            [
                {
                    "tier_from": "vip",
                    "tier_to": "small",
                    "count": 1,
                    "revenue": 900.0,
                    "value": 900.0,
                },
                {
                    "tier_from": "none",
                    "tier_to": "vip",
                    "count": 1,
                    "revenue": 3000.0,
                    "value": 3000.0,
                },
            ],
        )
        # the same dates as date objects, one date on both sides
        self.assertEqual(Period.migration_matrix(d1, self.REF), matrix)
        self.assertTrue(
            all(
                row["tier_from"] == row["tier_to"]
                for row in Period.migration_matrix(self.REF, self.REF)
            )
        )
        for date_from, date_to in (
            (self.REF, d1),
            ("2025-13-01", self.REF),
            (d1, "not a date"),
            (False, self.REF),
            (d1, None),
            (20250101, self.REF),
        ):
            with (
                self.subTest(date_from=date_from, date_to=date_to),
                self.assertRaises(UserError),
            ):
                call_kw(Period, "migration_matrix", [date_from, date_to], {})

    def test_pareto_on_hand_computed_data(self):
        partners = self.customers(6)
        self.post_invoices(
            [
                (partners[0], self.days_before(10), 500),
                (partners[1], self.days_before(10), 300),
                (partners[2], self.days_before(10), 100),
                (partners[3], self.days_before(10), 60),
                (partners[4], self.days_before(10), 40),
                # no positive window revenue: not counted
                (partners[5], self.days_before(10), 80),
                (partners[5], self.days_before(9), 80, "out_refund"),
            ]
        )
        # total 1000; 500 + 300 reach 800 = 80%: k = 2 of n = 5
        self.assertEqual(
            self.env["crm.pareto.report"].with_company(self.company).pareto(self.REF),
            {"customers": 5, "share_for_80": 40.0},
        )
        # 500 + 299.99 no longer reach 80%: k = 3
        self.post_invoices([(partners[1], self.days_before(8), 0.01, "out_refund")])
        self.assertEqual(
            self.env["crm.pareto.report"].with_company(self.company).pareto(self.REF),
            {"customers": 5, "share_for_80": 60.0},
        )
        self.assertEqual(
            self.env["crm.pareto.report"].with_company(self.company_b).pareto(self.REF),
            {"customers": 0, "share_for_80": None},
        )
        # The curve: cumulative revenue share per top-customer percentile.
        self.rank()
        curve = self.env["crm.pareto.report"].search(
            [("partner_id", "in", partners.ids)], order="position"
        )
        self.assertEqual(
            [(row.position, row.customer_percentile) for row in curve],
            [(1, 20), (2, 40), (3, 60), (4, 80), (5, 100)],
        )
        self.assertAlmostEqual(
            curve[1].revenue_share_cumulative, 100 * 799.99 / 999.99, places=4
        )
        self.assertAlmostEqual(curve[4].revenue_share_cumulative, 100.0)

    def test_pyramid_report_shares(self):
        partners = self.customers(4)
        self.post_invoices(
            [
                (p, self.days_before(10), amount)
                for p, amount in zip(partners, (600, 200, 150, 50), strict=True)
            ]
        )
        self.rank()
        groups = self.env["crm.value.tier.report"].read_group(
            [("company_id", "=", self.company.id)],
            ["customer_share:sum", "revenue_share:sum", "rfm_monetary:sum"],
            ["value_tier"],
        )
        # n = 4: VIP 1 (ceil 0.2), key up to 1 (ceil 0.8), ordinary up to 2
        self.assertEqual(
            {
                g["value_tier"]: (
                    g["value_tier_count"],
                    round(g["customer_share"], 2),
                    round(g["revenue_share"], 2),
                )
                for g in groups
            },
            {
                "vip": (1, 25.0, 60.0),
                "ordinary": (1, 25.0, 20.0),
                "small": (2, 50.0, 20.0),
            },
        )

    def test_clv_per_tier(self):
        self.company.write(
            {
                "crm_tier_mode": "thresholds",
                "crm_tier_vip_threshold": 800,
                "crm_tier_key_threshold": 400,
                "crm_tier_ordinary_threshold": 100,
                "crm_clv_discount_rate": 0.1,
                "crm_clv_margin_rate": 0.3,
            }
        )
        kept, lost = self.customers(2)
        self.post_invoices(
            [
                (kept, self.days_before(400), 1000),
                (lost, self.days_before(400), 900),
                (kept, self.days_before(100), 1000),
            ]
        )
        self.rank(self.days_before(365))
        self.rank()
        clv = self.Profile.with_company(self.company).clv(self.REF)
        # a year ago both were VIP, one bought since: r = 0.5; today's VIP
        # made 1000 of revenue, no product cost: margin 300 at the 30% rate
        self.assertEqual(set(clv), {"vip"})
        self.assertEqual(clv["vip"]["customers"], 1)
        self.assertAlmostEqual(clv["vip"]["retention"], 0.5)
        self.assertAlmostEqual(clv["vip"]["margin"], 300.0)
        self.assertEqual(clv["vip"]["margin_source"], "rate")
        # 300 x 0.5 / (1 + 0.1 - 0.5)
        self.assertAlmostEqual(clv["vip"]["clv"], 250.0)
        # A product with a known cost: margin = revenue - quantity x cost.
        product = self.env["product.product"].create(
            {"name": "Costed Widget", "standard_price": 40.0}
        )
        self.env["account.move"].with_company(self.company).create(
            {
                "move_type": "out_invoice",
                "partner_id": kept.id,
                "invoice_date": self.days_before(50),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": 5,
                            "price_unit": 100,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        ).action_post()
        clv = self.Profile.with_company(self.company).clv(self.REF)
        # 300 (rate) + 500 - 5 x 40 = 600
        self.assertAlmostEqual(clv["vip"]["margin"], 600.0)
        self.assertEqual(clv["vip"]["margin_source"], "mixed")
        self.assertAlmostEqual(clv["vip"]["clv"], 500.0)
        report = self.env["crm.clv.report"].search(
            [("company_id", "=", self.company.id), ("value_tier", "=", "vip")]
        )
        # the report is as of today: nothing bought in the last year
        self.assertEqual(report.retained, 0)

    def test_clv_without_discount_of_a_tier_that_keeps_everyone(self):
        """d = 0 and r = 1: the formula has no finite value; CLV is empty,
        never an error, in the RPC and the report."""
        self.company.write(
            {
                "crm_tier_mode": "thresholds",
                "crm_tier_vip_threshold": 800,
                "crm_tier_key_threshold": 400,
                "crm_tier_ordinary_threshold": 100,
                "crm_clv_discount_rate": 0.0,
                "crm_clv_margin_rate": 0.3,
            }
        )
        [kept] = self.customers(1)
        self.post_invoices(
            [(kept, self.days_before(400), 1000), (kept, self.days_before(100), 1000)]
        )
        self.rank(self.days_before(365))
        self.rank()
        clv = self.Profile.with_company(self.company).clv(self.REF)
        self.assertAlmostEqual(clv["vip"]["retention"], 1.0)
        self.assertAlmostEqual(clv["vip"]["margin"], 300.0)
        self.assertIsNone(clv["vip"]["clv"])
        [vip] = self.env["crm.clv.report"].read_group(
            [("company_id", "=", self.company.id), ("value_tier", "=", "vip")],
            ["clv:avg"],
            ["value_tier"],
        )
        self.assertFalse(vip["clv"])

    def test_cron_ranks_one_company_per_call(self):
        partner = self.customer("Two-Company Customer")
        today = fields.Date.context_today(self.Profile)
        self.post_invoices([(partner, today, 100)])
        self.post_invoices([(partner, today, 100)], company=self.company_b)
        companies = self.env["res.company"].search([])
        # Demo data may have ranked a company today already: start afresh.
        self.Ranking.sudo().search([("date", "=", today)]).unlink()
        progress = []

        def notify(_cron, done, remaining):
            progress.append((done, remaining))

        with patch.object(type(self.env["ir.cron"]), "_notify_progress", notify):
            remaining = [self.Profile._cron_rank_values() for _company in companies]
        self.assertEqual(remaining[-1], 0)
        self.assertEqual(
            progress,
            [(len(companies) - r, r) for r in range(len(companies) - 1, -1, -1)],
        )
        rankings = self.Ranking.sudo().search([("date", "=", today)])
        self.assertEqual(rankings.company_id, companies)
        self.assertEqual(
            rankings.filtered(lambda r: r.company_id == self.company_b).customer_count,
            1,
        )
        self.assertEqual(partner.with_company(self.company_b).value_tier, "vip")
        # already ranked today: nothing left, nothing ranked again
        self.assertEqual(self.Profile._cron_rank_values(), 0)
        self.assertEqual(self.Ranking.sudo().search([("date", "=", today)]), rankings)

    def test_satisfaction_results_carry_the_tier(self):
        partner = self.customers(1)
        self.post_invoices([(partner, self.days_before(5), 500)])
        self.rank()
        self.assertEqual(partner.with_company(self.company).value_tier, "vip")
        dimension = self.env["crm.satisfaction.dimension"].create(
            {"name": "Tiered", "code": "t_tiered"}
        )
        survey = self.env["survey.survey"].create({"title": "Tiered survey"})
        questions = self.env["survey.question"].create(
            [
                {
                    "survey_id": survey.id,
                    "title": measure,
                    "question_type": "scale",
                    "scale_min": 1,
                    "scale_max": 5,
                    "crm_measure": measure,
                    "crm_dimension_id": dimension.id,
                }
                for measure in ("expectation", "perception")
            ]
        )
        response = self.complete_response(
            partner, list(zip(questions, (4, 5), strict=True))
        )
        result = response.crm_result_ids
        self.assertEqual((result.ratio, result.value_tier), (1.25, "vip"))
        self.assertEqual(
            (response.crm_value_tier, response.crm_lifecycle_stage), ("vip", "new")
        )
