from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def write(self, vals):
        if "state" not in vals:
            return super().write(vals)
        # Customers whose documents change state: taken before the write, so
        # that a reset to draft also refreshes the customer it leaves.
        pairs = self._crm_lifecycle_pairs()
        res = super().write(vals)
        if pairs:
            self.env["crm.customer.profile"]._refresh_customers(pairs)
        return res

    def _crm_lifecycle_pairs(self):
        return {
            (move.commercial_partner_id.id, move.company_id.id)
            for move in self
            if move.move_type in ("out_invoice", "out_refund")
            and move.company_id.crm_revenue_source == "invoice"
        }
