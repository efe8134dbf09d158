from odoo import api, fields, models
from odoo.tools import SQL

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

    @api.model
    def _store_value_tiers(self, user_input_ids):
        """Record on the results of the responses ``user_input_ids`` their
        customer's current value tier."""
        self.env.execute_query(
            SQL(
                """
                UPDATE crm_satisfaction_result r
                   SET value_tier = p.value_tier ->> r.company_id::text
                  FROM res_partner p
                 WHERE p.id = r.partner_id
                   AND r.user_input_id = ANY(%s)
                """,
                list(user_input_ids),
            )
        )
        self.invalidate_model(["value_tier"])
