from odoo import fields, models


class CrmServiceCaseReopen(models.TransientModel):
    _name = "crm.service.case.reopen"
    _description = "Reopen Service Case"

    case_ids = fields.Many2many("crm.service.case", required=True)
    reason = fields.Text(required=True)

    def action_reopen(self):
        self.ensure_one()
        self.case_ids._reopen(self.reason)
        return {"type": "ir.actions.act_window_close"}
