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

    @api.constrains("company_id", "priority")
    def _check_one_default_per_priority(self):
        # unique(company_id, priority) lets rows without company repeat (NULLs
        # differ in SQL): one default per priority, checked here.
        priorities = self.filtered(lambda sla: not sla.company_id).mapped("priority")
        if not priorities:
            return
        repeated = self.sudo()._read_group(
            [("company_id", "=", False), ("priority", "in", priorities)],
            ["priority"],
            having=[("__count", ">", 1)],
        )
        if repeated:
            labels = dict(self._fields["priority"]._description_selection(self.env))
            raise ValidationError(
                self.env._(
                    "There is already a default service level (without company) "
                    "for the priority %s: one per priority.",
                    labels[repeated[0][0]],
                )
            )

    @api.model
    def _hours_for(self, company, priority):
        """Hours to resolve a case of ``priority`` in ``company``: the
        company's own level, else the default one (None when neither)."""
        slas = self.sudo().search(
            [
                ("priority", "=", priority),
                ("company_id", "in", [company.id, False]),
            ]
        )
        own = slas.filtered(lambda s: s.company_id == company)
        return (own or slas)[:1].hours or None
