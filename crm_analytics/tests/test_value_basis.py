from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged
from odoo.tools import SQL

from .test_profitability import ProfitabilityCommon


@tagged("post_install", "-at_install")
class TestValueBasis(ProfitabilityCommon):
    """The value tiers by gross margin or contribution, on the customers of
    the profitability tests, ranked on REF (30 June 2025) over 365 days:

    ==========  =======  ======  =====================  ============
    customer    revenue  margin  cost to serve          contribution
    ==========  =======  ======  =====================  ============
    Alpha       450      255     40 + 150 (March)       65
    Beta        100      30      55 + 50 (March)        −75
    Active 300  300      90      0 (June: no CRM cost)  90
    Active 200  200      60      0                      60
    Active 100  100      30      0                      30
    ==========  =======  ======  =====================  ============

    As in the profitability report, March's 200 of CRM costs are shared by
    March's positive revenue (Alpha 300, Beta 100), May's 80 by nobody. The
    active customers' invoices (June) have no product: margin 30 %.
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
        """Beta destroys value: no tier, although it has revenue. 4 ranked:
        VIP 1 (Active 300), key none, ordinary up to 2 (Alpha)."""
        ranking = self.rank_by("contribution")
        self.assertEqual(
            self.values(self.alpha, self.beta, self.active[self.nobody]),
            {
                self.alpha: (450, 65, "ordinary"),
                self.beta: (100, -75, False),
                self.active[self.nobody]: (300, 90, "vip"),
            },
        )
        self.assertEqual(
            (
                ranking.customer_count,
                ranking.value_total,
                ranking.vip_cutoff,
                ranking.ordinary_cutoff,
                ranking.crm_cost_rates,
            ),
            (4, 245, 90, 65, {"2025-03-01": 0.5}),
        )
        # value per revenue of every buyer: (65 − 75 + 180) / 1,150
        self.assertAlmostEqual(ranking.value_rate, 170 / 1150, places=4)
        # Pareto: 90 + 65 + 60 of 245 reach 80 %: 3 customers of 4
        self.assertEqual(
            self.env["crm.pareto.report"].pareto(self.REF),
            {"customers": 4, "share_for_80": 75.0},
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

    def test_tier_migration_in_revenue_and_value(self):
        """The snapshots keep the window revenue beside the value: across a
        move from revenue (29 June) to contribution (REF), the migration
        matrix counts the customers and gives both (Alpha falls from VIP to
        ordinary with 450 of revenue and 65 of contribution), as does the
        wizard's pivot."""
        self.rank(date(2025, 6, 29))
        self.rank_by("contribution")
        period = self.env["crm.customer.snapshot.period"].search(
            [("partner_id", "=", self.alpha.id), ("date_to", "=", False)]
        )
        self.assertEqual(
            (period.date_from, period.rfm_revenue, period.rfm_monetary),
            (self.REF, 450, 65),
        )
        matrix = self.env["crm.customer.snapshot.period"].migration_matrix(
            date(2025, 6, 29), self.REF
        )
        self.assertEqual(
            [
                (m["tier_from"], m["tier_to"], m["count"], m["revenue"], m["value"])
                for m in matrix
                if m["tier_from"] in ("vip", "small")
            ],
            [
                ("vip", "ordinary", 1, 450, 65),
                # Active 100 stays small, Beta leaves the pyramid
                ("small", "small", 1, 100, 30),
                ("small", "none", 1, 100, -75),
            ],
        )
        wizard = self.env["crm.tier.migration.wizard"].create(
            {"date_from": date(2025, 6, 29), "date_to": self.REF}
        )
        Line = self.env["crm.tier.migration.line"]
        domain = wizard.action_open_matrix()["domain"]
        [vip] = Line._read_group(
            [*domain, ("tier_from", "=", "vip")],
            ["tier_to"],
            ["__count", "revenue:sum", "value:sum"],
        )
        self.assertEqual(vip, ("ordinary", 1, 450, 65))

    def test_migration_fills_the_snapshot_revenue(self):
        """Upgrade from 18.0.1.5.0: a period of a ranking by revenue takes
        its value as revenue; the open period of a ranking by margin, the
        revenue of the customer's last ranking."""
        self.rank(date(2025, 6, 29))
        self.rank_by("margin")
        self.env.flush_all()
        self.env.execute_query(
            SQL("UPDATE crm_customer_snapshot_period SET rfm_revenue = NULL")
        )
        self.Period.invalidate_model(["rfm_revenue"])
        self.run_migration("18.0.1.6.0/post-migration.py", "18.0.1.5.0")
        periods = self.Period.search(
            [("partner_id", "=", self.alpha.id)], order="date_from"
        )
        self.assertEqual(
            [(p.date_from, p.rfm_revenue, p.rfm_monetary) for p in periods],
            [(date(2025, 6, 29), 450, 450), (self.REF, 450, 255)],
        )

    def test_contribution_on_a_day_of_the_month(self):
        """On 5 March, March's CRM costs are those recorded by then (120),
        shared by the revenue of the month so far (Alpha's 400): Alpha's 240
        of margin less 120."""
        self.company.crm_value_basis = "contribution"
        self.rank(date(2025, 3, 5))
        self.assertEqual(self.values(self.alpha), {self.alpha: (400, 120, "vip")})

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
        """Saving a new basis in the settings ranks the customers again, so
        that the cut-offs are in the new basis at once (today is REF, whose
        ranking by revenue is replaced)."""
        Settings = self.env["res.config.settings"].with_company(self.company)
        with freeze_time(self.REF):
            Settings.create({"crm_value_basis": "margin"}).execute()
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
        """Between two rankings, Beta bears the CRM costs at the months'
        rates of the last ranking: 400 of revenue, 210 of margin, 55 of cases
        and activities, 50 of March's CRM costs leave 105, a VIP (from 90).
        June's costs, recorded after the ranking, wait for the next one:
        then June's 300 are shared by June's 900 of revenue, 100 for Beta."""
        self.rank_by("contribution")
        self.env["crm.cost.entry"].create(
            {"name": "June campaign", "date": self.REF, "amount": 300}
        )
        self.beta_buys_widgets(3)
        self.assertEqual(self.values(self.beta), {self.beta: (400, 105, "vip")})
        self.rank()
        self.assertEqual(self.values(self.beta), {self.beta: (400, 5, "small")})

    def test_contribution_as_in_the_profitability_report(self):
        """The ranking's contribution of a window of whole months is the
        report's over those months, customer by customer."""
        self.rank_by("contribution")
        partners = (
            self.alpha
            | self.beta
            | self.customers_of(
                self.salesman, self.colleague, self.nobody, role="active"
            )
        )
        groups = self.env["crm.customer.profitability.report"]._read_group(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", self.company.id),
                ("month", ">", self.REF.replace(year=2024)),
            ],
            ["partner_id"],
            ["contribution:sum"],
        )
        report = {partner: round(value, 2) for partner, value in groups}
        ranking = {
            p.partner_id: round(p.rfm_monetary, 2) for p in self.profiles(partners)
        }
        self.assertEqual(ranking, report)
        self.assertEqual(report[self.alpha], 65)

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
        """The CLV values Alpha's year (ordinary) by its contribution: margin
        255 less 40 of cases and activities and 150 of CRM costs. Without a
        ranking a year before, no retention, so no CLV."""
        self.rank_by("contribution")
        clv = self.Profile.with_company(self.company).clv(self.REF)
        ordinary = clv["ordinary"]
        self.assertEqual(
            (
                ordinary["customers"],
                ordinary["basis"],
                ordinary["margin"],
                ordinary["cost_to_serve"],
                ordinary["retention"],
            ),
            (1, "contribution", 255, 190, None),
        )
        self.assertIsNone(ordinary["clv"])
        # by margin: nothing is taken off
        self.rank_by("margin")
        vip = self.Profile.with_company(self.company).clv(self.REF)["vip"]
        self.assertEqual((vip["basis"], vip["cost_to_serve"]), ("margin", 0))

    def test_companies_on_several_bases_and_sources(self):
        """One ranking of two companies: the test company by revenue, Company
        B by margin from its sale orders (revenue × the 30 % margin rate)."""
        self.company.crm_value_basis = "revenue"
        self.company_b.write(
            {"crm_revenue_source": "sale_order", "crm_value_basis": "margin"}
        )
        gamma = self.customer("Gamma")
        order = (
            self.env["sale.order"]
            .with_company(self.company_b)
            .create(
                {
                    "partner_id": gamma.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.gadget.id,
                                "product_uom_qty": 2,
                                "price_unit": 500,
                                "tax_id": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        order.action_confirm()
        order.date_order = date(2025, 6, 1)
        both = self.company | self.company_b
        self.Profile.with_company(self.company).with_context(
            allowed_company_ids=both.ids
        ).recompute(self.REF)
        self.assertEqual(self.values(self.alpha), {self.alpha: (450, 450, "vip")})
        [profile_b] = self.profiles(gamma, company=self.company_b)
        self.assertEqual(
            (profile_b.rfm_revenue, profile_b.rfm_monetary, profile_b.value_tier),
            (1000, 300, "vip"),
        )
        rankings = self.Ranking.search([("company_id", "in", both.ids)])
        self.assertEqual(
            {(r.company_id, r.value_basis) for r in rankings},
            {(self.company, "revenue"), (self.company_b, "margin")},
        )
