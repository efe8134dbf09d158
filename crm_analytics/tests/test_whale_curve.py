from datetime import datetime, time, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.crm_lifecycle.tests.common import readonly_env

from .common import AnalyticsCommon

REPORT = "crm.whale.curve.report"


@tagged("post_install", "-at_install")
class TestWhaleCurve(AnalyticsCommon):
    """Whale curve of the test company over the last 12 months, widgets at
    100 (product cost 40), a complaint costs 200:

    ======  =========  =====================================  ============
    who     owner      facts this month                       contribution
    ======  =========  =====================================  ============
    Alpha   Sally      10 widgets: margin 600                          600
    Beta    colleague  5 widgets: margin 300                           300
    Gamma   nobody     2 widgets: margin 120 (and 10 widgets           120
                       400 days ago: out of the 12 months)
    Delta   Sally      1 widget: margin 60, a complaint (200)         -140
    ======  =========  =====================================  ============

    Total 880: cumulative 68.18, 102.27, 115.91 (the peak), 100 %.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.month_start = cls.today.replace(day=1)
        cls.colleague = new_test_user(
            cls.env,
            login="wc_colleague",
            name="Colin Colleague",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.company.crm_cost_per_complaint = 200
        cls.widget = (
            cls.env["product.product"]
            .with_company(cls.company)
            .create({"name": "Widget", "standard_price": 40})
        )
        cls.alpha = cls.customer("Alpha", user_id=cls.salesman.id)
        cls.beta = cls.customer("Beta", user_id=cls.colleague.id)
        cls.gamma = cls.customer("Gamma", user_id=False)
        cls.delta = cls.customer("Delta", user_id=cls.salesman.id)
        cls.sell(
            cls.company,
            [
                (cls.alpha, cls.month_start, 10),
                (cls.beta, cls.month_start, 5),
                (cls.gamma, cls.month_start, 2),
                (cls.gamma, cls.today - timedelta(days=400), 10),
                (cls.delta, cls.month_start, 1),
            ],
        )
        cls.complain(cls.company, cls.delta)

    @classmethod
    def sell(cls, company, specs):
        """Post invoices of ``(partner, date, widgets)`` at 100 a widget in
        ``company``, then evaluate its customers as of today."""
        moves = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": day,
                        "date": day,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": cls.widget.id,
                                    "quantity": quantity,
                                    "price_unit": 100,
                                    "tax_ids": [Command.clear()],
                                }
                            )
                        ],
                    }
                    for partner, day, quantity in specs
                ]
            )
        )
        moves.action_post()
        cls.Profile.with_company(company).with_context(
            allowed_company_ids=company.ids
        ).recompute(cls.today)

    @classmethod
    def complain(cls, company, partner):
        cls.env["crm.service.case"].with_company(company).create(
            {
                "name": "Broken widget",
                "partner_id": partner.id,
                "case_type": "complaint",
                "company_id": company.id,
                "date_recorded": datetime.combine(cls.month_start, time(0, 0, 1)),
            }
        )

    def report(self, user, company=None):
        company = company or self.company
        return (
            self.env[REPORT]
            .with_user(user)
            .with_context(allowed_company_ids=company.ids)
        )

    def curve(self, user, company=None):
        """The list as ``user`` reads it: (customer, rank, customers %,
        contribution, cumulative %, destroys value). A row's figures depend
        on the reader: forget those read by another user (a web request reads
        in a transaction of its own)."""
        self.env.invalidate_all()
        return [
            (
                row.partner_id.name,
                row.position,
                row.customer_percentile,
                round(row.contribution, 2),
                round(row.contribution_cumulative, 2),
                row.destroys_value,
            )
            for row in self.report(user, company).search([])
        ]

    def test_curve(self):
        self.assertEqual(
            self.curve(self.sales_manager),
            [
                ("Alpha", 1, 25, 600.0, 68.18, False),
                ("Beta", 2, 50, 300.0, 102.27, False),
                ("Gamma", 3, 75, 120.0, 115.91, False),
                ("Delta", 4, 100, -140.0, 100.0, True),
            ],
        )
        self.assertEqual(
            self.report(self.sales_manager).whale_curve(),
            {
                self.company.id: {
                    "customers": 4,
                    "contribution": 880.0,
                    "peak": 115.91,
                    "share_for_100": 50.0,
                    "destroyers": 1,
                    "destroyed": -140.0,
                }
            },
        )

    def test_read_group_as_the_web_client(self):
        Report = self.report(self.sales_manager)
        # the graph: cumulative contribution per customer percentile
        graph = Report.read_group(
            [],
            ["contribution_cumulative:max"],
            ["customer_percentile"],
            orderby="customer_percentile",
        )
        self.assertEqual(
            [
                (g["customer_percentile"], round(g["contribution_cumulative"], 2))
                for g in graph
            ],
            [(25, 68.18), (50, 102.27), (75, 115.91), (100, 100.0)],
        )
        # the list's total and the value destroyers filter
        [total] = Report.read_group(
            [], ["contribution:sum", "contribution_cumulative:max", "position:max"], []
        )
        self.assertEqual(
            (
                round(total["contribution"], 2),
                round(total["contribution_cumulative"], 2),
                total["position"],
            ),
            (880.0, 115.91, 4),
        )
        [destroyers] = Report.read_group(
            [("destroys_value", "=", True)], ["contribution:sum"], []
        )
        self.assertEqual(
            (destroyers["__count"], round(destroyers["contribution"], 2)),
            (1, -140.0),
        )

    def test_dashboard_tile(self):
        """The dashboard's tile: the figures of the curve and its points;
        nothing for a reader without access to the curve."""
        Dashboard = (
            self.env["crm.analytics.dashboard"]
            .with_user(self.sales_manager)
            .with_context(allowed_company_ids=self.company.ids)
        )
        [tile] = Dashboard.get_whale_data()
        self.assertEqual(
            {
                **tile,
                "points": [(p["x"], round(p["y"], 2)) for p in tile["points"]],
            },
            {
                "company_id": self.company.id,
                "company": self.company.name,
                "currency_id": self.company.currency_id.id,
                "customers": 4,
                "contribution": 880.0,
                "peak": 115.91,
                "share_for_100": 50.0,
                "destroyers": 1,
                "destroyed": -140.0,
                "points": [(25, 68.18), (50, 102.27), (75, 115.91), (100, 100.0)],
            },
        )
        employee = new_test_user(
            self.env, login="wc_tile_employee", groups="base.group_user"
        )
        self.assertIsNone(Dashboard.with_user(employee).get_whale_data())

    def test_own_customers(self):
        # Sally: Alpha, Delta and Gamma (nobody's): total 580
        self.assertEqual(
            self.curve(self.salesman),
            [
                ("Alpha", 1, 34, 600.0, 103.45, False),
                ("Gamma", 2, 67, 120.0, 124.14, False),
                ("Delta", 3, 100, -140.0, 100.0, True),
            ],
        )
        self.assertEqual(
            self.report(self.salesman).whale_curve()[self.company.id],
            {
                "customers": 3,
                "contribution": 580.0,
                "peak": 124.14,
                "share_for_100": 33.33,
                "destroyers": 1,
                "destroyed": -140.0,
            },
        )
        # the colleague: Beta and Gamma, total 420
        self.assertEqual(
            self.curve(self.colleague),
            [
                ("Beta", 1, 50, 300.0, 71.43, False),
                ("Gamma", 2, 100, 120.0, 100.0, False),
            ],
        )
        with readonly_env(self, self.env(user=self.colleague)) as env:
            curves = (
                env[REPORT]
                .with_context(allowed_company_ids=self.company.ids)
                .whale_curve()
            )
        self.assertEqual(
            curves[self.company.id],
            {
                "customers": 2,
                "contribution": 420.0,
                "peak": 100.0,
                "share_for_100": 100.0,
                "destroyers": 0,
                "destroyed": 0.0,
            },
        )

    def test_empty(self):
        # no contribution in Company B: no row, no percentage
        self.assertFalse(self.report(self.user_company_b, self.company_b).search([]))
        self.assertEqual(
            self.report(self.user_company_b, self.company_b).whale_curve(),
            {
                self.company_b.id: {
                    "customers": 0,
                    "contribution": 0.0,
                    "peak": None,
                    "share_for_100": None,
                    "destroyers": 0,
                    "destroyed": 0.0,
                }
            },
        )

    def test_total_not_positive(self):
        # Company B: Epsilon's margin 60 and a complaint (300): -240, no
        # percentage (the list shows 0)
        self.company_b.crm_cost_per_complaint = 300
        self.widget.with_company(self.company_b).standard_price = 40
        epsilon = self.customer("Epsilon", user_id=False)
        self.sell(self.company_b, [(epsilon, self.month_start, 1)])
        self.complain(self.company_b, epsilon)
        self.assertEqual(
            self.curve(self.user_company_b, self.company_b),
            [("Epsilon", 1, 100, -240.0, 0.0, True)],
        )
        self.assertEqual(
            self.report(self.user_company_b, self.company_b).whale_curve(),
            {
                self.company_b.id: {
                    "customers": 1,
                    "contribution": -240.0,
                    "peak": None,
                    "share_for_100": None,
                    "destroyers": 1,
                    "destroyed": -240.0,
                }
            },
        )
        # each company has its own curve, in the selected companies only
        both = self.report(self.sales_manager).with_context(
            allowed_company_ids=(self.company | self.company_b).ids
        )
        curves = both.whale_curve()
        self.assertEqual(
            {company: curve["contribution"] for company, curve in curves.items()},
            {self.company.id: 880.0, self.company_b.id: -240.0},
        )
        self.assertEqual(curves[self.company.id]["share_for_100"], 50.0)
        self.assertEqual(
            {(row.company_id, row.position) for row in both.search([])},
            {(self.company, position) for position in (1, 2, 3, 4)}
            | {(self.company_b, 1)},
        )
        self.assertFalse(
            self.report(self.user_company_b, self.company_b).search(
                [("company_id", "=", self.company.id)]
            )
        )

    def test_access(self):
        employee = new_test_user(
            self.env, login="wc_employee", groups="base.group_user"
        )
        with self.assertRaises(AccessError):
            self.report(employee).whale_curve()
        with self.assertRaises(AccessError):
            self.report(employee).search([])
