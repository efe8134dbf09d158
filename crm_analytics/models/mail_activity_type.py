from odoo import api, fields, models

from odoo.addons.crm_lifecycle.bounds import AMOUNT, check_bounds


class MailActivityType(models.Model):
    _inherit = "mail.activity.type"

    crm_cost = fields.Float(
        string="Cost to Serve",
        company_dependent=True,
        digits="Product Price",
        help="What one activity of this type costs, in the company's currency: "
        "each one marked done on a customer, its contacts, opportunities, "
        "orders, invoices or service cases is charged to the customer's cost "
        "to serve (Customer Profitability).",
    )

    @api.constrains("crm_cost")
    def _check_crm_cost(self):
        check_bounds(self, {"crm_cost": AMOUNT})
