from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import SatisfactionCommon


@tagged("post_install", "-at_install")
class TestServiceCaseLoop(SatisfactionCommon):
    """The loop of a service case cannot be bypassed: its state, callback,
    feedback and escalation change only through its actions, whoever writes
    and however (a write, a create, the kanban's drag and drop)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="loop_manager",
            groups="sales_team.group_sale_manager,"
            "crm_satisfaction.group_satisfaction_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.callback_type = cls.env.ref("crm_satisfaction.mail_activity_type_callback")

    def new_case(self, user=None, **values):
        return (
            self.env["crm.service.case"]
            .with_user(user or self.salesman)
            .create(
                {
                    "name": "Broken widget",
                    "partner_id": self.customer.id,
                    "user_id": self.salesman.id,
                    **values,
                }
            )
        )

    def call_back(self, case):
        case.activity_ids.filtered(
            lambda a: a.activity_type_id == self.callback_type
        ).action_feedback("Called back")

    def test_write_cannot_skip_a_step(self):
        case = self.new_case()
        for user in (self.salesman, self.manager):
            with self.assertRaisesRegex(UserError, "cannot go from Recorded to Closed"):
                case.with_user(user).write({"state": "closed"})
        self.assertEqual(case.state, "recorded")
        case.action_resolve()
        with self.assertRaisesRegex(UserError, "cannot go from Resolved to Recorded"):
            case.write({"state": "recorded"})
        self.assertEqual(case.state, "resolved")
        self.assertTrue(case.date_resolved)

    def test_refused_move_writes_nothing(self):
        """A refused move leaves the case as it was, even for a caller that
        catches the error without a savepoint (an import, an automation)."""
        case = self.new_case()
        refused = False
        try:
            case.write({"name": "Renamed", "state": "closed"})
        except UserError:
            refused = True
        self.assertTrue(refused, "a case went from Recorded to Closed")
        case.invalidate_recordset()
        self.assertEqual((case.name, case.state), ("Broken widget", "recorded"))

    def test_callback_feedback_and_dates_refused_on_write(self):
        case = self.new_case()
        case.action_resolve()
        for vals in (
            {"callback_done": True},
            {"date_resolved": False},
            {"date_closed": fields.Datetime.now()},
            {"feedback_route": "design"},
            {"feedback_note": "Nothing to say"},
            {"name": "Renamed", "callback_done": True},
        ):
            with self.assertRaisesRegex(UserError, "change only through its buttons"):
                case.with_user(self.manager).write(vals)
        self.assertEqual(case.name, "Broken widget")
        self.assertFalse(case.callback_done)
        with self.assertRaisesRegex(UserError, "called back"):
            case.action_verify()
        self.assertEqual(case.state, "resolved")
        # the message names the fields, in the user's language
        with self.assertRaisesRegex(UserError, "^Called Back, Feedback Route of"):
            case.write({"feedback_route": "design", "callback_done": True})

    def test_escalation_cannot_be_cleared(self):
        case = self.new_case(
            priority="3", date_recorded=fields.Datetime.now() - timedelta(hours=9)
        )
        self.env["crm.service.case"]._cron_escalate()
        self.assertTrue(case.date_escalated)
        self.assertTrue(case.is_omission)
        with self.assertRaisesRegex(UserError, "Escalated On"):
            case.with_user(self.manager).write({"date_escalated": False})
        with self.assertRaisesRegex(UserError, "Omission"):
            case.with_user(self.manager).write({"is_omission": False})
        self.assertTrue(case.date_escalated)
        self.assertTrue(case.is_omission)

    def test_deadline_fixed_once_resolved(self):
        case = self.new_case(priority="1")
        later = case.deadline + timedelta(days=3)
        case.write({"deadline": later})  # open: the owner may agree on a date
        self.assertEqual(case.deadline, later)
        case.action_resolve()
        for vals, label in (
            ({"deadline": later + timedelta(days=30)}, "Deadline"),
            ({"priority": "0"}, "Priority"),
            ({"date_recorded": case.date_recorded - timedelta(days=1)}, "Recorded On"),
        ):
            with self.assertRaisesRegex(UserError, f"its {label} can no longer change"):
                case.with_user(self.manager).write(vals)
        self.assertEqual((case.deadline, case.priority), (later, "1"))
        case.write({"priority": "1", "name": "Same priority"})  # no change: fine
        self.assertEqual(case.name, "Same priority")

    def test_create_starts_the_loop(self):
        for vals in (
            {"state": "closed"},
            {"state": "resolved"},
            {"callback_done": True},
            {"date_resolved": fields.Datetime.now()},
            {"date_escalated": fields.Datetime.now()},
            {"feedback_route": "sales", "feedback_note": "Fed back"},
        ):
            with self.assertRaisesRegex(UserError, "change only through its buttons"):
                self.new_case(user=self.manager, **vals)
        self.assertFalse(
            self.env["crm.service.case"].search([("partner_id", "=", self.customer.id)])
        )
        recorded = self.new_case(state="recorded")
        self.assertEqual(recorded.state, "recorded")
        # defaults of a view grouped by state do not apply to the loop
        grouped = (
            self.env["crm.service.case"]
            .with_user(self.manager)
            .with_context(default_state="closed", default_callback_done=True)
            .create({"name": "From a column", "partner_id": self.customer.id})
        )
        self.assertEqual((grouped.state, grouped.callback_done), ("recorded", False))

    def test_copy_starts_the_loop_again(self):
        case = self.new_case()
        case.action_resolve()
        self.call_back(case)
        case.action_verify()
        case._close("delivery", "Carrier late")
        copy = case.copy()
        self.assertEqual(
            (copy.state, copy.callback_done, copy.feedback_route, copy.date_closed),
            ("recorded", False, False, False),
        )

    def test_kanban_drag_runs_the_actions(self):
        """A drag and drop between kanban columns saves ``state`` alone: it
        moves the case as the button does, or is refused."""
        case = self.new_case()
        as_owner = case.with_user(self.salesman)
        as_owner.web_save({"state": "in_progress"}, {})
        self.assertEqual(case.state, "in_progress")
        as_owner.web_save({"state": "resolved"}, {})
        self.assertEqual(case.state, "resolved")
        self.assertTrue(case.date_resolved)
        # the same as the Resolve button: the callback activity and survey
        callback = case.activity_ids.filtered(
            lambda a: a.activity_type_id == self.callback_type
        )
        self.assertEqual(callback.user_id, self.salesman)
        self.assertEqual(
            case.survey_input_ids.survey_id,
            self.env.ref("crm_satisfaction.survey_service_callback"),
        )
        with self.assertRaisesRegex(UserError, "called back"):
            as_owner.web_save({"state": "verified"}, {})
        self.assertEqual(case.state, "resolved")
        self.call_back(case)
        self.assertTrue(case.callback_done)
        as_owner.web_save({"state": "verified"}, {})
        self.assertEqual(case.state, "verified")
        with self.assertRaisesRegex(UserError, "close it with its Close button"):
            as_owner.web_save({"state": "closed"}, {})
        with self.assertRaisesRegex(UserError, "reopen it with its Reopen button"):
            as_owner.web_save({"state": "in_progress"}, {})
        with self.assertRaisesRegex(UserError, "cannot go from Verified to Recorded"):
            as_owner.web_save({"state": "recorded"}, {})
        self.assertEqual(case.state, "verified")
        self.assertFalse(case.date_closed)

    def test_kanban_drag_of_several_cases(self):
        recorded, started = self.new_case(), self.new_case()
        started.action_start()
        (recorded | started).with_user(self.salesman).write({"state": "resolved"})
        self.assertEqual((recorded | started).mapped("state"), ["resolved", "resolved"])
        self.assertEqual(
            len(
                (recorded | started).activity_ids.filtered(
                    lambda a: a.activity_type_id == self.callback_type
                )
            ),
            2,
        )

    def test_close_and_reopen_ask_for_their_input(self):
        case = self.new_case()
        with self.assertRaisesRegex(UserError, "cannot go from Recorded to Closed"):
            case.action_close()
        with self.assertRaisesRegex(UserError, "cannot go from Recorded to Closed"):
            case._close("delivery", "Too early")
        case.action_resolve()
        self.call_back(case)
        case.action_verify()
        Close = self.env["crm.service.case.close"].with_user(self.salesman)
        wizard = Close.create(
            {
                "case_ids": [Command.set(case.ids)],
                "feedback_route": "production",
                "feedback_note": " ",
            }
        )
        with self.assertRaisesRegex(UserError, "without its feedback"):
            wizard.action_close()
        wizard.feedback_note = " Loose screws "
        wizard.action_close()
        self.assertEqual(
            (case.state, case.feedback_route, case.feedback_note),
            ("closed", "production", "Loose screws"),
        )
        self.assertTrue(case.date_closed)
        with self.assertRaisesRegex(UserError, "cannot go from Closed to In Progress"):
            case._reopen("It broke again")
        with self.assertRaisesRegex(UserError, "change only through its buttons"):
            case.with_user(self.manager).write({"feedback_route": False})
        self.assertEqual(case.feedback_route, "production")
