from odoo import api, fields, models
from odoo.tools import SQL

from ..const import LIFECYCLE_STAGES, RULE_LABELS
from ..tools import reasons


class CrmLifecycleHistory(models.Model):
    _name = "crm.lifecycle.history"
    _inherit = ["crm.selection.order.mixin"]
    _description = "Customer Lifecycle History"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    profile_id = fields.Many2one(
        "crm.customer.profile",
        string="Customer Profile",
        required=True,
        ondelete="cascade",
        index=True,
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True
    )
    stage_from = fields.Selection(LIFECYCLE_STAGES, string="From Stage", readonly=True)
    stage_to = fields.Selection(LIFECYCLE_STAGES, string="To Stage", readonly=True)
    date = fields.Date(required=True, readonly=True, index=True)
    rule = fields.Selection(RULE_LABELS, readonly=True)
    reason = fields.Text(compute="_compute_reason")
    reason_figures = fields.Json(
        readonly=True, help="The figures the rule read, quoted by the reason."
    )
    note = fields.Text(
        readonly=True,
        help="The words of whoever set the stage by hand (and the reasons "
        "written before the figures were stored).",
    )
    is_manual = fields.Boolean(string="Manual", readonly=True)
    locked_until = fields.Date(string="Held Until", readonly=True)
    user_id = fields.Many2one("res.users", readonly=True)

    @api.depends("rule", "reason_figures", "note", "company_id.currency_id")
    @api.depends_context("lang")
    def _compute_reason(self):
        for history in self:
            history.reason = history.note or reasons.render(
                self.env,
                history.rule,
                history.reason_figures,
                history.company_id.currency_id,
            )

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"stage_from", "stage_to"}

    @api.model
    def _create_from_evaluation(self, date):
        """A history row dated ``date`` for every change of stage of the
        evaluation in ``crm_lifecycle_evaluation`` (see
        ``crm.customer.profile._evaluate``), written by the engine whoever
        triggered it; return them."""
        uid = self.env.uid
        rows = self.env.execute_query(
            SQL(
                """
                INSERT INTO crm_lifecycle_history (
                    profile_id, partner_id, company_id, stage_from, stage_to,
                    date, rule, reason_figures, is_manual, user_id,
                    create_uid, create_date, write_uid, write_date)
                SELECT pr.id, e.partner_id, e.company_id, e.old_stage, e.stage,
                       %(date)s, e.stage_rule, e.reason_figures, FALSE, %(uid)s,
                       %(uid)s, now() AT TIME ZONE 'UTC',
                       %(uid)s, now() AT TIME ZONE 'UTC'
                  FROM crm_lifecycle_evaluation e
                  JOIN crm_customer_profile pr
                    ON pr.partner_id = e.partner_id AND pr.company_id = e.company_id
                 WHERE e.stage_moved
                RETURNING id
                """,
                date=date,
                uid=uid,
            )
        )
        self.invalidate_model()
        return self.sudo().browse(row[0] for row in rows)
