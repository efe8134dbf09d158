from odoo import fields, models

from .crm_customer_profile import VALUE_TIERS


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Company-dependent like lifecycle_stage: the tier in the current company,
    # searchable and groupable. Written by the value ranking.
    value_tier = fields.Selection(
        VALUE_TIERS,
        company_dependent=True,
        readonly=True,
        copy=False,
    )
    crm_relationship_type = fields.Selection(
        [
            ("consumer", "Consumer"),
            ("business", "Business"),
            ("internal", "Internal"),
            ("channel", "Channel / Distributor"),
        ],
        string="Relationship",
        tracking=True,
    )
    crm_service_attitude = fields.Selection(
        [
            ("compliant", "Compliant"),
            ("caring", "Caring"),
            ("adaptive", "Adaptive"),
            ("indifferent", "Indifferent"),
        ],
        string="Service Attitude",
        tracking=True,
        help="How the customer relates to our service: compliant (accepts what is "
        "offered), caring (expects attention), adaptive (adjusts to us), "
        "indifferent (does not care).",
    )
