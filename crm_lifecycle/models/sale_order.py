from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def write(self, vals):
        if "state" not in vals:
            return super().write(vals)
        res = super().write(vals)
        pairs = {
            (order.partner_id.commercial_partner_id.id, order.company_id.id)
            for order in self
            if order.company_id.crm_revenue_source == "sale_order"
        }
        if pairs:
            self.env["crm.customer.profile"]._refresh_customers(pairs)
        return res
