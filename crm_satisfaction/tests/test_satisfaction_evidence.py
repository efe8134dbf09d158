from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import SatisfactionCommon


@tagged("post_install", "-at_install")
class TestSatisfactionEvidence(SatisfactionCommon):
    """Survey answers are evidence: salespeople and service users send
    satisfaction surveys and read the responses; only satisfaction
    administrators change the surveys or the responses; the figures stored
    on a response are written by nobody."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company

        def user(login, groups):
            return new_test_user(
                cls.env,
                login=login,
                groups=groups,
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            )

        # every new user is a survey officer by default (base.default_user)
        cls.salesman_officer = user(
            "ev_salesman_officer",
            "sales_team.group_sale_salesman,survey.group_survey_user",
        )
        cls.colleague = user("ev_colleague", "sales_team.group_sale_salesman")
        cls.service_user = user(
            "ev_service", "crm_satisfaction.group_satisfaction_user"
        )
        cls.manager = user("ev_manager", "crm_satisfaction.group_satisfaction_manager")
        cls.colleague_customer = cls.env["res.partner"].create(
            {"name": "Colleague's Customer", "is_company": True}
        )
        cls.colleague_customer.user_id = cls.colleague
        cls.response = cls.respond(
            {"expectation_a": 4, "perception_a": 5, "recommend": 9},
            partner=cls.colleague_customer,
        )
        cls.sellers = cls.salesman | cls.salesman_officer | cls.service_user

    def test_nobody_writes_the_stored_figures(self):
        response = self.response
        self.assertEqual(response.crm_user_id, self.colleague)
        self.assertAlmostEqual(response.crm_csi, 1.25)
        self.assertEqual(response.crm_nps, 100)
        for user in (*self.sellers, self.manager):
            with self.subTest(user=user.login):
                with self.assertRaises(UserError):
                    response.with_user(user).write({"crm_csi": 2.0})
                with self.assertRaises(UserError):
                    response.with_user(user).write(
                        {"crm_nps": -100, "crm_nps_category": "detractor"}
                    )
        with self.assertRaises(UserError):
            response.sudo().write({"crm_csi": 2.0})
        with self.assertRaises(UserError):
            response.sudo().write({"crm_result_ids": [Command.clear()]})
        with self.assertRaises(UserError):
            response.crm_result_ids.sudo().write({"ratio": 2.0})
        with self.assertRaises(UserError):
            self.env["crm.satisfaction.result"].sudo().create(
                {"user_input_id": response.id, "ratio": 2.0}
            )
        with self.assertRaises(UserError):
            self.env["survey.user_input"].sudo().create(
                {"survey_id": self.survey.id, "state": "done", "crm_csi": 5.0}
            )
        # what the partner form, the reports and the scorecard read is the
        # engine's figure
        response.invalidate_recordset()
        self.assertAlmostEqual(response.crm_csi, 1.25)
        self.assertEqual(response.crm_nps_category, "promoter")
        self.assertAlmostEqual(response.crm_result_ids.ratio, 1.25)
        self.assertAlmostEqual(self.colleague_customer.crm_satisfaction_csi, 1.25)

    def test_only_managers_change_or_delete_responses(self):
        response = self.response
        for user in self.sellers:
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    response.with_user(user).unlink()
                with self.assertRaises(AccessError):
                    response.with_user(user).write({"partner_id": False})
        self.assertTrue(response.exists())
        self.assertEqual(response.crm_partner_id, self.colleague_customer)
        # the administrator corrects the link to the order, or deletes a
        # response (its results go with it)
        order = self.env["sale.order"].create(
            {"partner_id": self.colleague_customer.id}
        )
        response.with_user(self.manager).write({"crm_sale_order_id": order.id})
        self.assertEqual(response.crm_sale_order_id, order)
        results = response.crm_result_ids
        response.with_user(self.manager).unlink()
        self.assertFalse(response.exists())
        self.assertFalse(results.exists())

    def test_only_managers_edit_satisfaction_surveys(self):
        question = self.q["perception_a"]
        choice = (
            self.env["survey.question"]
            .create(
                {
                    "survey_id": self.survey.id,
                    "title": "How did you hear of us?",
                    "question_type": "simple_choice",
                    "suggested_answer_ids": [Command.create({"value": "A friend"})],
                }
            )
            .suggested_answer_ids
        )
        for user in self.sellers:
            with self.subTest(user=user.login):
                survey = self.survey.with_user(user)
                with self.assertRaises(AccessError):
                    survey.write({"title": "Easy questions"})
                with self.assertRaises(AccessError):
                    question.with_user(user).write({"scale_max": 10})
                with self.assertRaises(AccessError):
                    question.with_user(user).write({"crm_measure": "importance"})
                with self.assertRaises(AccessError):
                    question.with_user(user).unlink()
                with self.assertRaises(AccessError):
                    choice.with_user(user).write({"value": "An advertisement"})
                with self.assertRaises(AccessError):
                    self.env["survey.question"].with_user(user).create(
                        {
                            "survey_id": self.survey.id,
                            "title": "Was the salesperson great?",
                            "question_type": "scale",
                            "crm_measure": "overall",
                        }
                    )
                with self.assertRaises(AccessError):
                    survey.unlink()
        self.assertEqual(self.survey.title, "Test satisfaction")
        self.assertEqual((question.scale_max, question.crm_measure), (5, "perception"))
        self.assertEqual(choice.value, "A friend")
        self.assertEqual(len(self.survey.question_ids), 15)

        # a survey officer keeps editing the other surveys, but cannot turn
        # one into a satisfaction survey
        quiz = (
            self.env["survey.survey"]
            .with_user(self.salesman_officer)
            .create({"title": "Product quiz"})
        )
        plain = (
            self.env["survey.question"]
            .with_user(self.salesman_officer)
            .create(
                {
                    "survey_id": quiz.id,
                    "title": "Rate the demo",
                    "question_type": "scale",
                }
            )
        )
        plain.write({"scale_max": 10})
        self.assertEqual(plain.scale_max, 10)
        with self.assertRaises(AccessError):
            plain.write({"crm_measure": "overall"})
        self.assertFalse(quiz.crm_is_satisfaction)

        # the satisfaction administrator edits the satisfaction survey
        survey = self.survey.with_user(self.manager)
        survey.write({"title": "Satisfaction 2027"})
        question.with_user(self.manager).write({"scale_max": 7})
        self.env["survey.question"].with_user(self.manager).create(
            {
                "survey_id": self.survey.id,
                "title": "Overall, how satisfied are you?",
                "question_type": "scale",
                "scale_min": 1,
                "scale_max": 5,
                "crm_measure": "overall",
            }
        )
        self.assertEqual(self.survey.title, "Satisfaction 2027")
        self.assertEqual(question.scale_max, 7)
        self.assertEqual(len(self.survey.question_ids), 16)

    def test_salespeople_and_service_users_send_and_read(self):
        for user in (self.salesman, self.service_user):
            with self.subTest(user=user.login):
                customer = self.env["res.partner"].create(
                    {
                        "name": f"Customer of {user.name}",
                        "is_company": True,
                        "email": f"customer.{user.login}@example.com",
                    }
                )
                action = customer.with_user(user).action_crm_send_survey()
                wizard = (
                    self.env["survey.invite"]
                    .with_user(user)
                    .with_context(**action["context"])
                    .create({"survey_id": self.survey.id})
                )
                wizard.action_invite()
                invited = (
                    self.env["survey.user_input"]
                    .with_user(user)
                    .search(
                        [
                            ("survey_id", "=", self.survey.id),
                            ("crm_partner_id", "=", customer.id),
                        ]
                    )
                )
                self.assertEqual(len(invited), 1)
                self.assertEqual(invited.create_uid, user)
                self.assertEqual(invited.state, "new")
                self.assertEqual(invited.crm_company_id, self.company)
                # the completed response and its answers are readable; a
                # salesperson limited to their own documents reads their own
                # customers' only, not the colleague's customer's
                response = self.response
                if user == self.salesman:
                    with self.assertRaises(AccessError):
                        response.with_user(user).read(["crm_csi"])
                    customer.user_id = user
                    response = self.respond(
                        {"expectation_a": 4, "perception_a": 5, "recommend": 9},
                        partner=customer,
                    )
                response = response.with_user(user)
                self.assertAlmostEqual(response.crm_csi, 1.25)
                self.assertEqual(
                    sorted(response.user_input_line_ids.mapped("value_scale")),
                    [4, 5, 9],
                )

    def test_nobody_makes_up_a_completed_response(self):
        for user in (self.salesman, self.service_user):
            for values in (
                {"state": "done"},
                {"state": "in_progress"},
                {"end_datetime": fields.Datetime.now()},
            ):
                with self.subTest(user=user.login, values=values):
                    with self.assertRaises(AccessError):
                        self.env["survey.user_input"].with_user(user).create(
                            {
                                "survey_id": self.survey.id,
                                "partner_id": self.customer.id,
                                **values,
                            }
                        )
        completed = self.env["survey.user_input"].search_count(
            [("survey_id", "=", self.survey.id), ("state", "=", "done")]
        )
        self.assertEqual(completed, 1)

    def test_service_user_sees_only_satisfaction_surveys(self):
        quiz = self.env["survey.survey"].create({"title": "Staff quiz"})
        attempt = (
            self.env["survey.user_input"]
            .sudo()
            .create({"survey_id": quiz.id, "partner_id": self.customer.id})
        )
        Input = self.env["survey.user_input"].with_user(self.service_user)
        self.assertEqual(
            Input.search([("survey_id", "in", (quiz | self.survey).ids)]),
            self.response,
        )
        with self.assertRaises(AccessError):
            attempt.with_user(self.service_user).read(["state"])
        with self.assertRaises(AccessError):
            quiz.with_user(self.service_user).read(["title"])
        self.assertFalse(self.service_user.has_group("survey.group_survey_user"))

    def test_completed_answers_are_evidence(self):
        survey_admin = new_test_user(
            self.env,
            login="ev_survey_admin",
            groups="survey.group_survey_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        both = new_test_user(
            self.env,
            login="ev_both_admin",
            groups="survey.group_survey_manager,"
            "crm_satisfaction.group_satisfaction_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        line = self.response.user_input_line_ids.filtered(
            lambda answer: answer.question_id == self.q["perception_a"]
        )
        for user in (survey_admin, both):
            with self.subTest(user=user.login):
                with self.assertRaises(UserError):
                    line.with_user(user).write({"value_scale": 1})
                with self.assertRaises(UserError):
                    line.with_user(user).unlink()
        self.assertEqual(line.value_scale, 5)
        # answers in progress: only satisfaction administrators
        pending = self.respond({"perception_a": 2}, done=False)
        pending_line = pending.user_input_line_ids
        with self.assertRaises(AccessError):
            pending_line.with_user(survey_admin).write({"value_scale": 3})
        pending_line.with_user(both).write({"value_scale": 3})
        self.assertEqual(pending_line.value_scale, 3)
