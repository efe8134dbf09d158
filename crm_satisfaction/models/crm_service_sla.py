from odoo import api, fields, models

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

    @api.constrains("hours")
    def _check_hours(self):
        check_bounds(self, {"hours": SLA_HOURS})

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
