from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.crm_lifecycle.tools import arguments

from .crm_service_sla import CASE_PRIORITIES

CASE_STATES = [
    ("recorded", "Recorded"),
    ("in_progress", "In Progress"),
    ("resolved", "Resolved"),
    ("verified", "Verified"),
    ("closed", "Closed"),
]
FEEDBACK_ROUTES = [
    ("design", "Design"),
    ("production", "Production"),
    ("delivery", "Delivery"),
    ("sales", "Sales"),
    ("service", "Service"),
]
OPEN_STATES = ("recorded", "in_progress")

# The closed loop of DOMAIN §4: every legal move of a case, (from, to), and
# the method that makes it. A write of ``state`` (the kanban's drag and drop)
# runs that method, as the button does; the moves made by a private method
# need more than a click (Close asks for the feedback, Reopen for a reason)
# and are refused there. Any other move is refused.
CASE_TRANSITIONS = {
    ("recorded", "in_progress"): "action_start",
    ("recorded", "resolved"): "action_resolve",
    ("in_progress", "resolved"): "action_resolve",
    ("resolved", "verified"): "action_verify",
    ("verified", "closed"): "_close",
    ("resolved", "in_progress"): "_reopen",
    ("verified", "in_progress"): "_reopen",
}
# The loop's record: changed only by the methods of CASE_TRANSITIONS, the
# escalation cron and the callback (activity done, callback survey
# completed), all through ``_write_loop``. A create or write from anywhere
# else that sets one is refused (``state`` excepted, as above).
LOOP_FIELDS = frozenset(
    {
        "state",
        "date_resolved",
        "date_closed",
        "date_escalated",
        "callback_done",
        "feedback_route",
        "feedback_note",
        "is_omission",
    }
)
LOOP_START = {"state": "recorded"}  # the others start empty
# What the deadline is computed from: fixed once the case is resolved, when
# it has decided whether the case was resolved in time (an omission).
SCHEDULE_FIELDS = frozenset({"deadline", "date_recorded", "priority", "company_id"})


class CrmServiceCase(models.Model):
    """A complaint, request or after-sale visit run as a closed loop
    (DOMAIN §4): recorded with a deadline from its priority, handled,
    called back, fed back to the department concerned."""

    _name = "crm.service.case"
    _description = "Service Case"
    _inherit = ["portal.mixin", "mail.thread.cc", "mail.activity.mixin"]
    _order = "priority desc, deadline, id desc"
    _check_company_auto = True
    _mail_post_access = "read"

    reference = fields.Char(
        required=True, readonly=True, copy=False, default="/", index="trigram"
    )
    name = fields.Char(string="Subject", required=True, tracking=True)
    case_type = fields.Selection(
        [
            ("complaint", "Complaint"),
            ("request", "Request"),
            ("visit", "After-sale Visit"),
        ],
        string="Type",
        required=True,
        default="complaint",
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        default=lambda self: self.env.user,
        tracking=True,
        index=True,
        domain="[('share', '=', False)]",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        compute="_compute_team_id",
        store=True,
        readonly=False,
        check_company=True,
        index=True,
    )
    priority = fields.Selection(
        CASE_PRIORITIES, default="1", required=True, tracking=True
    )
    description = fields.Html()
    sale_order_id = fields.Many2one(
        "sale.order",
        check_company=True,
        domain="[('partner_id', 'child_of', commercial_partner_id)]",
    )
    invoice_id = fields.Many2one(
        "account.move",
        check_company=True,
        domain="[('move_type', 'in', ('out_invoice', 'out_refund')),"
        " ('commercial_partner_id', '=', commercial_partner_id)]",
    )
    product_id = fields.Many2one("product.product", check_company=True)
    state = fields.Selection(
        CASE_STATES,
        default="recorded",
        required=True,
        tracking=True,
        copy=False,
        group_expand=True,
    )
    date_recorded = fields.Datetime(
        string="Recorded On", default=fields.Datetime.now, required=True, copy=False
    )
    deadline = fields.Datetime(
        compute="_compute_deadline",
        store=True,
        readonly=False,
        tracking=True,
        help="Recorded on + the hours to resolve of the case's priority (service "
        "levels, per company).",
    )
    date_resolved = fields.Datetime(string="Resolved On", readonly=True, copy=False)
    date_closed = fields.Datetime(string="Closed On", readonly=True, copy=False)
    # tracked: the chatter logs the escalation, its label and date shown in
    # the reader's language, format and time zone
    date_escalated = fields.Datetime(
        string="Escalated On", readonly=True, copy=False, tracking=True
    )
    callback_done = fields.Boolean(
        string="Called Back",
        readonly=True,
        copy=False,
        tracking=True,
        help="The callback activity was marked done, or the customer completed "
        "the callback survey.",
    )
    feedback_route = fields.Selection(
        FEEDBACK_ROUTES,
        readonly=True,
        copy=False,
        tracking=True,
        help="Department the case is fed back to, given when it is closed.",
    )
    feedback_note = fields.Text(readonly=True, copy=False)
    is_overdue = fields.Boolean(
        string="Overdue",
        compute="_compute_is_overdue",
        search="_search_is_overdue",
        help="Past its deadline and not resolved yet.",
    )
    is_omission = fields.Boolean(
        string="Omission",
        compute="_compute_is_omission",
        store=True,
        help="Escalated, or resolved after its deadline.",
    )
    survey_input_ids = fields.One2many(
        "survey.user_input", "crm_case_id", string="Callback Surveys"
    )

    @api.depends("user_id")
    def _compute_team_id(self):
        for case in self:
            if not case.team_id and case.user_id.sale_team_id:
                case.team_id = case.user_id.sale_team_id

    @api.depends("date_recorded", "priority", "company_id")
    def _compute_deadline(self):
        Sla = self.env["crm.service.sla"]
        for case in self:
            hours = Sla._hours_for(case)
            case.deadline = (
                case.date_recorded + timedelta(hours=hours)
                if hours and case.date_recorded
                else False
            )

    @api.depends("deadline", "state")
    @api.depends_context("crm_now")
    def _compute_is_overdue(self):
        now = self._now()
        for case in self:
            case.is_overdue = bool(
                case.state in OPEN_STATES and case.deadline and case.deadline < now
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on 'Overdue'."))
        overdue = [
            ("state", "in", OPEN_STATES),
            ("deadline", "<", self._now()),
        ]
        if (operator == "=") == value:
            return overdue
        return ["!", "&", *overdue]

    @api.depends("date_escalated", "date_resolved", "deadline")
    def _compute_is_omission(self):
        for case in self:
            case.is_omission = bool(
                case.date_escalated
                or (
                    case.date_resolved
                    and case.deadline
                    and case.date_resolved > case.deadline
                )
            )

    def _now(self):
        """Now, or the ``crm_now`` of the context (tests and reports)."""
        return self.env.context.get("crm_now") or fields.Datetime.now()

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # A new case starts the loop: recorded, nothing done yet. Defaults of
        # the context (a view grouped by state) do not apply to the loop.
        context_defaults = {
            name for name in LOOP_FIELDS if f"default_{name}" in self.env.context
        }
        for vals in vals_list:
            self._check_loop_untouched(
                name
                for name in LOOP_FIELDS.intersection(vals)
                if (vals[name] or False) != LOOP_START.get(name, False)
            )
            for name in context_defaults.difference(vals):
                vals[name] = LOOP_START.get(name, False)
        for vals in vals_list:
            if vals.get("reference", "/") == "/":
                company = self.env["res.company"].browse(
                    vals.get("company_id") or self.env.company.id
                )
                vals["reference"] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .next_by_code("crm.service.case")
                    or "/"
                )
        cases = super().create(vals_list)
        for case in cases.filtered("partner_id"):
            case.message_subscribe(case.partner_id.ids)
        return cases

    def write(self, vals):
        self._check_loop_untouched(LOOP_FIELDS.intersection(vals) - {"state"})
        if self._schedule_fields().intersection(vals):
            self._check_schedule_open(vals)
        if "state" not in vals:
            return super().write(vals)
        # refuse an illegal move before anything is written
        moves = self._moves_to(vals["state"])
        others = {name: value for name, value in vals.items() if name != "state"}
        if others:
            super().write(others)
        for cases, method in moves:
            getattr(cases, method)()
        return True

    def _write_loop(self, vals):
        """Write the loop's fields (LOOP_FIELDS) past the checks of
        :meth:`write`: for the methods of CASE_TRANSITIONS, the escalation and
        the callback only. Private, hence out of reach of RPC; the write of
        the models below (tracking, stored computes) still runs."""
        return super().write(vals)

    def _check_loop_untouched(self, names):
        """Refuse to set the loop's fields ``names`` outside its methods."""
        names = sorted(names)
        if names:
            raise UserError(
                self.env._(
                    "%(fields)s of a service case change only through its buttons "
                    "(Start, Resolve, Verify, Close, Reopen), its callback and its "
                    "escalation.",
                    fields=", ".join(
                        self._fields[name]._description_string(self.env)
                        for name in names
                    ),
                )
            )

    @api.model
    def _schedule_fields(self):
        """The deadline and what it is computed from (addons add theirs)."""
        return SCHEDULE_FIELDS

    def _check_schedule_open(self, vals):
        """Refuse to change the deadline of a resolved case, or what it is
        computed from: it decided whether the case was resolved in time."""
        names = [name for name in vals if name in self._schedule_fields()]
        for case in self.filtered(lambda case: case.state not in OPEN_STATES):
            for name in names:
                field = self._fields[name]
                value = field.convert_to_record(
                    field.convert_to_cache(vals[name], case), case
                )
                if value != case[name]:
                    raise UserError(
                        self.env._(
                            "Case %(case)s is resolved: its %(field)s can no longer "
                            "change (the deadline decided whether it was resolved "
                            "in time).",
                            case=case.reference,
                            field=field._description_string(self.env),
                        )
                    )

    def _check_transition(self, target, method):
        """Refuse unless ``method`` is what moves every case of ``self`` to
        ``target`` (CASE_TRANSITIONS)."""
        for case in self:
            if not method or CASE_TRANSITIONS.get((case.state, target)) != method:
                states = dict(self._fields["state"]._description_selection(self.env))
                raise UserError(
                    self.env._(
                        "Case %(case)s cannot go from %(from_state)s to %(to_state)s.",
                        case=case.reference,
                        from_state=states[case.state],
                        to_state=states.get(target, target),
                    )
                )

    def _moves_to(self, target):
        """The moves of the cases to ``target`` as their buttons make them
        (a write of ``state``: the kanban's drag and drop), as (cases, method
        of CASE_TRANSITIONS); cases already there stay. Refuses an illegal
        move, and the moves that need more than a click."""
        moves = []
        moving = self.filtered(lambda case: case.state != target)
        for state, cases in moving.grouped("state").items():
            method = CASE_TRANSITIONS.get((state, target))
            if method == "_close":
                raise UserError(
                    self.env._(
                        "Case %s: close it with its Close button, which asks for "
                        "the feedback route and note.",
                        cases[0].reference,
                    )
                )
            if method == "_reopen":
                raise UserError(
                    self.env._(
                        "Case %s: reopen it with its Reopen button, which asks for "
                        "the reason.",
                        cases[0].reference,
                    )
                )
            cases._check_transition(target, method)
            moves.append((cases, method))
        return moves

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for case in self:
            case.access_url = f"/my/cases/{case.id}"
        return res

    def _compute_display_name(self):
        for case in self:
            case.display_name = f"{case.reference} {case.name or ''}".strip()

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A case from an email to the team's alias: the sender is the
        customer, the subject the case, the body its description."""
        values = {
            "name": msg_dict.get("subject") or self.env._("No Subject"),
            "description": msg_dict.get("body"),
            "user_id": False,
        }
        author = self.env["res.partner"].browse(msg_dict.get("author_id"))
        if not author:
            emails = self._mail_find_partner_from_emails(
                [msg_dict.get("email_from")], force_create=True
            )
            author = emails[0] if emails else author
        if author:
            values["partner_id"] = author.id
        values.update(custom_values or {})
        return super(
            CrmServiceCase, self.with_context(default_user_id=False)
        ).message_new(msg_dict, custom_values=values)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    @api.model
    def _new_case_action(self, context):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Service Case"),
            "res_model": "crm.service.case",
            "view_mode": "form",
            "target": "current",
            "context": context,
        }

    def action_start(self):
        self._check_transition("in_progress", "action_start")
        self._write_loop({"state": "in_progress"})
        return True

    def action_resolve(self):
        """Resolved: the owner is to call the customer back (an activity) and
        the customer receives the service callback survey, linked to the
        case."""
        self._check_transition("resolved", "action_resolve")
        self._write_loop({"state": "resolved", "date_resolved": fields.Datetime.now()})
        self._close_escalation(self.env._("The case was resolved."))
        callback_type = self.env.ref("crm_satisfaction.mail_activity_type_callback")
        for case in self:
            case.activity_schedule(
                activity_type_id=callback_type.id,
                user_id=(case.user_id or self.env.user).id,
                summary=self.env._("Call the customer back"),
            )
        self._send_callback_survey()
        return True

    def _send_callback_survey(self):
        survey = self.env.ref(
            "crm_satisfaction.survey_service_callback", raise_if_not_found=False
        )
        if not survey or not survey.active:
            return
        for case in self:
            partner = case.partner_id
            # The survey invitation is sent on behalf of the company: the
            # owner need not be a survey officer.
            # Each resolution gets its own response, linked to the case: the
            # wizard would otherwise resend the customer's last response to
            # this survey (another case's, or this case's before a reopen).
            invite = (
                self.env["survey.invite"]
                .sudo()
                .with_company(case.company_id)
                .with_context(
                    default_survey_id=survey.id,
                    default_existing_mode="new",
                    default_partner_ids=partner.ids,
                    default_crm_case_id=case.id,
                    default_template_id=self.env.ref(
                        "survey.mail_template_user_input_invite"
                    ).id,
                    default_email_layout_xmlid="mail.mail_notification_light",
                    default_send_email=True,
                )
                .create({})
            )
            if partner.email:
                invite.action_invite()
            else:
                invite._prepare_answers(partner, [])
                case.message_post(
                    body=self.env._(
                        "The customer has no email address: call them back to "
                        "take the callback survey."
                    )
                )

    def action_verify(self):
        self._check_transition("verified", "action_verify")
        for case in self:
            if not case.callback_done:
                raise UserError(
                    self.env._(
                        "Case %s cannot be verified before the customer was called "
                        "back: mark the callback activity as done, or wait for the "
                        "callback survey.",
                        case.reference,
                    )
                )
        self._write_loop({"state": "verified"})
        return True

    def action_close(self):
        """The Close button: the feedback (反馈) is asked for, then
        :meth:`_close` closes the cases."""
        self._check_transition("closed", "_close")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Close Case"),
            "res_model": "crm.service.case.close",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_ids": self.ids},
        }

    def _close(self, route, note):
        """Close the cases with their feedback: the department ``route``
        they are fed back to and a ``note``."""
        self._check_transition("closed", "_close")
        if route not in dict(FEEDBACK_ROUTES) or not (note or "").strip():
            raise UserError(
                self.env._(
                    "Case %s cannot be closed without its feedback: choose the "
                    "department it is fed back to and write a note.",
                    self[:1].reference,
                )
            )
        self._write_loop(
            {
                "state": "closed",
                "feedback_route": route,
                "feedback_note": note.strip(),
                "date_closed": fields.Datetime.now(),
            }
        )
        self._close_escalation(self.env._("The case was closed."))
        return True

    def action_open_reopen_wizard(self):
        self._check_transition("in_progress", "_reopen")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reopen Case"),
            "res_model": "crm.service.case.reopen",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_ids": self.ids},
        }

    def _reopen(self, reason):
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason for reopening the case."))
        self._check_transition("in_progress", "_reopen")
        for case in self:
            case.message_post(
                body=self.env._("Reopened: %s", reason),
                subtype_xmlid="mail.mt_note",
            )
        # The callback of the resolution that is undone no longer counts: its
        # open callback activity is cancelled, its callback survey not
        # completed yet expires (the survey pages refuse it). The next resolve schedules
        # and sends new ones.
        callback_type = self.env.ref("crm_satisfaction.mail_activity_type_callback")
        self.activity_ids.filtered(
            lambda activity: activity.activity_type_id == callback_type
        ).unlink()
        self.sudo().survey_input_ids.filtered(
            lambda response: response.state != "done"
        ).write({"deadline": fields.Datetime.now()})
        self._write_loop(
            {
                "state": "in_progress",
                "date_resolved": False,
                "callback_done": False,
            }
        )
        # escalated once, and past its deadline again: the team leader is to
        # see to it again (the escalation cron escalates a case only once)
        self.filtered(
            lambda case: case.date_escalated and case.is_overdue
        )._schedule_escalation()
        return True

    def _record_callback(self):
        """The customer was called back: the callback activity was marked
        done, or the callback survey completed. Only a callback of the
        current resolution counts: the case is resolved (a reopened case
        waits for its next resolve and callback)."""
        self.filtered(lambda case: case.state == "resolved")._write_loop(
            {"callback_done": True}
        )
        return True

    def _current_callback_response(self):
        """The callback survey response of the case's current resolution:
        the last one sent, while the case is resolved."""
        self.ensure_one()
        if self.state != "resolved":
            return self.env["survey.user_input"]
        return self.sudo().survey_input_ids.sorted("id")[-1:]

    # ------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------

    @api.model
    def _cron_escalate(self):
        """Escalate each overdue case once: an activity for the team leader
        (else the owner), and its date of escalation, logged in the chatter;
        the case counts as an omission. Nothing is written in the cron's
        language: the activity has no summary (it shows its type, "Overdue
        Case", and the case), the chatter shows the tracked field."""
        overdue = self.sudo().search(
            [("is_overdue", "=", True), ("date_escalated", "=", False)]
        )
        overdue._schedule_escalation()
        overdue._write_loop({"date_escalated": fields.Datetime.now()})
        return overdue

    def _schedule_escalation(self):
        """An "Overdue Case" activity for the team leader (else the owner)
        of each case; done when the case is resolved or closed. Without a
        summary: the activity type's name is shown, in the reader's
        language."""
        escalation_type = self.env.ref("crm_satisfaction.mail_activity_type_escalation")
        for case in self:
            leader = case.team_id.user_id or case.user_id
            if leader:
                case.activity_schedule(
                    activity_type_id=escalation_type.id, user_id=leader.id
                )

    def _close_escalation(self, feedback):
        """Mark the open "Overdue Case" activities of the cases done: the
        case is no longer open, nobody is to see to it any more."""
        escalation_type = self.env.ref("crm_satisfaction.mail_activity_type_escalation")
        # sudo: the activity is the team leader's; whoever may resolve or
        # close the case marks it done (in their own name)
        self.sudo().activity_ids.filtered(
            lambda activity: activity.activity_type_id == escalation_type
        ).action_feedback(feedback=feedback)

    # ------------------------------------------------------------
    # SERVICE CONTROLS
    # ------------------------------------------------------------

    @api.model
    @api.readonly
    def service_controls(self, date_from, date_to, team=None):
        """The three service controls of DOMAIN §3 over [date_from, date_to]
        for the current company (and a sales team):

        - complaint rate 投诉率 = complaint cases recorded in the period /
          customers invoiced in the period;
        - omission rate 服务遗漏率 = cases and callbacks due in the period that
          went past their deadline (or are still open past it) / those due;
        - dissatisfaction rate 服务不满率 = completed responses of the period
          with overall satisfaction in the bottom two points of its scale, or
          C < 1 when they have no overall answer / completed responses.

        Also the completeness of the "four no-misses" (四个不漏): the share of
        the cases recorded in the period that were closed with all four steps
        done (recorded, resolved, called back, fed back), and done in time
        (resolved by the deadline, never escalated).

        Rates are 0–100, None when their denominator is 0.

        Everything is counted among the records the caller may read (record
        rules apply): a salesperson limited to their own documents gets the
        figures of their own cases, invoices and customers' responses; a
        caller who may not read invoices gets no complaint rate.
        """
        return self._service_controls(date_from, date_to, team=team)

    @api.model
    def _service_controls(self, date_from, date_to, team=None, customer_filter=None):
        """:meth:`service_controls`, of the customers ``customer_filter``
        keeps: a function of the SQL of a commercial partner's id returning
        an SQL condition on it (their cases, invoices and responses)."""
        self.check_access("read")
        date_from, date_to = arguments.check_period(self.env, date_from, date_to)
        # over RPC: the team's id
        team = arguments.to_records(
            self.env, "crm.team", team, arguments.SALES_TEAM, single=True
        )
        start = fields.Datetime.to_datetime(date_from)
        end = fields.Datetime.to_datetime(date_to) + timedelta(days=1)
        now = self._now()
        company = self.env.company
        team_id = team.id or None

        def scope_filter(column, partner_column):
            return SQL(
                "%s %s",
                SQL("AND %s = %s", column, team_id) if team_id else SQL(),
                SQL("AND %s", customer_filter(partner_column))
                if customer_filter
                else SQL(),
            )

        # the cases and invoices the caller may read, as subqueries
        readable_cases = self._search([("company_id", "=", company.id)]).subselect()
        Move = self.env["account.move"]
        if Move.has_access("read"):
            readable_moves = Move._search(
                [("company_id", "=", company.id), ("move_type", "=", "out_invoice")]
            ).subselect()
        else:
            readable_moves = SQL("(SELECT 1 WHERE FALSE)")
        self.env.flush_all()
        [row] = self.env.execute_query_dict(
            SQL(
                """
                SELECT
                  (SELECT count(*) FROM crm_service_case c
                    WHERE c.company_id = %(company)s AND c.id IN %(cases)s
                      AND c.case_type = 'complaint'
                      AND c.date_recorded >= %(start)s
                      AND c.date_recorded < %(end)s %(case_scope)s) AS complaints,
                  (SELECT count(*) FROM crm_service_case c
                    WHERE c.company_id = %(company)s AND c.id IN %(cases)s
                      AND c.date_recorded >= %(start)s
                      AND c.date_recorded < %(end)s %(case_scope)s) AS cases,
                  (SELECT count(*) FROM crm_service_case c
                    WHERE c.company_id = %(company)s AND c.id IN %(cases)s
                      AND c.date_recorded >= %(start)s
                      AND c.date_recorded < %(end)s
                      AND c.state = 'closed' AND c.date_resolved IS NOT NULL
                      AND c.callback_done AND c.feedback_route IS NOT NULL
                      %(case_scope)s) AS cases_complete,
                  (SELECT count(*) FROM crm_service_case c
                    WHERE c.company_id = %(company)s AND c.id IN %(cases)s
                      AND c.date_recorded >= %(start)s
                      AND c.date_recorded < %(end)s
                      AND c.state = 'closed' AND c.date_resolved IS NOT NULL
                      AND c.callback_done AND c.feedback_route IS NOT NULL
                      AND c.date_resolved <= c.deadline
                      AND c.date_escalated IS NULL
                      %(case_scope)s) AS cases_complete_in_time,
                  (SELECT count(DISTINCT m.commercial_partner_id) FROM account_move m
                    WHERE m.company_id = %(company)s AND m.id IN %(moves)s
                      AND m.state = 'posted' AND m.move_type = 'out_invoice'
                      AND m.invoice_date >= %(date_from)s
                      AND m.invoice_date <= %(date_to)s %(move_scope)s)
                      AS customers_invoiced,
                  (SELECT count(*) FROM crm_service_case c
                    WHERE c.company_id = %(company)s AND c.id IN %(cases)s
                      AND c.deadline >= %(start)s AND c.deadline < %(end)s
                      %(case_scope)s) AS cases_due,
                  (SELECT count(*) FROM crm_service_case c
                    WHERE c.company_id = %(company)s AND c.id IN %(cases)s
                      AND c.deadline >= %(start)s AND c.deadline < %(end)s
                      AND (c.date_resolved > c.deadline
                           OR (c.date_resolved IS NULL AND c.deadline < %(now)s))
                      %(case_scope)s) AS cases_missed,
                  (SELECT count(*) FROM mail_activity a
                     JOIN crm_service_case c
                       ON c.id = a.res_id AND a.res_model = 'crm.service.case'
                    WHERE a.activity_type_id = %(callback)s
                      AND c.company_id = %(company)s AND c.id IN %(cases)s
                      AND a.date_deadline >= %(date_from)s
                      AND a.date_deadline <= %(date_to)s %(case_scope)s)
                      AS callbacks_due,
                  (SELECT count(*) FROM mail_activity a
                     JOIN crm_service_case c
                       ON c.id = a.res_id AND a.res_model = 'crm.service.case'
                    WHERE a.activity_type_id = %(callback)s
                      AND c.company_id = %(company)s AND c.id IN %(cases)s
                      AND a.date_deadline >= %(date_from)s
                      AND a.date_deadline <= %(date_to)s
                      AND (a.date_done > a.date_deadline
                           OR (a.date_done IS NULL
                               AND a.date_deadline < %(today)s))
                      %(case_scope)s) AS callbacks_missed
                """,
                company=company.id,
                start=start,
                end=end,
                now=now,
                today=now.date(),
                date_from=date_from,
                date_to=date_to,
                callback=self.env.ref(
                    "crm_satisfaction.mail_activity_type_callback"
                ).id,
                cases=readable_cases,
                moves=readable_moves,
                case_scope=scope_filter(
                    SQL("c.team_id"), SQL("c.commercial_partner_id")
                ),
                move_scope=scope_filter(
                    SQL("m.team_id"), SQL("m.commercial_partner_id")
                ),
            )
        )
        UserInput = self.env["survey.user_input"]
        responses = UserInput._search(
            [
                ("state", "=", "done"),
                # satisfaction surveys only: not quizzes or certifications
                ("survey_id.crm_is_satisfaction", "=", True),
                ("crm_company_id", "=", company.id),
                ("end_datetime", ">=", start),
                ("end_datetime", "<", end),
                *([("crm_team_id", "=", team_id)] if team_id else []),
            ]
        )
        if customer_filter:
            # the respondent's customer (commercial partner)
            responses.add_where(
                customer_filter(SQL.identifier(responses.table, "crm_partner_id"))
            )
        responses = UserInput.browse(responses)
        completed, dissatisfied = self._dissatisfaction_counts(responses)

        def rate(part, whole):
            return 100.0 * part / whole if whole else None

        due = row["cases_due"] + row["callbacks_due"]
        missed = row["cases_missed"] + row["callbacks_missed"]
        return {
            "complaint_rate": rate(row["complaints"], row["customers_invoiced"]),
            "omission_rate": rate(missed, due),
            "dissatisfaction_rate": rate(dissatisfied, completed),
            "completeness_rate": rate(row["cases_complete"], row["cases"]),
            "completeness_in_time_rate": rate(
                row["cases_complete_in_time"], row["cases"]
            ),
            "cases": row["cases"],
            "cases_complete": row["cases_complete"],
            "cases_complete_in_time": row["cases_complete_in_time"],
            "complaints": row["complaints"],
            "customers_invoiced": row["customers_invoiced"],
            "cases_due": row["cases_due"],
            "cases_missed": row["cases_missed"],
            "callbacks_due": row["callbacks_due"],
            "callbacks_missed": row["callbacks_missed"],
            "responses": completed,
            "dissatisfied": dissatisfied,
        }

    @api.model
    def _dissatisfaction_counts(self, responses):
        """(completed responses, dissatisfied ones): overall satisfaction in
        the bottom two points of its scale, or, without an overall answer, a
        CSI (mean C) below 1."""
        if not responses:
            return 0, 0
        [(completed, dissatisfied)] = self.env.execute_query(
            SQL(
                """
                WITH %(ctes)s,
                overall AS (
                    SELECT input_id, avg(value) <= min(scale_min) + 1 AS low
                      FROM ans
                     WHERE measure = 'overall'
                  GROUP BY input_id
                )
                SELECT count(*),
                       count(*) FILTER (
                           WHERE CASE WHEN o.input_id IS NOT NULL THEN o.low
                                      ELSE r.csi < 1 END)
                  FROM unnest(%(ids)s::int[]) AS i(id)
                  LEFT JOIN overall o ON o.input_id = i.id
                  LEFT JOIN resp r ON r.input_id = i.id
                """,
                ctes=self.env["crm.satisfaction.analysis"]._answer_ctes(
                    SQL("(SELECT unnest(%s::int[]))", responses.ids)
                ),
                ids=responses.ids,
            )
        )
        return completed, dissatisfied
