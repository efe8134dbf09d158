from odoo import fields, models

from ..const import LIFECYCLE_STAGES, RULE_LABELS


class CrmLifecycleHistory(models.Model):
    _name = "crm.lifecycle.history"
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
    reason = fields.Text(readonly=True)
    is_manual = fields.Boolean(string="Manual", readonly=True)
    locked_until = fields.Date(string="Held Until", readonly=True)
    user_id = fields.Many2one("res.users", readonly=True)
