from odoo import fields, models


class CrmSatisfactionDimension(models.Model):
    """What customers are satisfied with: product quality, service,
    delivery… A survey question measures one dimension."""

    _name = "crm.satisfaction.dimension"
    _description = "Satisfaction Dimension"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)

    _sql_constraints = [
        (
            "code_uniq",
            "unique(code)",
            "The code of a satisfaction dimension is unique.",
        ),
    ]
