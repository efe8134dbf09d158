

from odoo import Command
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .common import SatisfactionCommon


@tagged("post_install", "-at_install")
class TestServiceCaseCallback(SatisfactionCommon):
    """The callback and the escalation follow the loop: only the callback
    of the current resolution counts, each case gets its own callback
    survey, the escalation is done once the case is, and a figure that was
    not asked for is empty."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Case = cls.env["crm.service.case"]
        cls.leader = new_test_user(
            cls.env,
            login="callback_leader",
            groups="sales_team.group_sale_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Callback Team",
                "user_id": cls.leader.id,
                "member_ids": [Command.set(cls.salesman.ids)],
            }
        )
        cls.customer.email = "customer@example.com"
        cls.callback_type = cls.env.ref("crm_satisfaction.mail_activity_type_callback")
        cls.escalation_type = cls.env.ref(
            "crm_satisfaction.mail_activity_type_escalation"
        )
        cls.callback_survey = cls.env.ref("crm_satisfaction.survey_service_callback")
        cls.cb_overall = cls.env.ref("crm_satisfaction.survey_cb_overall")
        cls.cb_effort = cls.env.ref("crm_satisfaction.survey_cb_effort")

    def new_case(self, **values):
        return self.Case.create(
            {
                "name": "Broken widget",
                "partner_id": self.customer.id,
                "user_id": self.salesman.id,
                "team_id": self.team.id,
                **values,
            }
        ).with_user(self.salesman)

    def activities(self, case, activity_type, done=False):
        """The open (or done) activities of ``activity_type`` on ``case``."""
        return (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search(
                [
                    ("res_model", "=", "crm.service.case"),
                    ("res_id", "=", case.id),
                    ("activity_type_id", "=", activity_type.id),
                    ("active", "=", not done),
                ]
            )
        )

    def answer(self, response, overall=None, effort=None):
        """The customer completes ``response`` as the survey pages do (as
        superuser), with the answers given."""
        response = response.sudo()
        self.env["survey.user_input.line"].sudo().create(
            [
                {
                    "user_input_id": response.id,
                    "question_id": question.id,
                    "answer_type": "scale",
                    "value_scale": value,
                }
                for question, value in (
                    (self.cb_overall, overall),
                    (self.cb_effort, effort),
                )
                if value is not None
            ]
        )
        response._mark_done()

    def reopen(self, case, reason="The widget broke again"):
        self.env["crm.service.case.reopen"].with_user(self.salesman).create(
            {"case_ids": [Command.set(case.ids)], "reason": reason}
        ).action_reopen()

    def stored(self, response):
        """The figures of ``response`` as stored: None when empty."""
        self.env.flush_all()
        [row] = self.env.execute_query(
            SQL(
                "SELECT crm_csi, crm_csat, crm_nps, crm_ces "
                "FROM survey_user_input WHERE id = %s",
                response.id,
            )
        )
        return row

    # ------------------------------------------------------------
    # 2. the escalation is done when the case is
    # ------------------------------------------------------------

    def test_escalation_done_when_closed(self):
        """An escalation left open when the case is closed (scheduled by
        hand on a verified case) is done with the case."""
        case = self.new_case()
        case.action_resolve()
        self.activities(case, self.callback_type).with_user(
            self.salesman
        ).action_feedback("Called back")
        case.action_verify()
        case.sudo()._schedule_escalation()
        escalation = self.activities(case, self.escalation_type)
        self.assertEqual(escalation.user_id, self.leader)
        case._close("delivery", "Carrier late")
        self.assertFalse(escalation.active)
        self.assertEqual(
            len(
                case.message_ids.filtered(
                    lambda message: "The case was closed." in (message.body or "")
                )
            ),
            1,
        )

    def test_reopen_in_time_is_not_escalated(self):
        case = self.new_case(priority="0")
        case.action_resolve()
        self.reopen(case)
        self.assertFalse(case.is_overdue)
        self.assertFalse(self.activities(case, self.escalation_type))
