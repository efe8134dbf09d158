from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def write(self, vals):
        if "state" not in vals:
            return super().write(vals)
        # Customers whose documents change state: taken before the write, so
        # that a reset to draft also refreshes the customer it leaves.
        pairs = self._crm_lifecycle_pairs()
        posting = self.filtered(lambda move: move.state != "posted")
        res = super().write(vals)
        if pairs:
            # Documents that enter their customer's facts: the stored facts
            # may take them in rather than aggregate the customer again.
            posted = posting.filtered(lambda move: move.state == "posted")
            self.env["crm.customer.profile"]._refresh_customers(pairs, posted)
        return res

    def _crm_lifecycle_pairs(self):
        return {
            (move.commercial_partner_id.id, move.company_id.id)
            for move in self
            if move.move_type in ("out_invoice", "out_refund")
            and move.company_id.crm_revenue_source == "invoice"
        }
