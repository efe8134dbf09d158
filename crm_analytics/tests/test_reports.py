from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged
from odoo.tools import SQL

from .common import AnalyticsCommon


@tagged("post_install", "-at_install")
class TestReports(AnalyticsCommon):
    """The SQL reports as the web client reads them: totals in the current
    company's currency, fresh values of their sources, ids that stay."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 2 EUR for 1 USD: the rate of EUR in the test company (see
        # LifecycleCommon)
        cls.company_eur = cls.setup_other_company(
            name="Company EUR", currency_id=cls.eur.id
        )["company"]
        cls.today = fields.Date.context_today(cls.env["crm.customer.profile"])
        cls.usd_buyer, cls.eur_buyer = cls.customers(2, prefix="Currency")
        # each buys twice, the second time for a tenth: declining
        cls.post_invoices(
            [
                (cls.usd_buyer, cls.today - timedelta(days=500), 1000),
                (cls.usd_buyer, cls.today - timedelta(days=200), 100),
            ]
        )
        cls.post_invoices(
            [
                (cls.eur_buyer, cls.today - timedelta(days=500), 600),
                (cls.eur_buyer, cls.today - timedelta(days=200), 60),
            ],
            company=cls.company_eur,
        )
        cls.both = cls.company | cls.company_eur

    def setUp(self):
        super().setUp()
        for company in self.both:
            self.rank(self.today - timedelta(days=365), company=company)
            self.rank(self.today, company=company)

    def in_companies(self, model, companies=None):
        """``model`` as read with ``companies`` selected (default both, the
        USD company current), as the web client reads it."""
        return self.env[model].with_context(
            allowed_company_ids=(companies or self.both).ids
        )

    def total(self, model, measures, domain=(), groupby=(), companies=None):
        """The pivot's total row(s): ``read_group`` with the measures as
        ``field:aggregator``, not lazy, as the pivot view asks."""
        Report = self.in_companies(model, companies)
        specs = [f"{name}:{Report._fields[name].aggregator}" for name in measures]
        return Report.read_group(list(domain), specs, list(groupby), lazy=False)

    def respond_satisfied(self, partner, company):
        """A completed response of ``partner`` in ``company``: CSI 1."""
        survey = self.env["survey.survey"].create({"title": "Currency survey"})
        dimension = self.env["crm.satisfaction.dimension"].search(
            [("code", "=", "quality")]
        )
        questions = self.env["survey.question"].create(
            [
                {
                    "survey_id": survey.id, "title": measure,
                    "question_type": "scale", "scale_min": 1, "scale_max": 5,
                    "crm_measure": measure, "crm_dimension_id": dimension.id,
                }
                for measure in ("expectation", "perception")
            ]
        )  # fmt: skip
        response = (
            self.env["survey.user_input"]
            .sudo()
            .create(
                {
                    "survey_id": survey.id,
                    "partner_id": partner.id,
                    "crm_company_id": company.id,
                    "user_input_line_ids": [
                        Command.create(
                            {
                                "question_id": question.id,
                                "answer_type": "scale",
                                "value_scale": 4,
                            }
                        )
                        for question in questions
                    ],
                }
            )
        )
        response._mark_done()

    def test_pivot_totals_in_the_current_company_currency(self):
        """Amounts of the EUR company count at the test company's rate (2
        EUR per USD) when the USD company is current, at the EUR company's
        own rates when it is."""
        self.respond_satisfied(self.usd_buyer, self.company)
        self.respond_satisfied(self.eur_buyer, self.company_eur)
        buyers = [("partner_id", "in", (self.usd_buyer | self.eur_buyer).ids)]
        # invoiced in all: 1100 USD + 660 EUR = 330 USD, margin at 30 %
        [roi] = self.total("crm.roi.report", ["revenue", "margin"])
        self.assertAlmostEqual(roi["revenue"], 1430)
        self.assertAlmostEqual(roi["margin"], 429)
        per_company = self.total("crm.roi.report", ["revenue"], groupby=["company_id"])
        self.assertEqual(
            {g["company_id"][0]: round(g["revenue"], 2) for g in per_company},
            {self.company.id: 1100, self.company_eur.id: 330},
        )
        # the last 365 days: 100 USD + 60 EUR = 30 USD
        for model in ("crm.pareto.report", "crm.value.tier.report"):
            with self.subTest(model=model):
                [row] = self.total(model, ["rfm_monetary"], buyers)
                self.assertAlmostEqual(row["rfm_monetary"], 130)
        [trap] = self.total("crm.satisfaction.trap.report", ["revenue_12m"], buyers)
        self.assertEqual(trap["__count"], 2)
        self.assertAlmostEqual(trap["revenue_12m"], 130)
        # CLV: each company's only customer is VIP now and was a year ago,
        # and bought since (r = 1): CLV = margin × 1 / 0.1; margin 30 USD and
        # 18 EUR = 9 USD
        [clv] = self.total(
            "crm.clv.report",
            [
                "customers",
                "retention",
                "margin_total",
                "margin_avg",
                "clv",
                "clv_total",
            ],
        )
        self.assertEqual(clv["customers"], 2)
        self.assertAlmostEqual(clv["retention"], 1)
        self.assertAlmostEqual(clv["margin_total"], 39)
        self.assertAlmostEqual(clv["margin_avg"], 19.5)
        self.assertAlmostEqual(clv["clv_total"], 390)
        self.assertAlmostEqual(clv["clv"], 195)
        # share of wallet: (100 + 30) / (400 + 120 EUR = 60) USD, not the
        # mean of 25 % and 50 %
        self.usd_buyer.with_company(self.company).crm_potential_spend = 400
        self.eur_buyer.with_company(self.company_eur).crm_potential_spend = 120
        [wallet] = self.total("crm.value.tier.report", ["share_of_wallet"], buyers)
        self.assertAlmostEqual(wallet["share_of_wallet"], 100 * 130 / 460)
        rows = self.in_companies("crm.value.tier.report").search(buyers)
        self.assertEqual(rows.currency_id, self.company.currency_id)
        # The EUR company current: its rates (1 EUR = 0.5 USD) convert
        self.env["res.currency.rate"].create(
            {
                "name": "2000-01-01",
                "rate": 0.5,
                "currency_id": self.company.currency_id.id,
                "company_id": self.company_eur.id,
            }
        )
        eur_first = self.company_eur | self.company
        [roi] = self.total("crm.roi.report", ["revenue"], companies=eur_first)
        self.assertAlmostEqual(roi["revenue"], 1100 * 2 + 660)
        rows = self.in_companies("crm.roi.report", eur_first).search([])
        self.assertEqual(rows.currency_id, self.eur)
        # one company: its own currency, nothing converted
        [roi] = self.total("crm.roi.report", ["revenue"], companies=self.company_eur)
        self.assertAlmostEqual(roi["revenue"], 660)

    def test_reports_read_unflushed_changes(self):
        """A change made through the ORM and not yet written to the database
        shows in the reports: each flushes what its query reads."""

        def stored(table, column, record_id):
            # the database's value, without flushing
            self.env.cr.execute(
                SQL(
                    "SELECT %s FROM %s WHERE id = %s",
                    SQL.identifier(column),
                    SQL.identifier(table),
                    record_id,
                )
            )
            return self.env.cr.fetchone()[0]

        # responses first: completing one flushes
        self.respond_satisfied(self.usd_buyer, self.company)
        in_usd = [("company_id", "=", self.company.id)]
        # ROI: the company's margin rate
        self.company.crm_clv_margin_rate = 0.5
        self.assertEqual(
            stored("res_company", "crm_clv_margin_rate", self.company.id), 0.3
        )
        [roi] = self.total("crm.roi.report", ["margin"], in_usd)
        self.assertAlmostEqual(roi["margin"], 550)
        # CLV: the discount rate; margin 50 now: 50 × 1 / (1 + 0.4 − 1)
        self.company.crm_clv_discount_rate = 0.4
        self.assertEqual(
            stored("res_company", "crm_clv_discount_rate", self.company.id), 0.1
        )
        [clv] = self.total("crm.clv.report", ["clv_total"], in_usd)
        self.assertAlmostEqual(clv["clv_total"], 125)
        # churn: the churn period (5 days after each purchase, 300 days
        # apart: churned twice; never within a year)
        [churn] = self.total("crm.churn.report", ["churned"], in_usd)
        self.assertEqual(churn["churned"], 0)
        self.company.write(
            {"crm_churn_days": 5, "crm_winback_days": 5, "crm_new_days": 5}
        )
        self.assertEqual(stored("res_company", "crm_churn_days", self.company.id), 365)
        [churn] = self.total("crm.churn.report", ["churned"], in_usd)
        self.assertEqual(churn["churned"], 2)
        # profiles: the window revenue, the salesperson
        # (profiles are the system's to write)
        profile = self.profiles(self.usd_buyer).sudo()
        profile.write({"rfm_monetary": 250, "user_id": self.sales_manager.id})
        self.assertEqual(
            stored("crm_customer_profile", "rfm_monetary", profile.id), 100
        )
        buyer = [("partner_id", "=", self.usd_buyer.id)]
        for model in ("crm.pareto.report", "crm.value.tier.report"):
            with self.subTest(model=model):
                [row] = self.total(model, ["rfm_monetary"], buyer)
                self.assertAlmostEqual(row["rfm_monetary"], 250)
        [trap] = self.total(
            "crm.satisfaction.trap.report", [], buyer, groupby=["user_id"]
        )
        self.assertEqual(trap["user_id"][0], self.sales_manager.id)
        # the partner's potential spend
        self.usd_buyer.with_company(self.company).crm_potential_spend = 1000
        [wallet] = self.total("crm.value.tier.report", ["share_of_wallet"], buyer)
        self.assertAlmostEqual(wallet["share_of_wallet"], 10)

    def test_row_ids_stay(self):
        """A row's id is its key: the rows before stay, whatever comes in."""
        reports = {
            "crm.churn.report": ["company_id", "month", "user_id"],
            "crm.repurchase.report": ["company_id", "month", "user_id"],
            "crm.cohort.report": [
                "company_id",
                "cohort_month",
                "months_since",
                "user_id",
            ],
            "crm.roi.report": [
                "company_id",
                "month",
                "value_tier",
                "lifecycle_stage",
                "user_id",
            ],
            "crm.clv.report": ["company_id", "value_tier"],
        }

        def ids_by_key():
            result = {}
            for model, key in reports.items():
                rows = self.in_companies(model).search([]).read(key)
                ids = [row.pop("id") for row in rows]
                self.assertEqual(len(set(ids)), len(ids), model)
                result[model] = {
                    tuple(str(row[name]) for name in key): row_id
                    for row, row_id in zip(rows, ids, strict=True)
                }
            return result

        before = ids_by_key()
        self.assertTrue(all(before.values()))
        # an earlier customer in each company
        newcomer = self.customer("Newcomer")
        for company in self.both:
            self.post_invoices(
                [(newcomer, self.today - timedelta(days=600), 100)], company=company
            )
            self.rank(self.today, company=company)
        after = ids_by_key()
        # months before the first ones: row_number() would renumber them all
        self.assertGreater(
            len(after["crm.churn.report"]), len(before["crm.churn.report"])
        )
        for model, rows in before.items():
            with self.subTest(model=model):
                self.assertLessEqual(len(rows), len(after[model]))
                self.assertEqual({key: after[model].get(key) for key in rows}, rows)
                row_id = next(iter(rows.values()))
                self.assertEqual(
                    self.in_companies(model).search([("id", "=", row_id)]).ids,
                    [row_id],
                )

    def test_dashboard_pyramid_in_the_current_currency(self):
        """The pyramid's shares add up the window values of both companies in
        USD: VIP 100 USD + 60 EUR (30 USD), small 50 USD: 130 / 180, not
        (100 + 60) / 210."""
        [small] = self.customers(1, prefix="Small")
        self.post_invoices([(small, self.today - timedelta(days=10), 50)])
        self.rank(self.today)
        data = (
            self.env["crm.analytics.dashboard"]
            .with_context(allowed_company_ids=self.both.ids)
            .get_dashboard_data({})
        )
        pyramid = {tier["key"]: tier for tier in data["pyramid"]}
        self.assertEqual((pyramid["vip"]["count"], pyramid["small"]["count"]), (2, 1))
        self.assertAlmostEqual(pyramid["vip"]["share"], 100 * 130 / 180)
        self.assertAlmostEqual(pyramid["small"]["share"], 100 * 50 / 180)

    def test_tier_migration_in_the_current_currency(self):
        """The tier migration of both companies adds up their customers'
        window revenue in USD: 100 USD + 60 EUR (30 USD), in the matrix and
        in the wizard's pivot."""
        year_ago = self.today - timedelta(days=365)
        Period = self.in_companies("crm.customer.snapshot.period")
        matrix = Period.migration_matrix(year_ago, self.today)
        self.assertEqual(
            [
                (m["tier_from"], m["tier_to"], m["count"], m["revenue"])
                for m in matrix
                if m["tier_to"] != "none"
            ],
            [("vip", "vip", 2, 130)],
        )
        wizard = (
            self.in_companies("crm.tier.migration.wizard")
            .create({"date_from": year_ago, "date_to": self.today})
            .with_context(allowed_company_ids=self.both.ids)
        )
        Line = self.in_companies("crm.tier.migration.line")
        [total] = Line.read_group(
            [*wizard.action_open_matrix()["domain"], ("tier_to", "=", "vip")],
            ["revenue:sum", "value:sum"],
            [],
            lazy=False,
        )
        self.assertEqual(
            (total["__count"], total["revenue"], total["value"]), (2, 130, 130)
        )
        self.assertEqual(
            Line.search([("wizard_id", "=", wizard.id)], limit=1).currency_id,
            self.company.currency_id,
        )
