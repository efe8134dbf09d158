from odoo import fields, models

from ..const import LIFECYCLE_STAGES


class CrmLifecycleStageWizard(models.TransientModel):
    _name = "crm.lifecycle.stage.wizard"
    _description = "Set a Customer's Lifecycle Stage by Hand"

    profile_ids = fields.Many2many(
        "crm.customer.profile", string="Customers", required=True
    )
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGES, string="Stage", required=True)
    reason = fields.Text(required=True)
    until = fields.Date(
        string="Hold Until",
        help="The stage holds through automatic recomputes until this date "
        "(inclusive). Empty: today only.",
    )

    def action_apply(self):
        self.ensure_one()
        self.profile_ids.set_stage(self.lifecycle_stage, self.reason, self.until)
        return {"type": "ir.actions.act_window_close"}
