from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    crm_churn_days = fields.Integer(related="company_id.crm_churn_days", readonly=False)
    crm_winback_days = fields.Integer(
        related="company_id.crm_winback_days", readonly=False
    )
    crm_new_days = fields.Integer(related="company_id.crm_new_days", readonly=False)
    crm_growth_rate = fields.Float(related="company_id.crm_growth_rate", readonly=False)
    crm_revenue_source = fields.Selection(
        related="company_id.crm_revenue_source", readonly=False
    )
