from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import SatisfactionCommon


@tagged("post_install", "-at_install")
class TestServiceCase(SatisfactionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Case = cls.env["crm.service.case"]
        cls.leader = new_test_user(
            cls.env,
            login="case_leader",
            groups="sales_team.group_sale_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Service Team",
                "user_id": cls.leader.id,
                "member_ids": [Command.set(cls.salesman.ids)],
            }
        )
        cls.customer.email = "customer@example.com"
        cls.callback_type = cls.env.ref("crm_satisfaction.mail_activity_type_callback")

    def new_case(self, **values):
        return self.Case.create(
            {
                "name": "Broken widget",
                "partner_id": self.customer.id,
                "user_id": self.salesman.id,
                "team_id": self.team.id,
                **values,
            }
        )

    def test_kanban_shows_every_state(self):
        """The kanban, grouped by state, has a column for each of the five
        states even when no case of the search is in it: read as the kanban
        reads its groups (``web_read_group``, lazy)."""
        case = self.new_case()
        view = self.env.ref("crm_satisfaction.crm_service_case_view_kanban")
        self.assertEqual(view.arch_db.count('default_group_by="state"'), 1)
        groups = self.Case.web_read_group(
            [("id", "=", case.id)], ["state"], ["state"], lazy=True
        )["groups"]
        self.assertEqual(
            [(group["state"], group["state_count"]) for group in groups],
            [
                ("recorded", 1),
                ("in_progress", 0),
                ("resolved", 0),
                ("verified", 0),
                ("closed", 0),
            ],
        )

    def escalate(self, **context):
        """Run the escalation cron as it runs: in a transaction after the one
        that recorded the cases (Odoo tracks no change of a record in the
        transaction that created it), with the tracking that the test
        classes disable, logged as at its commit."""
        self.env.cr.flush()
        escalated = self.Case.with_context(
            tracking_disable=False, mail_notrack=False, **context
        )._cron_escalate()
        self.env.cr.flush()
        self.env.invalidate_all()
        return escalated

    def close_loop(self, case, route="delivery"):
        """Run ``case`` through the whole loop as its owner does: resolve,
        mark the callback done, verify, close with its feedback."""
        case = case.with_user(self.salesman)
        case.action_resolve()
        case.activity_ids.filtered(
            lambda a: a.activity_type_id == self.callback_type
        ).action_feedback("Called back")
        self.env.flush_all()  # the done date is a stored compute: today's
        case.action_verify()
        self.env["crm.service.case.close"].with_user(self.salesman).create(
            {
                "case_ids": [Command.set(case.ids)],
                "feedback_route": route,
                "feedback_note": f"Fed back to {route}",
            }
        ).action_close()

    def test_deadline_from_the_service_level(self):
        recorded = datetime(2025, 3, 3, 9, 0)
        case = self.new_case(priority="2", date_recorded=recorded)
        self.assertEqual(case.deadline, recorded + timedelta(hours=24))
        self.assertTrue(case.reference.startswith("CASE/"))
        self.env["crm.service.sla"].create(
            {"company_id": self.company.id, "priority": "2", "hours": 10}
        )
        own = self.new_case(priority="2", date_recorded=recorded)
        self.assertEqual(own.deadline, recorded + timedelta(hours=10))
        own.priority = "3"  # no company level for urgent: the default 8 h
        self.assertEqual(own.deadline, recorded + timedelta(hours=8))

    def test_service_level_bounds(self):
        Sla = self.env["crm.service.sla"].with_user(self.leader)
        urgent = self.env.ref("crm_satisfaction.sla_priority_3").with_user(self.leader)
        with self.assertRaises(ValidationError) as raised:
            urgent.hours = 1e9
        self.assertEqual(
            raised.exception.args[0],
            "Urgent: Hours to Resolve must be more than 0 and at most 8,760 hours "
            "(a year), not 1,000,000,000.",
        )
        with self.assertRaisesRegex(ValidationError, "more than 0 .* not 0\\.$"):
            Sla.create({"company_id": self.company.id, "priority": "2", "hours": 0})
        # a second default (without company) for a priority is refused
        levels = self.env["crm.service.sla"].search([])
        with self.assertRaises(ValidationError) as raised:
            Sla.create({"priority": "3", "hours": 4})
        self.assertEqual(
            raised.exception.args[0],
            "There is already a service level for Urgent.",
        )
        self.assertEqual(self.env["crm.service.sla"].search([]), levels)
        # the longest level allowed: due a year after it was recorded
        Sla.create({"company_id": self.company.id, "priority": "3", "hours": 8760})
        recorded = datetime(2025, 3, 3, 9, 0)
        case = self.new_case(priority="3", date_recorded=recorded)
        self.assertEqual(case.deadline, datetime(2026, 3, 3, 9, 0))

    def test_full_loop_with_each_refusal(self):
        case = self.new_case()
        self.assertEqual(case.state, "recorded")
        with self.assertRaises(UserError):
            case.action_verify()
        case.action_start()
        with self.assertRaises(UserError):
            case.action_start()
        case.action_resolve()
        self.assertEqual(case.state, "resolved")
        self.assertTrue(case.date_resolved)
        callback = case.activity_ids.filtered(
            lambda a: a.activity_type_id == self.callback_type
        )
        self.assertEqual(callback.user_id, self.salesman)
        survey_input = case.survey_input_ids
        self.assertEqual(
            survey_input.survey_id,
            self.env.ref("crm_satisfaction.survey_service_callback"),
        )
        self.assertEqual(survey_input.crm_partner_id, self.customer)
        with self.assertRaisesRegex(UserError, "called back"):
            case.action_verify()
        callback.with_user(self.salesman).action_feedback("Customer is happy")
        self.assertTrue(case.callback_done)
        self.assertFalse(callback.active)  # kept as done, for the controls
        case.action_verify()
        self.assertEqual(case.state, "verified")
        action = case.action_close()
        self.assertEqual(action["res_model"], "crm.service.case.close")
        wizard = (
            self.env["crm.service.case.close"]
            .with_context(**action["context"])
            .create({"feedback_route": "production", "feedback_note": "  "})
        )
        with self.assertRaisesRegex(UserError, "feedback"):
            wizard.action_close()
        self.assertEqual(case.state, "verified")
        wizard.feedback_note = "Loose screws on batch 42"
        wizard.action_close()
        self.assertEqual(
            (case.state, case.feedback_route, case.feedback_note),
            ("closed", "production", "Loose screws on batch 42"),
        )
        self.assertTrue(case.date_closed)
        with self.assertRaises(UserError):
            case.action_resolve()

    def test_callback_survey_completes_the_callback(self):
        case = self.new_case()
        case.action_resolve()
        response = case.survey_input_ids.sudo()
        overall = self.env.ref("crm_satisfaction.survey_cb_overall")
        self.env["survey.user_input.line"].sudo().create(
            {
                "user_input_id": response.id,
                "question_id": overall.id,
                "answer_type": "scale",
                "value_scale": 4,
            }
        )
        response._mark_done()
        self.assertTrue(case.callback_done)
        self.assertEqual(case.survey_input_ids.crm_csat, 100)
        case.action_verify()
        self.assertEqual(case.state, "verified")

    def test_reopen_needs_a_reason_and_is_logged(self):
        case = self.new_case()
        case.action_resolve()
        wizard = self.env["crm.service.case.reopen"].create(
            {"case_ids": [Command.set(case.ids)], "reason": "  "}
        )
        with self.assertRaises(UserError):
            wizard.action_reopen()
        wizard.reason = "The widget broke again"
        wizard.action_reopen()
        self.assertEqual(case.state, "in_progress")
        self.assertFalse(case.date_resolved)
        self.assertIn("The widget broke again", case.message_ids[0].body)
        with self.assertRaises(UserError):
            case._reopen("not resolved")

    def test_escalation_exactly_once(self):
        case = self.new_case(
            priority="3", date_recorded=fields.Datetime.now() - timedelta(hours=9)
        )
        on_time = self.new_case(priority="0")
        self.assertTrue(case.is_overdue)
        self.assertEqual(
            self.Case.search([("is_overdue", "=", True)]) & (case | on_time), case
        )
        escalated = self.escalate()
        self.assertEqual(escalated & (case | on_time), case)
        todo = case.activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref("crm_satisfaction.mail_activity_type_escalation")
            )
        )
        self.assertEqual(todo.user_id, self.leader)
        self.assertTrue(case.is_omission)
        self.assertTrue(case.date_escalated)
        # logged as the change of the tracked date, a note without text
        message = case.message_ids[0]
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_note"))
        self.assertFalse(message.body)
        self.assertEqual(
            message.sudo().tracking_value_ids._tracking_value_format(),
            [
                {
                    "changedField": "Escalated On",
                    "id": message.sudo().tracking_value_ids.id,
                    "fieldName": "date_escalated",
                    "fieldType": "datetime",
                    "newValue": {
                        "currencyId": False,
                        "floatPrecision": None,
                        "value": f"{case.date_escalated}Z",
                    },
                    "oldValue": {
                        "currencyId": False,
                        "floatPrecision": None,
                        "value": False,
                    },
                }
            ],
        )
        self.assertFalse(self.Case._cron_escalate() & case)
        self.assertEqual(
            len(case.activity_ids.filtered(lambda a: a.user_id == self.leader)), 1
        )

    def test_escalation_in_the_reader_s_language(self):
        """The cron escalates in its language (English): a Chinese reader
        reads the activity as its type's name and the chatter's line as the
        tracked field's label, in Chinese."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["crm_satisfaction"], ["zh_CN"], overwrite=True
        )
        case = self.new_case(
            priority="3", date_recorded=fields.Datetime.now() - timedelta(hours=9)
        )
        self.escalate(lang="en_US")
        escalation_type = self.env.ref("crm_satisfaction.mail_activity_type_escalation")
        activity = case.activity_ids.filtered(
            lambda a: a.activity_type_id == escalation_type
        )
        tracking = case.message_ids[0].sudo().tracking_value_ids
        for lang, activity_name, label in (
            ("en_US", "Overdue Case", "Escalated On"),
            ("zh_CN", "逾期案例", "升级于"),
        ):
            with self.subTest(lang=lang):
                self.env.invalidate_all()  # as in the reader's own request
                self.assertFalse(activity.summary)
                self.assertEqual(
                    activity.with_context(lang=lang).display_name, activity_name
                )
                [line] = tracking.with_context(lang=lang)._tracking_value_format()
                self.assertEqual(line["changedField"], label)
                # the date as stored (UTC): the web client shows it in the
                # reader's format and time zone
                self.assertEqual(line["newValue"]["value"], f"{case.date_escalated}Z")

    def test_case_from_incoming_email(self):
        self.env["mail.alias"].create(
            {
                "alias_name": "service-test",
                "alias_model_id": self.env["ir.model"]._get_id("crm.service.case"),
                "alias_defaults": repr({"team_id": self.team.id}),
            }
        )
        domain = self.env["mail.alias.domain"].search([], limit=1) or self.env[
            "mail.alias.domain"
        ].create({"name": "example.com"})
        self.env["mail.alias"].search(
            [("alias_name", "=", "service-test")]
        ).alias_domain_id = domain
        email = (
            f"From: New Customer <new.customer@example.org>\n"
            f"To: service-test@{domain.name}\n"
            "Subject: Parcel never arrived\n"
            "Message-ID: <case-test-1@example.org>\n"
            "Content-Type: text/plain\n\n"
            "Order SO042 was never delivered.\n"
        )
        case_id = self.env["mail.thread"].message_process("crm.service.case", email)
        case = self.Case.browse(case_id)
        self.assertEqual(case.name, "Parcel never arrived")
        self.assertEqual(case.partner_id.email, "new.customer@example.org")
        self.assertEqual(case.team_id, self.team)
        self.assertFalse(case.user_id)
        self.assertTrue(case.deadline)

    def test_service_controls_and_completeness(self):
        start, end = datetime(2025, 5, 1), datetime(2025, 5, 31)
        day = datetime(2025, 5, 10, 9, 0)
        other = self.env["res.partner"].create({"name": "Quiet Customer"})
        third = self.env["res.partner"].create({"name": "Third Customer"})
        fourth = self.env["res.partner"].create({"name": "Fourth Customer"})
        # customers invoiced in May: 4 distinct (one twice), one in June
        for partner, invoice_date in (
            (self.customer, "2025-05-02"),
            (self.customer, "2025-05-20"),
            (other, "2025-05-03"),
            (third, "2025-05-31"),
            (fourth, "2025-05-15"),
            (fourth, "2025-06-01"),
        ):
            self.init_invoice(
                "out_invoice", partner=partner, invoice_date=invoice_date,
                amounts=[100], post=True,
            )  # fmt: skip
        # 3 cases recorded in May (2 complaints), priority normal: due in 72 h
        complete = self.new_case(date_recorded=day)
        late = self.new_case(date_recorded=day, partner_id=other.id)
        request = self.new_case(date_recorded=day, case_type="request")
        self.new_case(date_recorded=datetime(2025, 4, 1))  # April
        # both complaints run the whole loop; resolving schedules a callback
        # due 2 days later, done at once
        for case, resolved, route in (
            (complete, day + timedelta(hours=5), "delivery"),
            (late, day + timedelta(hours=100), "service"),
        ):
            with freeze_time(resolved):
                self.close_loop(case, route)
        self.assertEqual(complete.date_resolved, day + timedelta(hours=5))
        self.assertEqual((complete.state, late.state), ("closed", "closed"))
        # request: still open, past its deadline on 'now'
        # callbacks: one done late, one open and past due, one not due in May
        for deadline, done in (
            ("2025-05-12", "2025-05-14"),
            ("2025-05-20", None),
            ("2025-06-03", None),
        ):
            activity = complete.activity_schedule(
                activity_type_id=self.callback_type.id,
                date_deadline=fields.Date.to_date(deadline),
                user_id=self.salesman.id,
            )
            if done:
                activity.write({"active": False, "date_done": done})
        # 4 responses completed in May: overall 1 (bottom two), overall 5,
        # no overall with C = 0.8, no overall with C = 1.25
        for answers in (
            {"overall": 1},
            {"overall": 5},
            {"expectation_a": 5, "perception_a": 4},
            {"expectation_a": 4, "perception_a": 5},
        ):
            response = self.respond(answers)
            response.sudo().end_datetime = day
        # a quiz answered in May is no satisfaction response: not counted
        quiz = self.env["survey.survey"].create(
            {
                "title": "Product quiz",
                "question_ids": [
                    Command.create(
                        {
                            "title": "How many legs has a spider?",
                            "question_type": "numerical_box",
                        }
                    )
                ],
            }
        )
        self.assertFalse(quiz.crm_is_satisfaction)
        quiz_response = self.respond({}, survey=quiz)
        quiz_response.sudo().end_datetime = day
        self.assertEqual(quiz_response.crm_company_id, response.crm_company_id)
        controls = self.Case.with_context(
            crm_now=datetime(2025, 6, 15)
        ).service_controls(start.date(), end.date())
        self.assertEqual(
            (controls["complaints"], controls["customers_invoiced"]), (2, 4)
        )
        self.assertAlmostEqual(controls["complaint_rate"], 50.0)
        # due in May: 3 cases (late resolved late, request still open) and 4
        # callbacks (the loop's two done in time, one done late, one never
        # done): 4 missed of 7
        self.assertEqual((controls["cases_due"], controls["cases_missed"]), (3, 2))
        self.assertEqual(
            (controls["callbacks_due"], controls["callbacks_missed"]), (4, 2)
        )
        self.assertAlmostEqual(controls["omission_rate"], 400 / 7)
        self.assertEqual((controls["responses"], controls["dissatisfied"]), (4, 2))
        self.assertAlmostEqual(controls["dissatisfaction_rate"], 50.0)
        # four no-misses: 2 of 3 closed with every step, 1 of 3 in time
        self.assertEqual((controls["cases"], controls["cases_complete"]), (3, 2))
        self.assertAlmostEqual(controls["completeness_rate"], 200 / 3)
        self.assertAlmostEqual(controls["completeness_in_time_rate"], 100 / 3)
        # per team: the same cases, no invoice of that team
        team = self.Case.with_context(crm_now=datetime(2025, 6, 15)).service_controls(
            start.date(), end.date(), team=self.team
        )
        self.assertEqual(team["complaints"], 2)
        self.assertIsNone(team["complaint_rate"])
        self.assertEqual(request.state, "recorded")

    def test_controls_report_per_team_and_month(self):
        self.new_case(date_recorded=datetime(2025, 5, 10))
        control = self.env["crm.service.control"].create(
            {
                "date_from": "2025-04-01",
                "date_to": "2025-05-31",
                "team_ids": [Command.set(self.team.ids)],
            }
        )
        action = control.action_compute()
        lines = self.env["crm.service.control.line"].search(action["domain"])
        self.assertEqual(
            [(line.month.month, line.cases) for line in lines], [(4, 0), (5, 1)]
        )
        # the total of a rate is the ratio of the summed counts: April has
        # no case, May one case not complete: 0 of 1
        [total] = self.env["crm.service.control.line"].read_group(
            action["domain"],
            ["cases:sum", "cases_complete:sum", "completeness_rate:sum"],
            [],
        )
        self.assertEqual((total["cases"], total["cases_complete"]), (1, 0))
        self.assertEqual(total["completeness_rate"], 0.0)
