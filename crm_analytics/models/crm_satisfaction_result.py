from odoo import api, fields, models

from .crm_customer_profile import VALUE_TIERS


class CrmSatisfactionResult(models.Model):
    _inherit = "crm.satisfaction.result"

    value_tier = fields.Selection(
        VALUE_TIERS,
        readonly=True,
        help="Value tier of the customer when the response was completed.",
    )

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"value_tier"}
