from odoo import Command
from odoo.exceptions import UserError
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
