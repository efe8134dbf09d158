from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import SatisfactionCommon


@tagged("post_install", "-at_install")
class TestSatisfactionSecurity(SatisfactionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.setup_other_company(name="Satisfaction B")["company"]
        cls.response_a = cls.respond(
            {"expectation_a": 4, "perception_a": 5, "overall": 5}
        )
        cls.response_b = cls.respond(
            {"expectation_a": 4, "perception_a": 2, "overall": 1},
            crm_company_id=cls.company_b.id,
        )
        cls.user_b = new_test_user(
            cls.env,
            login="sat_user_b",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.portal = new_test_user(
            cls.env, login="sat_portal", groups="base.group_portal"
        )
        cls.employee = new_test_user(
            cls.env, login="sat_employee", groups="base.group_user"
        )

    def test_multi_company_results_and_responses(self):
        results = self.env["crm.satisfaction.result"].with_user(self.user_b).search([])
        self.assertEqual(results.user_input_id, self.response_b)
        responses = (
            self.env["survey.user_input"]
            .with_user(self.user_b)
            .search([("survey_id", "=", self.survey.id)])
        )
        self.assertEqual(responses, self.response_b)
        figures = self.Analysis.with_user(self.user_b).compute(
            [("survey_id", "=", self.survey.id)]
        )
        self.assertEqual(figures["responses"], 1)
        self.assertAlmostEqual(figures["csi"], 0.5)
        with self.assertRaises(AccessError):
            self.response_a.crm_result_ids.with_user(self.user_b).read(["ratio"])

    def test_salesperson_reads_manager_configures(self):
        results = self.env["crm.satisfaction.result"].with_user(self.salesman)
        self.assertTrue(results.search([("user_input_id", "=", self.response_a.id)]))
        with self.assertRaises(AccessError):
            self.env["crm.satisfaction.dimension"].with_user(self.salesman).create(
                {"name": "Nope", "code": "nope"}
            )
        manager = new_test_user(
            self.env, login="sat_manager", groups="sales_team.group_sale_manager"
        )
        dimension = (
            self.env["crm.satisfaction.dimension"]
            .with_user(manager)
            .create({"name": "Packaging", "code": "t_packaging"})
        )
        self.assertEqual(dimension.name, "Packaging")

    def test_portal_and_employee_are_refused(self):
        for user in (self.portal, self.employee):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.env["crm.satisfaction.result"].with_user(user).search([])
                with self.assertRaises(AccessError):
                    self.response_a.with_user(user).read(["crm_csi"])
        with self.assertRaises(AccessError):
            self.Analysis.with_user(self.portal).compute([])

    def test_other_surveys_are_not_restricted_to_a_company(self):
        """The multi-company rule is the satisfaction surveys': a survey
        officer of another company still reads and prints a participant's
        certification, as Odoo's survey allows."""
        certification = self.env["survey.survey"].create(
            {
                "title": "Safety certification",
                "access_mode": "token",
                "certification": True,
                "scoring_type": "scoring_with_answers",
                "question_and_page_ids": [
                    Command.create(
                        {
                            "title": "Helmet on site?",
                            "question_type": "simple_choice",
                            "suggested_answer_ids": [
                                Command.create(
                                    {
                                        "value": "Yes",
                                        "is_correct": True,
                                        "answer_score": 1,
                                    }
                                ),
                                Command.create({"value": "No"}),
                            ],
                        }
                    )
                ],
            }
        )
        self.assertFalse(certification.crm_is_satisfaction)
        self.assertTrue(self.survey.crm_is_satisfaction)
        participant = self.env["res.partner"].create({"name": "Certified Welder"})
        question = certification.question_ids
        certified = (
            self.env["survey.user_input"]
            .sudo()
            .create(
                {
                    "survey_id": certification.id,
                    "partner_id": participant.id,
                    "state": "done",
                    "user_input_line_ids": [
                        Command.create(
                            {
                                "question_id": question.id,
                                "answer_type": "suggestion",
                                "suggested_answer_id": (
                                    question.suggested_answer_ids[0].id
                                ),
                            }
                        )
                    ],
                }
            )
        )
        self.assertTrue(certified.scoring_success)
        # recorded in company A, like every response
        self.assertEqual(certified.crm_company_id, self.company)
        officer_b = new_test_user(
            self.env,
            login="sat_survey_officer_b",
            groups="base.group_user,survey.group_survey_user",
            company_id=self.company_b.id,
            company_ids=[Command.set(self.company_b.ids)],
        )
        Input = self.env["survey.user_input"].with_user(officer_b)
        self.assertEqual(
            Input.search([("survey_id", "in", (certification | self.survey).ids)]),
            certified | self.response_b,
        )
        self.assertEqual(
            certified.with_user(officer_b).partner_id.name, "Certified Welder"
        )
        html, _format = (
            self.env["ir.actions.report"]
            .with_user(officer_b)
            .with_company(self.company_b)
            ._render_qweb_pdf("survey.certification_report_view", res_ids=certified.ids)
        )
        self.assertIn("Certified Welder", html.decode())
        # the satisfaction response of company A stays out of reach
        with self.assertRaises(AccessError):
            self.response_a.with_user(officer_b).read(["crm_csi"])
