from datetime import datetime

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import SatisfactionCommon

DAY = datetime(2025, 5, 10, 9, 0)


@tagged("post_install", "-at_install")
class TestSatisfactionOwnCustomers(SatisfactionCommon):
    """A salesperson limited to their own documents reads the satisfaction
    results and responses of their own customers, of customers without a
    salesperson and of responses without a customer; the service controls
    count what they may read."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login, groups):
            return new_test_user(
                cls.env,
                login=login,
                groups=groups,
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
            )

        cls.colleague = user("sat_colleague", "sales_team.group_sale_salesman")
        # survey officer: what every new user is by default
        cls.officer_salesman = user(
            "sat_officer_salesman",
            "sales_team.group_sale_salesman,survey.group_survey_user",
        )
        cls.all_docs = user("sat_all_docs", "sales_team.group_sale_salesman_all_leads")
        cls.manager = user("sat_sales_manager", "sales_team.group_sale_manager")
        cls.accountant = user("sat_accountant", "account.group_account_invoice")
        Partner = cls.env["res.partner"]
        cls.mine = Partner.create(
            {"name": "Mine", "is_company": True, "user_id": cls.salesman.id}
        )
        cls.theirs = Partner.create(
            {"name": "Theirs", "is_company": True, "user_id": cls.colleague.id}
        )
        # cls.customer has no salesperson
        cls.r_mine = cls.respond({"expectation_a": 4, "overall": 1}, partner=cls.mine)
        cls.r_theirs = cls.respond(
            {"expectation_a": 4, "overall": 1}, partner=cls.theirs
        )
        cls.r_nobody = cls.respond({"expectation_a": 4, "overall": 5})
        cls.r_anonymous = cls.respond(
            {"expectation_a": 4, "overall": 5}, partner_id=False
        )
        cls.responses = cls.r_mine | cls.r_theirs | cls.r_nobody | cls.r_anonymous
        cls.responses.sudo().end_datetime = DAY
        # a quiz of the colleague's customer is no satisfaction response
        cls.quiz = cls.env["survey.survey"].create(
            {
                "title": "Product quiz",
                "question_ids": [
                    Command.create({"title": "Legs?", "question_type": "numerical_box"})
                ],
            }
        )
        cls.quiz_theirs = (
            cls.env["survey.user_input"]
            .sudo()
            .create({"survey_id": cls.quiz.id, "partner_id": cls.theirs.id})
        )

    def visible(self, model, user):
        return (
            self.env[model].with_user(user).search([("survey_id", "=", self.survey.id)])
        )

    def test_fixture(self):
        self.assertEqual(self.r_mine.crm_partner_id, self.mine)
        self.assertFalse(self.r_anonymous.crm_partner_id)
        self.assertEqual(set(self.responses.mapped("state")), {"done"})
        self.assertEqual(len(self.responses.crm_result_ids), 4)

    def test_own_documents_salesperson(self):
        own = self.r_mine | self.r_nobody | self.r_anonymous
        for user in (self.salesman, self.officer_salesman):
            with self.subTest(user=user.login):
                expected = own if user == self.salesman else own - self.r_mine
                self.assertEqual(self.visible("survey.user_input", user), expected)
                self.assertEqual(
                    self.visible("survey.user_input.line", user).user_input_id,
                    expected,
                )
                self.assertEqual(
                    self.env["crm.satisfaction.result"]
                    .with_user(user)
                    .search([("user_input_id", "in", self.responses.ids)]),
                    expected.crm_result_ids,
                )
                with self.assertRaises(AccessError):
                    self.r_theirs.with_user(user).read(["crm_csi"])
                with self.assertRaises(AccessError):
                    self.r_theirs.user_input_line_ids.with_user(user).read(
                        ["value_scale"]
                    )
                with self.assertRaises(AccessError):
                    self.r_theirs.crm_result_ids.with_user(user).read(["ratio"])
                figures = self.Analysis.with_user(user).compute(
                    [("survey_id", "=", self.survey.id)]
                )
                self.assertEqual(figures["responses"], len(expected))
        # the survey officer still reads the quiz of the colleague's customer
        self.assertEqual(
            self.env["survey.user_input"]
            .with_user(self.officer_salesman)
            .search([("survey_id", "=", self.quiz.id)]),
            self.quiz_theirs,
        )
        self.assertEqual(
            self.visible("survey.user_input", self.colleague),
            self.r_theirs | self.r_nobody | self.r_anonymous,
        )

    def test_all_documents_managers_and_finance(self):
        for user in (self.all_docs, self.manager):
            with self.subTest(user=user.login):
                self.assertEqual(
                    self.visible("survey.user_input", user), self.responses
                )
                self.assertEqual(
                    self.Analysis.with_user(user).compute(
                        [("survey_id", "=", self.survey.id)]
                    )["responses"],
                    4,
                )
        for user in (self.all_docs, self.manager, self.accountant):
            with self.subTest(user=user.login):
                self.assertEqual(
                    self.env["crm.satisfaction.result"]
                    .with_user(user)
                    .search([("user_input_id", "in", self.responses.ids)]),
                    self.responses.crm_result_ids,
                )

    def test_service_controls_count_what_the_caller_reads(self):
        Case = self.env["crm.service.case"]
        cases = Case.create(
            [
                {
                    "name": "Mine",
                    "partner_id": self.mine.id,
                    "user_id": self.salesman.id,
                    "date_recorded": DAY,
                },
                {
                    "name": "Theirs",
                    "partner_id": self.theirs.id,
                    "user_id": self.colleague.id,
                    "date_recorded": DAY,
                },
                {
                    "name": "Nobody's",
                    "partner_id": self.customer.id,
                    "user_id": False,
                    "case_type": "request",
                    "date_recorded": DAY,
                },
            ]
        )
        self.assertEqual(
            cases.mapped("case_type"), ["complaint", "complaint", "request"]
        )
        cases[1].activity_schedule(
            activity_type_id=self.env.ref(
                "crm_satisfaction.mail_activity_type_callback"
            ).id,
            date_deadline=fields.Date.to_date("2025-05-20"),
            user_id=self.colleague.id,
        )
        # customers invoiced in May, by the invoices' salesperson
        for partner, salesperson in (
            (self.mine, self.salesman),
            (self.theirs, self.colleague),
            (self.theirs, self.colleague),
            (self.customer, False),
        ):
            invoice = self.init_invoice(
                "out_invoice", partner=partner, invoice_date="2025-05-05", amounts=[100]
            )
            invoice.invoice_user_id = salesperson
            invoice.action_post()
        figures = {}
        for user in (self.salesman, self.all_docs, self.manager):
            controls = (
                Case.with_user(user)
                .with_context(crm_now=datetime(2025, 6, 15))
                .service_controls("2025-05-01", "2025-05-31")
            )
            figures[user] = tuple(
                controls[key]
                for key in (
                    "complaints",
                    "cases",
                    "customers_invoiced",
                    "cases_due",
                    "cases_missed",
                    "callbacks_due",
                    "callbacks_missed",
                    "responses",
                    "dissatisfied",
                )
            )
        # own case and the unassigned one, own and unassigned invoices, own,
        # unassigned and anonymous responses (mine dissatisfied)
        self.assertEqual(figures[self.salesman], (1, 2, 2, 2, 2, 0, 0, 3, 1))
        everything = (2, 3, 3, 3, 3, 1, 1, 4, 2)
        self.assertEqual(figures[self.all_docs], everything)
        self.assertEqual(figures[self.manager], everything)
        # a satisfaction user who may not read invoices gets no complaint rate
        service_user = new_test_user(
            self.env,
            login="sat_service_user",
            groups="crm_satisfaction.group_satisfaction_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        controls = Case.with_user(service_user).service_controls(
            "2025-05-01", "2025-05-31"
        )
        self.assertEqual(
            (controls["complaints"], controls["customers_invoiced"]), (0, 0)
        )
        self.assertIsNone(controls["complaint_rate"])
        self.assertEqual(controls["cases"], 1)  # the unassigned one
