from odoo import fields, models

from ..models.crm_service_case import FEEDBACK_ROUTES


class CrmServiceCaseClose(models.TransientModel):
    """The Close button of a service case: its feedback (反馈), then the
    case is closed (DOMAIN §4: no case closes without a route and a note)."""

    _name = "crm.service.case.close"
    _description = "Close Service Case"

    case_ids = fields.Many2many("crm.service.case", required=True)
    feedback_route = fields.Selection(
        FEEDBACK_ROUTES,
        required=True,
        help="Department the case is fed back to.",
    )
    feedback_note = fields.Text(required=True)

    def action_close(self):
        self.ensure_one()
        self.case_ids._close(self.feedback_route, self.feedback_note)
        return {"type": "ir.actions.act_window_close"}
