from odoo import api, fields, models
from odoo.tools import SQL

from .crm_customer_profile import VALUE_TIERS


class SurveyUserInput(models.Model):
    _inherit = "survey.user_input"

    crm_value_tier = fields.Selection(
        VALUE_TIERS,
        string="Value Tier",
        readonly=True,
        copy=False,
        help="Value tier of the customer when the response was completed.",
    )

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"crm_value_tier"}

    @api.model
    def _crm_evidence_fields(self):
        return super()._crm_evidence_fields() | {"crm_value_tier"}

    def _crm_store_figures(self):
        """Also record the customer's value tier on the results, so that
        satisfaction reports group by tier."""
        res = super()._crm_store_figures()
        done = self.filtered(lambda i: i.state == "done")
        if done:
            self.env["crm.satisfaction.result"]._store_value_tiers(done.ids)
            self.env.execute_query(
                SQL(
                    """
                    UPDATE survey_user_input u
                       SET crm_value_tier = p.value_tier ->> u.crm_company_id::text
                      FROM res_partner p
                     WHERE p.id = u.crm_partner_id AND u.id = ANY(%s)
                    """,
                    done.ids,
                )
            )
            done.invalidate_recordset(["crm_value_tier"])
        return res
