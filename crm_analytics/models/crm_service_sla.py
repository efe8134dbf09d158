from odoo import api, fields, models

from ..const import VALUE_TIERS


class CrmServiceSla(models.Model):
    """Service levels per value tier: a level may apply to the cases of one
    tier's customers only (the tier the customer had when the case was
    recorded); it then comes before the level of every tier."""

    _name = "crm.service.sla"
    _inherit = ["crm.service.sla", "crm.selection.order.mixin"]
    # a priority's level for a tier next to its level for every tier
    _order = "company_id, priority desc, value_tier"

    value_tier = fields.Selection(
        VALUE_TIERS,
        help="Leave empty for the customers of every tier (and those without one).",
    )

    _sql_constraints = [
        (
            "company_priority_uniq",
            "unique(company_id, priority, value_tier)",
            "One service level per priority, company and value tier.",
        ),
    ]

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"value_tier"}

    @api.depends("value_tier")
    def _compute_display_name(self):
        res = super()._compute_display_name()
        labels = dict(self._fields["value_tier"]._description_selection(self.env))
        for sla in self.filtered("value_tier"):
            sla.display_name = f"{sla.display_name} · {labels[sla.value_tier]}"
        return res

    @api.model
    def _level_key(self):
        return [*super()._level_key(), "value_tier"]

    @api.constrains("company_id", "priority", "value_tier")
    def _check_one_level_per_key(self):
        return super()._check_one_level_per_key()

    @api.model
    def _applies_domain(self, case):
        return [
            *super()._applies_domain(case),
            ("value_tier", "in", [case.value_tier or False, False]),
        ]

    def _specificity(self):
        return (*super()._specificity(), not self.value_tier)
