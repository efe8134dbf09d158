from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import AnalyticsCommon


@tagged("post_install", "-at_install")
@freeze_time(AnalyticsCommon.REF)
class TestChannelReport(AnalyticsCommon):
    """Customers by channel: the repurchase and satisfaction of the customers
    by the channels they were in contact through over the last 12 months
    (REF − 365 < date ≤ REF), each customer counted once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = cls.env["crm.channel.report"]
        cls.colleague = new_test_user(
            cls.env,
            login="ch_colleague",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        delivery = cls.env.ref("crm_satisfaction.dimension_delivery")
        survey = cls.env["survey.survey"].create({"title": "After-sale survey"})
        cls.questions = cls.env["survey.question"].create(
            [
                {
                    "survey_id": survey.id,
                    "title": title,
                    "question_type": "scale",
                    "scale_min": scale_min,
                    "scale_max": scale_max,
                    "crm_measure": measure,
                    "crm_dimension_id": dimension and dimension.id,
                }
                for title, measure, scale_min, scale_max, dimension in (
                    ("Overall", "overall", 1, 5, None),
                    ("Recommend", "recommend", 0, 10, None),
                    ("Delivery expected", "expectation", 1, 5, delivery),
                    ("Delivery perceived", "perception", 1, 5, delivery),
                )
            ]
        )
        # A: bought the year before and again; called twice, one e-mail
        # from the customer, a satisfied promoter (C = 5 / 4)
        cls.acme = cls.customer("Acme", email="info@acme.test")
        cls.invoice(cls.acme, "2024-03-01", 100)
        cls.invoice(cls.acme, "2025-03-01", 100)
        cls._call(cls.acme, "2025-05-01 10:00:00")
        cls._call(cls.acme, "2025-05-02 10:00:00")
        cls._email(cls.acme, "2025-06-01 10:00:00")
        cls._answer(cls.acme, (5, 10, 4, 5), "2025-05-10 10:00:00")
        # B: bought the year before only; called once, a dissatisfied
        # detractor (C = 4 / 5), a call more recent than the survey
        cls.beta = cls.customer("Beta", email="info@beta.test")
        cls.invoice(cls.beta, "2024-02-01", 100)
        cls._call(cls.beta, "2025-04-01 10:00:00")
        cls._answer(cls.beta, (2, 3, 5, 4), "2025-03-01 10:00:00")
        # C, the colleague's: a first purchase this year, an e-mail; an
        # e-mail older than 12 months does not count
        cls.gamma = cls.customer(
            "Gamma", user_id=cls.colleague.id, email="info@gamma.test"
        )
        cls.invoice(cls.gamma, "2025-01-01", 100)
        cls._email(cls.gamma, "2025-02-01 10:00:00")
        cls._email(cls.gamma, "2024-05-01 10:00:00")
        cls.trio = cls.acme | cls.beta | cls.gamma

    @classmethod
    def _call(cls, partner, date):
        cls._activity_done(partner, "mail.mail_activity_data_call", date)

    @classmethod
    def _email(cls, partner, date):
        cls._message(partner, "email", partner, date, "Question")

    @classmethod
    def _answer(cls, partner, values, date):
        response = cls.complete_response(
            cls, partner, list(zip(cls.questions, values, strict=True))
        )
        response.end_datetime = date

    def groups(self, groupby, domain=(), env=None):
        measures = [
            "customer_count", "contact_count", "buyers_previous", "repeat_buyers",
            "repurchase_rate", "csi_responses", "csi", "csat_responses", "csat",
            "nps_responses", "nps",
        ]  # fmt: skip
        Report = (env or self.env)["crm.channel.report"]
        return [
            tuple(
                round(g[name], 3) if isinstance(g[name], float) else g[name]
                for name in [*groupby, *measures]
            )
            for g in Report.read_group(
                [
                    ("partner_id", "in", self.trio.ids),
                    ("company_id", "=", self.company.id),
                    *domain,
                ],
                [f"{name}:sum" for name in measures],
                groupby,
                lazy=False,
            )
        ]

    def test_by_main_channel(self):
        """Grouped by main channel, as the pivot opens: the rates of each
        group and of the total are ratios of the summed counts."""
        rows = {
            r.partner_id: r
            for r in self.Report.search(
                [
                    ("partner_id", "in", self.trio.ids),
                    ("company_id", "=", self.company.id),
                ]
            )
        }
        self.assertEqual(
            [
                (r.main_channel, r.preferred_channel, r.used_phone, r.used_email)
                for r in (rows[self.acme], rows[self.beta], rows[self.gamma])
            ],
            [
                ("phone", "email", True, True),
                # the call is more recent than the survey
                ("phone", "survey", True, False),
                ("email", "email", False, True),
            ],
        )
        # channel, customers, contacts, bought the year before, again,
        # repurchase %, CSI responses, CSI, CSAT responses, CSAT %, NPS
        # responses, NPS (contacts: Acme's 2 calls, e-mail and survey, Beta's
        # call and survey)
        self.assertEqual(
            self.groups(["main_channel"]),
            [
                ("email", 1, 1, 0, 0, False, 0, False, 0, False, 0, False),
                ("phone", 2, 6, 2, 1, 50.0, 2, 1.025, 2, 50.0, 2, 0.0),
            ],
        )
        self.assertEqual(
            self.groups([]),
            [(3, 7, 2, 1, 50.0, 2, 1.025, 2, 50.0, 2, 0.0)],
        )
        # the customers reached by e-mail: Acme bought again, Gamma is new
        self.assertEqual(
            self.groups([], [("used_email", "=", True)]),
            [(2, 5, 1, 1, 100.0, 1, 1.25, 1, 100.0, 1, 100.0)],
        )

    def test_own_customers_only(self):
        """A salesperson limited to their own documents reads the rows of
        their own customers; invoicing users are refused the report."""
        self.assertEqual(
            self.groups([], env=self.env(user=self.colleague)),
            [(1, 1, 0, 0, False, 0, False, 0, False, 0, False)],
        )
        self.assertEqual(
            self.groups([], env=self.env(user=self.salesman))[0][:5],
            (2, 6, 2, 1, 50.0),
        )
        with self.assertRaises(AccessError):
            self.Report.with_user(self.accountant).search([])

    def test_window_edges_and_other_surveys(self):
        """A purchase 729 to 365 days ago makes a buyer of the year before,
        one 364 days ago or later a repeat buyer; 730 days ago is too old.
        A quiz answered is neither a contact nor a satisfaction response."""
        epsilon = self.customer("Epsilon")
        zeta = self.customer("Zeta")
        self.post_invoices(
            [
                (epsilon, self.days_before(729), 100),
                (epsilon, self.days_before(364), 100),
                (zeta, self.days_before(730), 100),
                (zeta, self.days_before(365), 100),
            ]
        )
        quiz = self.env["survey.survey"].create({"title": "Product quiz"})
        question = self.env["survey.question"].create(
            {
                "survey_id": quiz.id,
                "title": "How many bolts in a dozen?",
                "question_type": "scale",
                "scale_min": 1,
                "scale_max": 5,
            }
        )
        self.complete_response(
            zeta, [(question, 5)]
        ).end_datetime = "2025-06-01 10:00:00"
        rows = self.Report.search(
            [
                ("partner_id", "in", (epsilon | zeta).ids),
                ("company_id", "=", self.company.id),
            ],
            order="partner_id",
        )
        self.assertEqual(
            [
                (
                    r.partner_id.name,
                    r.buyers_previous,
                    r.repeat_buyers,
                    r.main_channel,
                    r.used_survey,
                    r.contact_count,
                    r.csat_responses,
                )
                for r in rows
            ],
            [
                ("Epsilon", 1, 1, False, False, 0, 0),
                ("Zeta", 1, 0, False, False, 0, 0),
            ],
        )
        self.assertEqual(
            self.env["crm.touchpoint"].search_count(
                [("partner_id", "=", zeta.id), ("channel", "=", "survey")]
            ),
            0,
        )

    def test_all_customers_and_other_company(self):
        """A sales manager reads every customer of the company; a user of
        Company B only reads the customers' rows of Company B."""
        self.assertEqual(
            self.groups([], env=self.env(user=self.sales_manager))[0][:5],
            (3, 7, 2, 1, 50.0),
        )
        rows = (
            self.env(user=self.user_company_b)["crm.channel.report"]
            .with_context(allowed_company_ids=self.company_b.ids)
            .search([("partner_id", "in", self.trio.ids)])
        )
        self.assertEqual(rows.company_id, self.company_b)
        self.assertEqual(len(rows), 3)
