from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmCostEntry(models.Model):
    """What the CRM costs a company in a month (people, tools, campaigns):
    the denominator of the CRM return on investment."""

    _name = "crm.cost.entry"
    _description = "CRM Cost"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Description", required=True)
    date = fields.Date(
        string="Month", required=True, default=fields.Date.context_today, index=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(required=True)

    @api.constrains("amount")
    def _check_amount(self):
        for entry in self:
            if entry.amount < 0:
                raise ValidationError(self.env._("A CRM cost cannot be negative."))
