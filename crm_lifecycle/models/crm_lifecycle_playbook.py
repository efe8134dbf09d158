import logging
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from ..bounds import DELAY_DAYS, check_bounds
from ..const import LIFECYCLE_STAGES

_logger = logging.getLogger(__name__)


class CrmLifecyclePlaybook(models.Model):
    """Follow-up rule: when a customer enters a stage, schedule an activity,
    send an email and/or create an opportunity for the right person.

    Other addons add triggers with ``selection_add`` on ``trigger``, a field
    holding the trigger value, and an override of :meth:`_trigger_value`; they
    feed their own events to :meth:`_run_for_events`.
    """

    _name = "crm.lifecycle.playbook"
    _inherit = ["crm.selection.order.mixin"]
    _description = "Customer Follow-up Playbook"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Leave empty to apply the playbook in every company.",
    )
    trigger = fields.Selection(
        [("stage", "Enters a lifecycle stage")],
        required=True,
        default="stage",
    )
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGES, string="Stage")
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        domain="[('res_model', 'in', (False, 'res.partner'))]",
    )
    delay_days = fields.Integer(
        string="Due In (days)",
        default=0,
        help="The activity is due this many days after the customer entered the stage.",
    )
    assign_to = fields.Selection(
        [
            ("salesperson", "Salesperson of the customer"),
            ("team_leader", "Leader of the customer's sales team"),
            ("user", "A chosen user"),
        ],
        required=True,
        default="salesperson",
    )
    user_id = fields.Many2one(
        "res.users",
        help="Assignee when 'A chosen user' is selected; fallback when the "
        "customer has no salesperson or team leader.",
    )
    summary = fields.Char(translate=True)
    note = fields.Html(translate=True)
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain="[('model', '=', 'res.partner')]",
        help="Sent to the customer when the playbook fires.",
    )
    create_opportunity = fields.Boolean(
        help="Create an opportunity for the assignee, named after the summary "
        "(or the playbook) and the customer, with the expected revenue the "
        "event brings (a potential big customer's revenue gap), if any.",
    )

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"lifecycle_stage"}

    @api.constrains(
        "trigger",
        "lifecycle_stage",
        "activity_type_id",
        "mail_template_id",
        "create_opportunity",
        "delay_days",
        "assign_to",
        "user_id",
    )
    def _check_playbook(self):
        check_bounds(self, {"delay_days": DELAY_DAYS}, label=lambda p: p.name)
        for playbook in self:
            if playbook.trigger == "stage" and not playbook.lifecycle_stage:
                raise ValidationError(
                    self.env._("Playbook '%s': choose the stage.", playbook.name)
                )
            if not (
                playbook.activity_type_id
                or playbook.mail_template_id
                or playbook.create_opportunity
            ):
                raise ValidationError(
                    self.env._(
                        "Playbook '%s': choose an activity type, an email "
                        "template or an opportunity to create.",
                        playbook.name,
                    )
                )
            if playbook.assign_to == "user" and not playbook.user_id:
                raise ValidationError(
                    self.env._("Playbook '%s': choose the user.", playbook.name)
                )

    def _trigger_value(self):
        """Value an event must carry to fire this playbook (extension point)."""
        self.ensure_one()
        if self.trigger == "stage":
            return self.lifecycle_stage
        return False

    @api.model
    def _watched_stages(self):
        """Stages that an active playbook of any company fires on."""
        return set(self._watched_stages_cached())

    @tools.ormcache()
    def _watched_stages_cached(self):
        # Read at every posting that changes a stage, changed rarely: cached
        # until a playbook is created, written or deleted. Configuration read
        # on behalf of whoever changed a customer's stage.
        playbooks = self.sudo().search([("trigger", "=", "stage")])
        return frozenset(playbooks.mapped("lifecycle_stage"))

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @api.model
    def _run_for_histories(self, histories):
        """Fire the stage playbooks for new lifecycle history rows."""
        events = [
            {
                "trigger": "stage",
                "value": history.stage_to,
                "partner_id": history.partner_id.id,
                "company_id": history.company_id.id,
                "date": history.date,
            }
            for history in histories
            if history.stage_to and history.stage_to != history.stage_from
        ]
        return self._run_for_events(events)

    @api.model
    def _run_for_events(self, events):
        """Schedule the activities, send the emails and create the
        opportunities of the playbooks that match ``events`` (dicts with
        trigger, value, partner_id, company_id, date and optionally
        expected_revenue, the opportunity's). Each event fires each matching
        playbook once.

        :return: the created ``mail.activity`` records
        """
        if not events:
            return self.env["mail.activity"]
        partners = (
            self.env["res.partner"]
            .sudo()
            .browse({event["partner_id"] for event in events})
        )
        partners.fetch(["user_id"])
        partner_model_id = self.env["ir.model"]._get_id("res.partner")
        today = fields.Date.context_today(self)
        activity_vals = []
        lead_vals = defaultdict(list)
        mails = defaultdict(list)
        for event, playbook in self._fired_playbooks(events):
            partner = partners.browse(event["partner_id"])
            if playbook.mail_template_id:
                mails[playbook.mail_template_id].append(partner.id)
            if not (playbook.activity_type_id or playbook.create_opportunity):
                continue
            user = playbook._assignee(partner)
            if not user:
                _logger.info(
                    "Playbook %s: no assignee for partner %s, no activity "
                    "nor opportunity.",
                    playbook.id,
                    partner.id,
                )
                continue
            # the texts in the language of whoever will read them
            shown = playbook.with_context(lang=user.lang)
            if playbook.create_opportunity:
                vals = shown._opportunity_values(partner, user, event)
                if vals:
                    lead_vals[event["company_id"]].append(vals)
            if not playbook.activity_type_id:
                continue
            start = max(fields.Date.to_date(event.get("date")) or today, today)
            activity_vals.append(
                {
                    "res_model_id": partner_model_id,
                    "res_id": partner.id,
                    "activity_type_id": playbook.activity_type_id.id,
                    "summary": shown.summary or shown.name,
                    "note": shown.note,
                    "user_id": user.id,
                    "date_deadline": start + timedelta(days=playbook.delay_days),
                }
            )
        # The person whose action moved the customer (an accountant posting
        # an invoice, the cron) schedules follow-ups for other users.
        activities = (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True)
            .create(activity_vals)
        )
        for company_id, vals_list in lead_vals.items():
            # ... and creates their opportunities, one batch per company: crm
            # gives each the salesperson's sales team among the company's
            self.env["crm.lead"].sudo().with_context(
                allowed_company_ids=[company_id],
                mail_auto_subscribe_no_notify=True,
            ).create(vals_list)
        for template, partner_ids in mails.items():
            self.env["res.partner"].sudo().browse(partner_ids).message_post_with_source(
                template, subtype_xmlid="mail.mt_comment"
            )
        return activities

    @api.model
    def _fired_playbooks(self, events):
        """(event, playbook) for each playbook that ``events`` fire: of their
        trigger and value, without company or of the event's company."""
        # Playbooks are configuration read on behalf of whoever posted the
        # invoice (an accountant need not see CRM settings).
        playbooks = self.sudo().search([])
        by_key = defaultdict(list)
        for playbook in playbooks:
            by_key[(playbook.trigger, playbook._trigger_value())].append(playbook)
        for event in events:
            for playbook in by_key.get((event["trigger"], event["value"]), []):
                if playbook.company_id.id in (False, event["company_id"]):
                    yield event, playbook

    def _opportunity_values(self, partner, user, event):
        """Values of the opportunity this playbook creates for ``user`` on
        ``event`` of ``partner``, named in the language of ``self``'s
        context; None when ``user`` may not work in the event's company."""
        self.ensure_one()
        company_id = event["company_id"]
        if company_id not in user.company_ids.ids:
            _logger.info(
                "Playbook %s: user %s is not in company %s, no opportunity.",
                self.id,
                user.id,
                company_id,
            )
            return None
        return {
            "type": "opportunity",
            "name": self.env._(
                "%(title)s: %(customer)s",
                title=self.summary or self.name,
                customer=partner.display_name,
            ),
            "partner_id": partner.id,
            "user_id": user.id,
            "company_id": company_id,
            "expected_revenue": event.get("expected_revenue") or 0.0,
            "description": self.note,
        }

    def _assignee(self, partner):
        self.ensure_one()
        if self.assign_to == "salesperson":
            user = partner.user_id
        elif self.assign_to == "team_leader":
            user = partner.user_id.sale_team_id.user_id
        else:
            user = self.user_id
        return user or self.user_id
