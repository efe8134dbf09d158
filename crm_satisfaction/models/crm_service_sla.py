from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.crm_lifecycle.bounds import SLA_HOURS, check_bounds

CASE_PRIORITIES = [
    ("0", "Low"),
    ("1", "Normal"),
    ("2", "High"),
    ("3", "Urgent"),
]


class CrmServiceSla(models.Model):
    """Hours to resolve a service case, per priority and company. A row
    without company applies to every company that has none of its own."""

    _name = "crm.service.sla"
    _description = "Service Level per Priority"
    _order = "company_id, priority desc"
    _rec_name = "priority"

    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Leave empty for the default of every company.",
    )
    priority = fields.Selection(CASE_PRIORITIES, required=True)
    hours = fields.Float(
        string="Hours to Resolve",
        required=True,
        help="A case of this priority is due this many hours after it was recorded.",
    )

    _sql_constraints = [
        (
            "company_priority_uniq",
            "unique(company_id, priority)",
            "One service level per priority and company.",
        ),
    ]

    @api.depends("priority", "company_id")
    def _compute_display_name(self):
        labels = dict(self._fields["priority"]._description_selection(self.env))
        for sla in self:
            label = labels.get(sla.priority, "")
            sla.display_name = (
                f"{label} ({sla.company_id.name})" if sla.company_id else label
            )

    @api.constrains("hours")
    def _check_hours(self):
        check_bounds(self, {"hours": SLA_HOURS})

    @api.model
    def _level_key(self):
        """The fields that tell service levels apart: one level per value of
        them (addons add theirs)."""
        return ["company_id", "priority"]

    @api.constrains("company_id", "priority")
    def _check_one_level_per_key(self):
        # unique(company_id, priority) lets rows without company repeat (NULLs
        # differ in SQL), as would any optional key an addon adds: one level
        # per key, checked here.
        key = self._level_key()
        for level in self:
            same = [
                (name, "=", level._fields[name].convert_to_write(level[name], level))
                for name in key
            ]
            if self.sudo().search_count(same, limit=2) > 1:
                raise ValidationError(
                    self.env._(
                        "There is already a service level for %s.", level.display_name
                    )
                )

    @api.model
    def _hours_for(self, case):
        """Hours to resolve ``case``: those of the most specific service level
        that applies to it (``_applies_domain``, ``_specificity``), None when
        none does."""
        levels = self.sudo().search(self._applies_domain(case))
        if not levels:
            return None
        return min(levels, key=lambda level: level._specificity()).hours

    @api.model
    def _applies_domain(self, case):
        """The service levels that may apply to ``case``."""
        return [
            ("priority", "=", case.priority),
            ("company_id", "in", [case.company_id.id, False]),
        ]

    def _specificity(self):
        """Sort key among the levels that apply to a case, the most specific
        first: a company's own level before the default of every company."""
        return (not self.company_id,)
