from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .test_profitability import ProfitabilityCommon


@tagged("post_install", "-at_install")
class TestValueBasis(ProfitabilityCommon):
    """The value tiers by gross margin or contribution, on the customers of
    the profitability tests, ranked on REF (30 June 2025) over 365 days:

    ==============  =======  ======  =============  ==========================
    customer        revenue  margin  cost to serve  contribution
    ==============  =======  ======  =============  ==========================
    Alpha           450      255     40 + 450 k     255 − 40 − 109.57 = 105.43
    Beta            100      30      55 + 100 k     30 − 55 − 24.35 = −49.35
    Active 300      300      90      300 k          90 − 73.04 = 16.96
    Active 200      200      60      200 k          60 − 48.70 = 11.30
    Active 100      100      30      100 k          30 − 24.35 = 5.65
    ==============  =======  ======  =============  ==========================

    k = the window's CRM costs (280) over its positive revenue (1,150). The
    active customers' invoices have no product: their margin is 30 %.
    """

    def rank_by(self, basis):
        self.company.crm_value_basis = basis
        self.rank()
        return self.Ranking.search([("company_id", "=", self.company.id)], limit=1)

    def values(self, *partners):
        """{partner: (window revenue, window value, tier)}"""
        profiles = self.profiles(self.env["res.partner"].union(*partners))
        return {
            p.partner_id: (
                round(p.rfm_revenue, 2),
                round(p.rfm_monetary, 2),
                p.value_tier,
            )
            for p in profiles
        }

    def test_revenue_basis(self):
        """The default: the value is the revenue."""
        ranking = self.rank_by("revenue")
        self.assertEqual(
            self.values(self.alpha, self.beta),
            {self.alpha: (450, 450, "vip"), self.beta: (100, 100, "small")},
        )
        self.assertEqual(
            (ranking.value_basis, ranking.revenue_total, ranking.value_total),
            ("revenue", 1150, 1150),
        )

    def test_margin_basis(self):
        ranking = self.rank_by("margin")
        active = [self.active[o] for o in (self.salesman, self.colleague, self.nobody)]
        self.assertEqual(
            self.values(self.alpha, self.beta, *active),
            {
                self.alpha: (450, 255, "vip"),
                # 5 ranked: VIP 1, key none (ceil 1.0), ordinary up to 3
                # (ceil 2.5); Beta ties at 30 with the first active
                # customer, whose id is lower
                active[0]: (100, 30, "small"),
                active[1]: (200, 60, "ordinary"),
                active[2]: (300, 90, "ordinary"),
                self.beta: (100, 30, "small"),
            },
        )
        self.assertEqual(
            (
                ranking.value_basis,
                ranking.customer_count,
                ranking.revenue_total,
                ranking.value_total,
                ranking.vip_cutoff,
                ranking.ordinary_cutoff,
            ),
            ("margin", 5, 1150, 465, 255, 60),
        )

    def test_contribution_basis(self):
        """Beta destroys value: no tier, although it has revenue."""
        ranking = self.rank_by("contribution")
        self.assertEqual(
            self.values(self.alpha, self.beta),
            {self.alpha: (450, 105.43, "vip"), self.beta: (100, -49.35, False)},
        )
        self.assertAlmostEqual(ranking.crm_cost_rate, 280 / 1150, places=6)
        self.assertEqual(ranking.customer_count, 4)
        self.assertEqual(round(ranking.value_total, 2), 139.35)
        self.assertEqual(round(ranking.ordinary_cutoff, 2), 16.96)
        # Pareto: 105.43 + 16.96 of 139.35 reach 80 %: 2 customers of 4
        self.assertEqual(
            self.env["crm.pareto.report"].pareto(self.REF),
            {"customers": 4, "share_for_80": 50.0},
        )
        # the dashboard's pyramid says what its shares measure
        Dashboard = self.env["crm.analytics.dashboard"]
        data = Dashboard.with_context(
            allowed_company_ids=self.company.ids
        ).get_dashboard_data()
        self.assertEqual(data["pyramid_share_label"], "Share of contribution")
        # companies valued on different bases: their shares are of "value"
        data = Dashboard.with_context(
            allowed_company_ids=(self.company | self.company_b).ids
        ).get_dashboard_data()
        self.assertEqual(data["pyramid_share_label"], "Share of value")

    def beta_buys_widgets(self, quantity):
        """Beta buys ``quantity`` widgets (cost 40) at 100 on REF."""
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.beta.id,
                "invoice_date": self.REF,
                "date": self.REF,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.widget.id,
                            "quantity": quantity,
                            "price_unit": 100,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        with freeze_time(self.REF):
            invoice.action_post()

    def test_saving_a_basis_ranks_again(self):
        """The last ranking (REF, by revenue) is redone by margin when the
        basis is saved: no full recompute needed for the cut-offs to be in
        the new basis."""
        self.company.crm_value_basis = "margin"
        [ranking] = self.Ranking.search([("company_id", "=", self.company.id)])
        self.assertEqual(
            (ranking.date, ranking.value_basis, ranking.vip_cutoff),
            (self.REF, "margin", 255),
        )
        self.assertEqual(self.values(self.alpha), {self.alpha: (450, 255, "vip")})

    def test_margin_placed_at_posting(self):
        """Between two rankings, a posted invoice places the customer by its
        margin: 30 + 60 = 90 reaches the ordinary tier (from 60)."""
        self.rank_by("margin")
        self.beta_buys_widgets(1)
        self.assertEqual(self.values(self.beta), {self.beta: (200, 90, "ordinary")})

    def test_contribution_placed_at_posting(self):
        """Between two rankings, Beta bears the CRM costs at the last
        ranking's rate: 400 of revenue, 210 of margin, 55 of cases and
        activities, 97.39 of CRM costs leave 57.61, an ordinary customer."""
        self.rank_by("contribution")
        self.beta_buys_widgets(3)
        self.assertEqual(self.values(self.beta), {self.beta: (400, 57.61, "ordinary")})

    def test_potential_converted_to_the_basis(self):
        """A potential of 1,000 a year is worth 1,000 × 465 / 1,150 = 404.35
        of margin: VIP (from 255) by margin, while the report still shows
        the revenue gap."""
        self.beta.with_company(self.company).crm_potential_spend = 1000
        self.rank_by("margin")
        Report = self.env["crm.potential.customer.report"]
        [row] = Report.search([("partner_id", "=", self.beta.id)])
        self.assertEqual(
            (row.potential_tier, row.potential, row.window_revenue, row.gap),
            ("vip", 1000, 100, 900),
        )
        self.assertEqual(self.profiles(self.beta).potential_date, self.REF)

    def test_clv_follows_the_contribution_basis(self):
        """The CLV values Alpha's year (VIP) by its contribution: margin 255
        less 40 of cases and activities and 109.57 of CRM costs. Without a
        ranking a year before, no retention, so no CLV."""
        self.rank_by("contribution")
        clv = self.Profile.with_company(self.company).clv(self.REF)
        vip = clv["vip"]
        self.assertEqual(
            (vip["customers"], vip["basis"], vip["margin"], vip["retention"]),
            (1, "contribution", 255, None),
        )
        self.assertAlmostEqual(vip["cost_to_serve"], 40 + 450 * 280 / 1150)
        self.assertIsNone(vip["clv"])
        # by margin: nothing is taken off
        self.rank_by("margin")
        vip = self.Profile.with_company(self.company).clv(self.REF)["vip"]
        self.assertEqual((vip["basis"], vip["cost_to_serve"]), ("margin", 0))
