from odoo import api, fields, models
from odoo.tools import SQL

from ..const import VALUE_TIERS


class CrmServiceControl(models.TransientModel):
    """The service controls per value tier: high-value customers are to be
    served better, and the controls show whether they are."""

    _inherit = "crm.service.control"

    by_value_tier = fields.Boolean(
        string="Per Value Tier",
        help="A row per value tier of the customers (their tier today, in the "
        "current company), and one for the customers without a tier: the rows "
        "of a month add up to the company's.",
    )

    def _scopes(self):
        scopes = super()._scopes()
        if not self.by_value_tier:
            return scopes
        company = self.env.company

        def tier_filter(tier):
            # the customer's profile in the company has the tier (any
            # customer, archived or not); no tier: no profile with one
            def customer_filter(partner):
                tiered = SQL(
                    """EXISTS (SELECT 1 FROM crm_customer_profile pr
                                WHERE pr.partner_id = %s AND pr.company_id = %s
                                  AND %s)""",
                    partner,
                    company.id,
                    SQL("pr.value_tier = %s", tier)
                    if tier
                    else SQL("pr.value_tier IS NOT NULL"),
                )
                return tiered if tier else SQL("NOT %s", tiered)

            return customer_filter

        tiers = [tier for tier, _label in VALUE_TIERS] + [False]
        return [
            (
                {**values, "value_tier": tier},
                {**arguments, "customer_filter": tier_filter(tier)},
            )
            for values, arguments in scopes
            for tier in tiers
        ]

    def action_compute(self):
        action = super().action_compute()
        if self.by_value_tier:
            action["context"] = {
                **action.get("context", {}),
                "crm_by_value_tier": True,
                "pivot_row_groupby": ["value_tier"],
            }
        return action


class CrmServiceControlLine(models.TransientModel):
    _name = "crm.service.control.line"
    _inherit = ["crm.service.control.line", "crm.selection.order.mixin"]

    value_tier = fields.Selection(VALUE_TIERS, readonly=True)

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"value_tier"}
