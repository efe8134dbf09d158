from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import OwnCustomersCommon

MAY = date(2025, 5, 1)
JUNE = date(2025, 6, 1)


@tagged("post_install", "-at_install")
@freeze_time(OwnCustomersCommon.REF)
class TestOwnAggregates(OwnCustomersCommon):
    """Churn, cohorts, repurchase, revenue and margin break down by
    salesperson and team; a salesperson limited to their own documents
    counts their own customers (and those of nobody) in the reports, the
    analyses and the dashboard, a manager everyone; the salespeople's rows
    add up to the company's figures. ROI is the company's: managers only.

    Purchases (the reports read the documents up to the database's today):

    ======================  ==========================  =====================
    customer                purchases                   salesperson (team)
    ======================  ==========================  =====================
    Churned lc_salesman     2024-05-26: 100             Sally (North)
    Churned va_colleague    2024-05-26: 100,            colleague (South)
                            2025-04-15: 40
    Churned nobody          2024-05-26: 100             none
    Active lc_salesman      2025-05-10: 50,             Sally (North)
                            2025-06-20: 100
    Active va_colleague     2025-06-20: 200             colleague (South)
    Active nobody           2025-05-20: 70,             none
                            2025-06-20: 300
    ======================  ==========================  =====================
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Team = cls.env["crm.team"]
        cls.north = Team.create({"name": "North", "company_id": cls.company.id})
        cls.south = Team.create({"name": "South", "company_id": cls.company.id})
        cls.env["crm.team.member"].create(
            [
                {"crm_team_id": cls.north.id, "user_id": cls.salesman.id},
                {"crm_team_id": cls.south.id, "user_id": cls.colleague.id},
            ]
        )
        cls.post_invoices(
            [
                (cls.active[cls.salesman], date(2025, 5, 10), 50),
                (cls.active[cls.nobody], date(2025, 5, 20), 70),
                (cls.churned[cls.colleague], date(2025, 4, 15), 40),
            ]
        )
        # a year before REF (the retention of the lifetime value), then REF
        cls.rank(cls, cls.days_before(365))
        cls.rank(cls, cls.REF)

    def grouped(self, model, user, groupby, aggregates, domain=()):
        """{group key: aggregates} of ``model`` in the test company, as
        ``user`` reads them."""
        groups = (
            self.env[model]
            .with_user(user)
            .with_context(allowed_company_ids=self.company.ids)
            ._read_group(
                [("company_id", "=", self.company.id), *domain],
                groupby,
                aggregates,
            )
        )
        return {
            tuple(
                value.id if hasattr(value, "_name") else value
                for value in row[: len(groupby)]
            ): tuple(
                round(value, 2) if isinstance(value, float) else value
                for value in row[len(groupby) :]
            )
            for row in groups
        }

    def test_teams(self):
        self.assertEqual(self.salesman.sale_team_id, self.north)
        self.assertEqual(self.colleague.sale_team_id, self.south)

    def test_churn_per_salesperson(self):
        """May 2025: the three customers of 2024-05-26 are active at its
        start; those of Sally and nobody churn on 27 May, the colleague's
        bought again in April."""
        measures = [
            "active_start:avg",
            "churned:sum",
            "churn_base:sum",
            "churn_rate:sum",
        ]
        may = [("month", "=", MAY)]
        churn = "crm.churn.report"
        by_user = self.grouped(churn, self.sales_manager, ["user_id"], measures, may)
        self.assertEqual(
            by_user,
            {
                (self.salesman.id,): (1, 1, 1, 100.0),
                (self.colleague.id,): (1, 0, 1, 0.0),
                (False,): (1, 1, 1, 100.0),
            },
        )
        # the company's figures: the salespeople's rows added up
        self.assertEqual(
            self.grouped(churn, self.sales_manager, [], measures, may),
            {(): (3, 2, 3, 66.67)},
        )
        self.assertEqual(
            self.grouped(churn, self.all_docs, [], measures, may),
            {(): (3, 2, 3, 66.67)},
        )
        # own documents: Sally's and nobody's customers; the colleague's
        self.assertEqual(
            self.grouped(churn, self.salesman, [], measures, may),
            {(): (2, 2, 2, 100.0)},
        )
        self.assertEqual(
            self.grouped(churn, self.colleague, [], measures, may),
            {(): (2, 1, 2, 50.0)},
        )
        self.assertEqual(
            self.grouped(churn, self.sales_manager, ["team_id"], measures, may),
            {
                (self.north.id,): (1, 1, 1, 100.0),
                (self.south.id,): (1, 0, 1, 0.0),
                (False,): (1, 1, 1, 100.0),
            },
        )
        # every month: the salespeople's rows add up to the company's
        self.assert_rows_add_up(
            churn, ["month:month"], ["churned:sum", "won_back:sum", "churn_base:sum"]
        )
        rows = self.env[churn].with_user(self.salesman).search([])
        self.assertEqual({row.user_id for row in rows}, {self.salesman, self.nobody})
        theirs = self.env[churn].search([("user_id", "=", self.colleague.id)])
        with self.assertRaises(AccessError):
            theirs.with_user(self.salesman).read(["churned"])

    def assert_rows_add_up(self, model, groupby, aggregates):
        per_user = {}
        for key, values in self.grouped(
            model, self.sales_manager, [*groupby, "user_id"], aggregates
        ).items():
            totals = per_user.setdefault(key[:-1], [0] * len(values))
            for index, value in enumerate(values):
                totals[index] += value
        company = self.grouped(model, self.sales_manager, groupby, aggregates)
        self.assertTrue(company)
        self.assertEqual(
            {key: tuple(values) for key, values in per_user.items()}, company
        )

    def test_cohorts_per_salesperson(self):
        cohort = "crm.cohort.report"
        measures = ["cohort_size:avg", "buyers:sum", "retention:sum"]
        cells = ["cohort_month:month", "months_since"]
        self.assertEqual(
            self.grouped(cohort, self.sales_manager, cells, measures),
            {
                (date(2024, 5, 1), 0): (3, 3, 100.0),
                (date(2024, 5, 1), 11): (3, 1, 33.33),
                (MAY, 0): (2, 2, 100.0),
                (MAY, 1): (2, 2, 100.0),
                (JUNE, 0): (1, 1, 100.0),
            },
        )
        # own documents: the cells of Sally's and nobody's customers, those
        # who did not buy included
        self.assertEqual(
            self.grouped(cohort, self.salesman, cells, measures),
            {
                (date(2024, 5, 1), 0): (2, 2, 100.0),
                (date(2024, 5, 1), 11): (2, 0, 0.0),
                (MAY, 0): (2, 2, 100.0),
                (MAY, 1): (2, 2, 100.0),
            },
        )
        self.assertEqual(
            self.grouped(cohort, self.colleague, cells, measures),
            {
                (date(2024, 5, 1), 0): (2, 2, 100.0),
                (date(2024, 5, 1), 11): (2, 1, 50.0),
                (MAY, 0): (1, 1, 100.0),
                (MAY, 1): (1, 1, 100.0),
                (JUNE, 0): (1, 1, 100.0),
            },
        )
        # a cohort's size over its months: the mean per cell, not a sum
        # over the salespeople's rows; per month since: the mean per cohort
        self.assertEqual(
            self.grouped(cohort, self.sales_manager, ["cohort_month:month"], measures),
            {
                (date(2024, 5, 1),): (3, 4, 66.67),
                (MAY,): (2, 4, 100.0),
                (JUNE,): (1, 1, 100.0),
            },
        )
        self.assertEqual(
            self.grouped(
                cohort, self.sales_manager, [], measures, [("months_since", "=", 0)]
            ),
            {(): (2, 6, 100.0)},
        )
        self.assertEqual(
            self.grouped(cohort, self.sales_manager, ["team_id"], measures),
            {
                (self.north.id,): (1, 3, 75.0),
                (self.south.id,): (1, 3, 100.0),
                (False,): (1, 3, 75.0),
            },
        )
        self.assert_rows_add_up(cohort, cells, ["cohort_size:sum", "buyers:sum"])

    def test_repurchase_per_salesperson(self):
        report = "crm.repurchase.report"
        measures = ["buyers_previous:sum", "repeat_buyers:sum", "repurchase_rate:sum"]
        months = [("month", "in", (date(2024, 6, 1), MAY, JUNE, date(2025, 7, 1)))]
        self.assertEqual(
            self.grouped(report, self.sales_manager, ["month:month"], measures, months),
            {
                (date(2024, 6, 1),): (3, 0, 0.0),
                (MAY,): (1, 0, 0.0),
                (JUNE,): (2, 2, 100.0),
                (date(2025, 7, 1),): (3, 0, 0.0),
            },
        )
        self.assertEqual(
            self.grouped(report, self.salesman, ["month:month"], measures, months),
            {
                (date(2024, 6, 1),): (2, 0, 0.0),
                (JUNE,): (2, 2, 100.0),
                (date(2025, 7, 1),): (2, 0, 0.0),
            },
        )
        self.assertEqual(
            self.grouped(report, self.colleague, [], measures, months),
            {(): (6, 1, 16.67)},
        )
        self.assertEqual(
            self.grouped(report, self.sales_manager, ["team_id"], measures, months),
            {
                (self.north.id,): (3, 1, 33.33),
                (self.south.id,): (3, 0, 0.0),
                (False,): (3, 1, 33.33),
            },
        )
        self.assert_rows_add_up(
            report, ["month:month"], ["buyers_previous:sum", "repeat_buyers:sum"]
        )

    def test_revenue_and_margin_per_salesperson(self):
        report = "crm.roi.report"
        self.assertEqual(
            self.grouped(report, self.sales_manager, ["user_id"], ["revenue:sum"]),
            {
                (self.salesman.id,): (250.0,),
                (self.colleague.id,): (340.0,),
                (False,): (470.0,),
            },
        )
        self.assertEqual(
            self.grouped(report, self.salesman, [], ["revenue:sum", "margin:sum"]),
            {(): (720.0, 216.0)},
        )
        self.assertEqual(
            self.grouped(report, self.colleague, [], ["revenue:sum"]),
            {(): (810.0,)},
        )
        self.assertEqual(
            self.grouped(report, self.sales_manager, ["team_id"], ["revenue:sum"]),
            {
                (self.north.id,): (250.0,),
                (self.south.id,): (340.0,),
                (False,): (470.0,),
            },
        )
        self.assert_rows_add_up(report, ["month:month"], ["revenue:sum", "margin:sum"])

    def test_pareto_and_clv_of_the_readable_customers(self):
        Profile = self.Profile.with_context(allowed_company_ids=self.company.ids)
        Pareto = self.env["crm.pareto.report"].with_context(
            allowed_company_ids=self.company.ids
        )
        # window revenue: 370 nobody, 200 colleague, 150 Sally, 40 the
        # colleague's returning customer
        self.assertEqual(
            Pareto.with_user(self.sales_manager).pareto(self.REF),
            {"customers": 4, "share_for_80": 75.0},
        )
        self.assertEqual(
            Pareto.with_user(self.salesman).pareto(self.REF),
            {"customers": 2, "share_for_80": 100.0},
        )
        self.assertEqual(
            Pareto.with_user(self.colleague).pareto(self.REF),
            {"customers": 3, "share_for_80": 66.67},
        )
        # the curve: of the customers the reader may read
        curves = {}
        for user in (self.sales_manager, self.salesman):
            self.env.invalidate_all()
            curves[user] = [
                (
                    row.partner_id.name,
                    row.position,
                    row.customer_percentile,
                    round(row.revenue_share_cumulative, 2),
                )
                for row in self.env["crm.pareto.report"]
                .with_user(user)
                .with_context(allowed_company_ids=self.company.ids)
                .search([("company_id", "=", self.company.id)], order="position")
            ]
        self.assertEqual(
            curves[self.sales_manager],
            [
                ("Active nobody", 1, 25, 48.68),
                ("Active va_colleague", 2, 50, 75.0),
                ("Active lc_salesman", 3, 75, 94.74),
                ("Churned va_colleague", 4, 100, 100.0),
            ],
        )
        self.assertEqual(
            curves[self.salesman],
            [("Active nobody", 1, 50, 71.15), ("Active lc_salesman", 2, 100, 100.0)],
        )
        # the report: as of the database's today
        [[today]] = self.env.execute_query(SQL("SELECT CURRENT_DATE"))
        figures = {}
        for user in (self.sales_manager, self.salesman, self.colleague):
            # a report row's figures depend on its reader: one request each
            self.env.invalidate_all()
            clv = Profile.with_user(user).clv(self.REF)
            figures[user] = {
                tier: (row["customers"], row["retention"], round(row["margin"], 2))
                for tier, row in clv.items()
            }
            rows = (
                self.env["crm.clv.report"]
                .with_user(user)
                .with_context(allowed_company_ids=self.company.ids)
                .search([])
            )
            self.assertEqual(
                {row.value_tier: row.customers for row in rows},
                {
                    tier: row["customers"]
                    for tier, row in Profile.with_user(user).clv(today).items()
                },
            )
        # a year before REF: the colleague's churned customer ordinary (it
        # bought since), Sally's VIP, nobody's small (neither bought since);
        # at REF: nobody's active customer VIP (370 × 30 % margin), the
        # colleague's ordinary (200), Sally's (150) and the colleague's
        # returning one (40) small
        self.assertEqual(
            figures[self.sales_manager],
            {
                "vip": (1, 0.0, 111.0),
                "ordinary": (1, 1.0, 60.0),
                "small": (2, 0.0, 28.5),
            },
        )
        self.assertEqual(
            figures[self.salesman], {"vip": (1, 0.0, 111.0), "small": (1, 0.0, 45.0)}
        )
        # no VIP of the colleague's or nobody's a year ago: no retention
        self.assertEqual(
            figures[self.colleague],
            {
                "vip": (1, None, 111.0),
                "ordinary": (1, 1.0, 60.0),
                "small": (1, 0.0, 12.0),
            },
        )

    def test_tier_migration_of_the_readable_customers(self):
        """A year before REF: the churned customers ranked (Sally's VIP, the
        colleague's ordinary, nobody's small), the active ones prospects; at
        REF, see the lifetime value test."""
        Period = self.Period.with_context(allowed_company_ids=self.company.ids)
        year_ago = self.days_before(365)
        moves = {}
        for user in (self.sales_manager, self.salesman):
            moves[user] = {
                (row["tier_from"], row["tier_to"]): row["count"]
                for row in Period.with_user(user).migration_matrix(year_ago, self.REF)
                # the fixtures' other partners: prospects without a tier
                if (row["tier_from"], row["tier_to"]) != ("none", "none")
            }
        self.assertEqual(
            moves[self.sales_manager],
            {
                ("none", "vip"): 1,
                ("none", "ordinary"): 1,
                ("none", "small"): 1,
                ("ordinary", "small"): 1,
                ("vip", "none"): 1,
                ("small", "none"): 1,
            },
        )
        self.assertEqual(
            moves[self.salesman],
            {
                ("none", "vip"): 1,
                ("none", "small"): 1,
                ("vip", "none"): 1,
                ("small", "none"): 1,
            },
        )
        wizard = (
            self.env["crm.tier.migration.wizard"]
            .with_user(self.salesman)
            .with_context(allowed_company_ids=self.company.ids)
            .create({"date_from": year_ago, "date_to": self.REF})
        )
        wizard.action_open_matrix()
        self.assertEqual(
            wizard.line_ids.filtered(lambda line: line.tier_to != "none").partner_id,
            self.customers_of(self.salesman, self.nobody, role="active"),
        )
        self.assertEqual(
            wizard.line_ids.filtered(lambda line: line.tier_from != "none").partner_id,
            self.customers_of(self.salesman, self.nobody, role="churned"),
        )

    def test_roi_is_for_managers(self):
        Roi = self.env["crm.roi.report"].with_context(
            allowed_company_ids=self.company.ids
        )
        for user in (self.salesman, self.all_docs):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Roi.with_user(user).roi(date(2025, 1, 1), date(2025, 6, 30))
        roi = Roi.with_user(self.sales_manager).roi(date(2025, 1, 1), date(2025, 6, 30))
        self.assertEqual((roi["revenue"], roi["cost"]), (760, None))

    def test_dashboard_churn_and_stage_flow(self):
        Dashboard = self.env["crm.analytics.dashboard"].with_context(
            allowed_company_ids=self.company.ids
        )
        may = {"date_from": "2025-05-01", "date_to": "2025-05-31"}
        # the first half of 2025: from the ranking of 2024-06-30 to REF's
        half = {"date_from": "2025-01-01", "date_to": "2025-06-30"}

        def churn(user, **filters):
            data = Dashboard.with_user(user).get_dashboard_data(may | filters)
            return [
                (row["month"], row["churned"], row["won_back"], row["churn_rate"])
                for row in data["churn_trend"]
            ]

        def flow(user, **filters):
            data = Dashboard.with_user(user).get_dashboard_data(half | filters)
            return {(f["from"], f["to"]): f["count"] for f in data["stage_flow"]}

        self.assertEqual(churn(self.sales_manager), [("2025-05-01", 2, 0, 200 / 3)])
        self.assertEqual(
            churn(self.sales_manager, team_id=self.north.id),
            [("2025-05-01", 1, 0, 100.0)],
        )
        self.assertEqual(
            churn(self.sales_manager, user_id=self.colleague.id),
            [("2025-05-01", 0, 0, 0.0)],
        )
        self.assertEqual(churn(self.salesman), [("2025-05-01", 2, 0, 100.0)])
        # another's customers: nothing the salesperson may read
        self.assertEqual(churn(self.salesman, team_id=self.south.id), [])
        # stage flow: the active customers were prospects at the ranking of
        # 2024-06-30; the churned ones were new
        self.assertEqual(
            flow(self.sales_manager),
            {("Prospect", "New"): 3, ("New", "Churned"): 2, ("New", "Declining"): 1},
        )
        self.assertEqual(
            flow(self.sales_manager, team_id=self.north.id),
            {("Prospect", "New"): 1, ("New", "Churned"): 1},
        )
        self.assertEqual(
            flow(self.salesman), {("Prospect", "New"): 2, ("New", "Churned"): 2}
        )
        self.assertEqual(flow(self.salesman, team_id=self.south.id), {})
