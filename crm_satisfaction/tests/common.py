from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class SatisfactionCommon(AccountTestInvoicingCommon):
    """A survey measuring two dimensions with every measure, and a fast way
    to record completed responses."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.crm_satisfaction_min_responses = 30
        cls.Analysis = cls.env["crm.satisfaction.analysis"]
        Dimension = cls.env["crm.satisfaction.dimension"]
        cls.dim_a = Dimension.create({"name": "Quality", "code": "t_quality"})
        cls.dim_b = Dimension.create({"name": "Delivery", "code": "t_delivery"})
        cls.survey = cls.env["survey.survey"].create(
            {"title": "Test satisfaction", "access_mode": "token"}
        )
        cls.q = {}
        for dim, key in ((cls.dim_a, "a"), (cls.dim_b, "b")):
            for measure in ("expectation", "perception", "importance"):
                cls.q[f"{measure}_{key}"] = cls.question(measure, 1, 5, dim)
            for measure in ("kano_functional", "kano_dysfunctional"):
                cls.q[f"{measure}_{key}"] = cls.question(measure, 1, 5, dim)
        cls.q["overall"] = cls.question("overall", 1, 5)
        cls.q["value"] = cls.question("value", 1, 5)
        cls.q["recommend"] = cls.question("recommend", 0, 10)
        cls.q["effort"] = cls.question("effort", 1, 7)
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Satisfied Customer",
                "is_company": True,
                "email": "satisfied@example.com",
            }
        )
        cls.salesman = new_test_user(
            cls.env,
            login="sat_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    @classmethod
    def question(cls, measure, scale_min, scale_max, dimension=None):
        return cls.env["survey.question"].create(
            {
                "survey_id": cls.survey.id,
                "title": f"{measure} {dimension.name if dimension else ''}",
                "question_type": "scale",
                "scale_min": scale_min,
                "scale_max": scale_max,
                "crm_measure": measure,
                "crm_dimension_id": dimension.id if dimension else False,
            }
        )

    @classmethod
    def respond(cls, answers, partner=None, done=True, survey=None, **values):
        """A response of ``partner`` with ``answers`` {question key: value};
        completed unless ``done`` is False. As the survey controller does,
        the respondent's answers are written as superuser."""
        user_input = (
            cls.env["survey.user_input"]
            .sudo()
            .create(
                {
                    "survey_id": (survey or cls.survey).id,
                    "partner_id": (partner or cls.customer).id,
                    "state": "in_progress",
                    **values,
                }
            )
        )
        cls.env["survey.user_input.line"].sudo().create(
            [
                {
                    "user_input_id": user_input.id,
                    "question_id": cls.q[key].id,
                    "answer_type": "scale",
                    "value_scale": value,
                }
                for key, value in answers.items()
            ]
        )
        if done:
            user_input._mark_done()
        return user_input.with_env(cls.env)

    def analyse(self, user_inputs=None):
        domain = [("survey_id", "=", self.survey.id)]
        if user_inputs is not None:
            domain.append(("id", "in", user_inputs.ids))
        return self.Analysis.compute(domain)
