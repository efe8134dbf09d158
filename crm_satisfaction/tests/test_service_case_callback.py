import json
from datetime import timedelta

from lxml import etree

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.modules.migration import load_script
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
    # 1. after a reopen, only the next callback counts
    # ------------------------------------------------------------

    def test_reopen_cancels_the_callback_of_the_undone_resolution(self):
        case = self.new_case()
        case.action_resolve()
        old_callback = self.activities(case, self.callback_type)
        old_response = case.sudo().survey_input_ids
        self.assertEqual(len(old_callback), 1)
        self.assertEqual((len(old_response), old_response.state), (1, "new"))
        self.assertFalse(old_response.deadline)

        self.reopen(case)
        self.assertEqual((case.state, case.callback_done), ("in_progress", False))
        # the open callback activity is cancelled, not kept as done
        self.assertFalse(old_callback.exists())
        self.assertFalse(self.activities(case, self.callback_type, done=True))
        # the unanswered callback survey expired: the survey pages refuse it
        self.assertTrue(old_response.deadline)
        self.assertLessEqual(old_response.deadline, fields.Datetime.now())
        self.assertEqual(old_response.state, "new")

        # a callback activity done while the case is in progress is no callback
        stray = case.activity_schedule(
            activity_type_id=self.callback_type.id, user_id=self.salesman.id
        )
        stray.with_user(self.salesman).action_feedback("Called while in progress")
        self.assertFalse(case.callback_done)
        # nor is the old survey, completed while the case is in progress
        self.answer(old_response, overall=5)
        self.assertEqual(old_response.state, "done")
        self.assertFalse(case.callback_done)

        # the next resolve: a new callback activity and a new survey
        case.action_resolve()
        new_callback = self.activities(case, self.callback_type)
        self.assertEqual(len(new_callback), 1)
        self.assertNotEqual(new_callback, old_callback)
        new_response = case.sudo().survey_input_ids - old_response
        self.assertEqual((len(new_response), new_response.state), (1, "new"))
        self.assertFalse(case.callback_done)
        with self.assertRaisesRegex(UserError, "called back"):
            case.action_verify()
        self.assertEqual(case.state, "resolved")
        new_callback.with_user(self.salesman).action_feedback("Called back")
        self.assertTrue(case.callback_done)
        case.action_verify()
        self.assertEqual(case.state, "verified")

    def test_old_survey_does_not_count_after_the_next_resolve(self):
        """The survey of the undone resolution, completed after the case is
        resolved again, is not the callback: the new one is."""
        case = self.new_case()
        case.action_resolve()
        old_response = case.sudo().survey_input_ids
        self.reopen(case)
        case.action_resolve()
        new_response = case.sudo().survey_input_ids - old_response
        self.assertEqual(len(new_response), 1)

        self.answer(old_response, overall=4)
        self.assertEqual(old_response.state, "done")
        self.assertFalse(case.callback_done)
        with self.assertRaisesRegex(UserError, "called back"):
            case.action_verify()

        self.answer(new_response, overall=4)
        self.assertTrue(case.callback_done)
        case.action_verify()
        self.assertEqual(case.state, "verified")

    def test_reopen_from_verified_needs_a_new_callback(self):
        case = self.new_case()
        case.action_resolve()
        self.activities(case, self.callback_type).with_user(
            self.salesman
        ).action_feedback("Called back")
        case.action_verify()
        done_callback = self.activities(case, self.callback_type, done=True)
        self.assertEqual(len(done_callback), 1)

        self.reopen(case)
        # the callback that was made stays in the history, as done
        self.assertEqual(
            self.activities(case, self.callback_type, done=True), done_callback
        )
        self.assertFalse(self.activities(case, self.callback_type))
        case.action_resolve()
        self.assertFalse(case.callback_done)
        with self.assertRaisesRegex(UserError, "called back"):
            case.action_verify()
        self.assertEqual(len(self.activities(case, self.callback_type)), 1)

    # ------------------------------------------------------------
    # 2. the escalation is done when the case is
    # ------------------------------------------------------------

    def test_escalation_done_when_resolved_and_again_on_reopen(self):
        case = self.new_case(
            priority="3", date_recorded=fields.Datetime.now() - timedelta(hours=9)
        )
        self.Case._cron_escalate()
        escalation = self.activities(case, self.escalation_type)
        self.assertEqual(len(escalation), 1)
        self.assertEqual(escalation.user_id, self.leader)
        # no summary in the cron's language: it shows its type's name
        self.assertFalse(escalation.summary)
        self.assertEqual(escalation.display_name, "Overdue Case")

        # resolved by its owner: the leader's escalation is done
        case.action_resolve()
        self.assertFalse(escalation.active)
        self.assertTrue(escalation.date_done)
        self.assertFalse(self.activities(case, self.escalation_type))
        # done in the name of who resolved it, with the reason
        done_message = case.message_ids.filtered(
            lambda message: "The case was resolved." in (message.body or "")
        )
        self.assertEqual(done_message.author_id, self.salesman.partner_id)
        self.assertIn("Overdue Case</span> done", done_message.body)

        # reopened past its deadline: open and overdue again, escalated again
        self.reopen(case)
        self.assertTrue(case.is_overdue)
        reescalation = self.activities(case, self.escalation_type)
        self.assertEqual(len(reescalation), 1)
        self.assertEqual(reescalation.user_id, self.leader)
        self.assertFalse(reescalation.summary)
        # the cron escalates a case once: no third activity
        self.assertFalse(self.Case._cron_escalate() & case)
        self.assertEqual(self.activities(case, self.escalation_type), reescalation)

        # resolved, verified and closed: nothing left open for the leader
        case.action_resolve()
        self.activities(case, self.callback_type).with_user(
            self.salesman
        ).action_feedback("Called back")
        case.action_verify()
        case._close("service", "Faster first response")
        self.assertEqual(case.state, "closed")
        self.assertFalse(self.activities(case, self.escalation_type))
        self.assertEqual(len(self.activities(case, self.escalation_type, done=True)), 2)
        self.assertFalse(case.activity_ids)

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

    # ------------------------------------------------------------
    # 3. each case its own callback survey
    # ------------------------------------------------------------

    def test_each_case_gets_its_own_callback_survey(self):
        first, second = self.new_case(), self.new_case(name="Missing manual")
        first.action_resolve()
        second.action_resolve()
        first_response = first.sudo().survey_input_ids
        second_response = second.sudo().survey_input_ids
        self.assertEqual(len(first_response), 1)
        self.assertEqual(len(second_response), 1)
        self.assertNotEqual(first_response, second_response)
        self.assertEqual(
            (first_response | second_response).mapped("partner_id"), self.customer
        )
        self.assertEqual(
            (first_response | second_response).survey_id, self.callback_survey
        )
        # each invitation carries its own response's link
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search([("recipient_ids", "in", self.customer.ids)])
        )
        for response in first_response | second_response:
            self.assertEqual(
                len(
                    mails.filtered(lambda m, r=response: r.access_token in m.body_html)
                ),
                1,
            )
        # answering one calls back its own case only
        self.answer(second_response, overall=5)
        self.assertEqual((first.callback_done, second.callback_done), (False, True))
        self.answer(first_response, overall=2)
        self.assertEqual((first.callback_done, second.callback_done), (True, True))

    def test_each_invoice_gets_its_own_response(self):
        invoices = self.env["account.move"]
        for amount in (100, 200):
            invoices |= self.init_invoice(
                "out_invoice", partner=self.customer, amounts=[amount], post=True
            )
        responses = self.env["survey.user_input"]
        for invoice in invoices:
            for _attempt in range(2):  # sent twice: the same response again
                self.env["survey.invite"].with_context(
                    default_survey_id=self.survey.id,
                    default_partner_ids=self.customer.ids,
                    default_crm_invoice_id=invoice.id,
                    default_template_id=self.env.ref(
                        "survey.mail_template_user_input_invite"
                    ).id,
                ).create({}).action_invite()
            responses |= self.env["survey.user_input"].search(
                [("crm_invoice_id", "=", invoice.id)]
            )
        self.assertEqual(len(responses), 2)
        self.assertEqual(responses.crm_invoice_id, invoices)

    # ------------------------------------------------------------
    # 4. not asked is empty, never 0
    # ------------------------------------------------------------

    def test_figures_not_asked_are_empty(self):
        case = self.new_case()
        case.action_resolve()
        response = case.sudo().survey_input_ids
        # unanswered: every figure empty
        self.assertEqual(self.stored(response), (None, None, None, None))
        self.assertEqual(
            (
                response.crm_has_csi,
                response.crm_has_csat,
                response.crm_has_nps,
                response.crm_has_ces,
            ),
            (False, False, False, False),
        )
        # answered without the effort question: CSAT 100, the others empty
        self.answer(response, overall=5)
        self.assertEqual(self.stored(response), (None, 100.0, None, None))
        self.assertEqual(
            (
                response.crm_has_csi,
                response.crm_has_csat,
                response.crm_has_nps,
                response.crm_has_ces,
            ),
            (False, True, False, False),
        )
        # with the effort question: CES as answered
        other = self.new_case(name="Late delivery")
        other.action_resolve()
        effort = other.sudo().survey_input_ids
        self.answer(effort, overall=1, effort=2)
        self.assertEqual(self.stored(effort), (None, 0.0, None, 2.0))
        self.assertEqual((effort.crm_has_csat, effort.crm_has_ces), (True, True))
        self.assertEqual((effort.crm_csat, effort.crm_ces), (0.0, 2.0))
        # a response with every measure has a CSI
        full = self.respond(
            {"expectation_a": 4, "perception_a": 4, "recommend": 9, "effort": 3}
        )
        self.assertEqual(
            (full.crm_has_csi, full.crm_has_nps, full.crm_has_ces), (True, True, True)
        )
        self.assertAlmostEqual(full.crm_csi, 1.0)

    def test_views_show_figures_only_when_set(self):
        """The case's callback surveys and the responses' list and form show
        a figure only when the response has it (Odoo reads an empty float
        as 0)."""
        checks = (
            (
                "crm.service.case",
                "crm_satisfaction.crm_service_case_view_form",
                "//field[@name='survey_input_ids']//field[@name='%s']",
                ("crm_csi", "crm_ces"),
            ),
            (
                "survey.user_input",
                "crm_satisfaction.crm_satisfaction_response_view_list",
                "//field[@name='%s']",
                ("crm_csi", "crm_csat", "crm_ces"),
            ),
            (
                "survey.user_input",
                "survey.survey_user_input_view_form",
                "//group[@name='crm_satisfaction']//field[@name='%s']",
                ("crm_csi", "crm_ces"),
            ),
        )
        for model, xmlid, xpath, names in checks:
            view = self.env.ref(xmlid)
            arch = etree.fromstring(
                self.env[model].get_view(view.id, view.type)["arch"]
            )
            for name in names:
                with self.subTest(view=xmlid, field=name):
                    [node] = arch.xpath(xpath % name)
                    self.assertEqual(
                        node.get("invisible"), f"not {name.replace('crm_', 'crm_has_')}"
                    )

    # ------------------------------------------------------------
    # upgrade from 18.0.1.1.0
    # ------------------------------------------------------------

    def test_migration_of_escalation_todos(self):
        """The To-Do escalations of the previous release become "Overdue
        Case" activities, done for the cases no longer open."""
        migration = load_script(
            "crm_satisfaction/migrations/18.0.1.2.0/post-migration.py",
            "crm_satisfaction_post_migration_18_0_1_2_0",
        )
        todo = self.env.ref("mail.mail_activity_data_todo")
        hours_ago = fields.Datetime.now() - timedelta(hours=9)
        still_open = self.new_case(priority="3", date_recorded=hours_ago)
        resolved = self.new_case(priority="3", date_recorded=hours_ago)
        self.Case._cron_escalate()
        by_hand = still_open.activity_schedule(
            activity_type_id=todo.id, user_id=self.leader.id, summary="Call Bob"
        )
        # as the previous release left them: To-Dos, open on a resolved case
        # (with the summary the cron wrote, in English or Chinese)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE mail_activity a SET activity_type_id = %s, summary = "
                "CASE WHEN c.id = %s THEN 'Overdue case: ' ELSE '逾期案例：' END"
                " || c.reference FROM crm_service_case c "
                "WHERE a.activity_type_id = %s AND a.res_model = 'crm.service.case'"
                " AND a.res_id = c.id",
                todo.id,
                still_open.id,
                self.escalation_type.id,
            )
        )
        self.env.cr.execute(
            SQL(
                "UPDATE crm_service_case SET state = 'resolved' WHERE id = %s",
                resolved.id,
            )
        )
        self.env.invalidate_all()

        migration.migrate(self.env.cr, "18.0.1.1.0")

        self.env.invalidate_all()
        open_escalation = self.activities(still_open, self.escalation_type)
        self.assertEqual(len(open_escalation), 1)
        self.assertEqual(open_escalation.user_id, self.leader)
        self.assertFalse(self.activities(resolved, self.escalation_type))
        self.assertEqual(
            len(self.activities(resolved, self.escalation_type, done=True)), 1
        )
        # a To-Do of someone's own stays one
        self.assertEqual((by_hand.activity_type_id, by_hand.active), (todo, True))

    # ------------------------------------------------------------
    # upgrade from 18.0.1.2.0
    # ------------------------------------------------------------

    def test_migration_clears_escalation_summaries(self):
        """The escalations' summaries the cron wrote in its language, and the
        type's default one, are cleared: they show the type's name in the
        reader's language. A summary given by hand, and a default summary
        someone changed, stay."""
        migration = load_script(
            "crm_satisfaction/migrations/18.0.1.3.0/post-migration.py",
            "crm_satisfaction_post_migration_18_0_1_3_0",
        )
        hours_ago = fields.Datetime.now() - timedelta(hours=9)
        english, chinese, default = (
            self.new_case(priority="3", date_recorded=hours_ago) for _ in range(3)
        )
        self.Case._cron_escalate()
        by_hand = english.sudo().activity_schedule(
            activity_type_id=self.escalation_type.id,
            user_id=self.leader.id,
            summary="Call Bob first",
        )
        chinese.action_resolve()  # its escalation is done, kept archived
        escalations = (
            self.activities(english, self.escalation_type) - by_hand
            | self.activities(chinese, self.escalation_type, done=True)
            | self.activities(default, self.escalation_type)
        )
        self.assertEqual(len(escalations), 3)
        # as the previous release left them
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE mail_activity_type SET summary = %s::jsonb WHERE id = %s",
                json.dumps({"en_US": "Overdue case", "zh_CN": "逾期案例"}),
                self.escalation_type.id,
            )
        )
        self.env.cr.execute(
            SQL(
                "UPDATE mail_activity a SET summary = CASE c.id"
                " WHEN %s THEN 'Overdue case: ' || c.reference"
                " WHEN %s THEN '逾期案例：' || c.reference"
                " ELSE 'Overdue case' END"
                " FROM crm_service_case c"
                " WHERE a.res_id = c.id AND a.id IN %s",
                english.id,
                chinese.id,
                tuple(escalations.ids),
            )
        )
        self.env.invalidate_all()
        self.assertEqual(
            sorted(escalations.mapped("summary")),
            sorted(
                [
                    f"Overdue case: {english.reference}",
                    f"逾期案例：{chinese.reference}",
                    "Overdue case",
                ]
            ),
        )

        migration.migrate(self.env.cr, "18.0.1.2.0")

        self.env.invalidate_all()
        self.assertEqual(escalations.mapped("summary"), [False, False, False])
        self.assertEqual(by_hand.summary, "Call Bob first")
        self.assertFalse(self.escalation_type.summary)
        self.assertFalse(self.escalation_type.with_context(lang="zh_CN").summary)
        # a default summary of someone's own stays
        self.escalation_type.summary = "See to it today"
        migration.migrate(self.env.cr, "18.0.1.2.0")
        self.env.invalidate_all()
        self.assertEqual(self.escalation_type.summary, "See to it today")

    def test_verify_is_offered_once_the_customer_was_called_back(self):
        """The form offers Verify only on a resolved case whose callback is
        done (it is not offered, then refused)."""
        arch = self.env["crm.service.case"].get_views([(False, "form")])["views"][
            "form"
        ]["arch"]
        [button] = etree.fromstring(arch).xpath("//button[@name='action_verify']")
        self.assertEqual(
            button.get("invisible"), "state != 'resolved' or not callback_done"
        )
