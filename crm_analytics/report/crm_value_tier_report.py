from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_lifecycle.const import LIFECYCLE_STAGES

from ..models.crm_customer_profile import VALUE_TIERS


class CrmValueTierReport(models.Model):
    """Customer pyramid and RFM grid: one row per customer with a tier, with
    its share of the company's tiered customers and of their window revenue
    (summed per tier in the pivot)."""

    _name = "crm.value.tier.report"
    _description = "Customer Pyramid Analysis"
    _auto = False
    _depends = {
        "crm.customer.profile": [
            "partner_id",
            "company_id",
            "user_id",
            "team_id",
            "lifecycle_stage",
            "value_tier",
            "rfm_recency_score",
            "rfm_frequency_score",
            "rfm_monetary_score",
            "rfm_frequency",
            "rfm_monetary",
            "revenue_12m",
        ],
        "res.partner": ["crm_potential_spend"],
    }
    _rec_name = "partner_id"
    _order = "rfm_monetary desc"

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGES, readonly=True)
    value_tier = fields.Selection(VALUE_TIERS, readonly=True)
    crm_relationship_type = fields.Selection(
        related="partner_id.crm_relationship_type", string="Relationship"
    )
    crm_service_attitude = fields.Selection(
        related="partner_id.crm_service_attitude", string="Service Attitude"
    )
    rfm_recency_score = fields.Integer(
        string="R Score", readonly=True, aggregator="avg"
    )
    rfm_frequency_score = fields.Integer(
        string="F Score", readonly=True, aggregator="avg"
    )
    rfm_monetary_score = fields.Integer(
        string="M Score", readonly=True, aggregator="avg"
    )
    rfm_frequency = fields.Integer(string="Invoices in Window", readonly=True)
    rfm_monetary = fields.Monetary(string="Window Revenue", readonly=True)
    customer_share = fields.Float(string="Customers (%)", readonly=True, digits=(16, 2))
    revenue_share = fields.Float(string="Revenue (%)", readonly=True, digits=(16, 2))
    share_of_wallet = fields.Float(
        string="Share of Wallet (%)",
        readonly=True,
        digits=(16, 1),
        aggregator="avg",
        help="Revenue of the last 12 months / the customer's potential yearly "
        "spend, for customers with a potential.",
    )

    @property
    def _table_query(self):
        return self._query()

    @api.model
    def _query(self):
        return SQL(
            """
            SELECT pr.id,
                   pr.partner_id,
                   pr.company_id,
                   pr.user_id,
                   pr.team_id,
                   pr.lifecycle_stage,
                   pr.value_tier,
                   pr.rfm_recency_score,
                   pr.rfm_frequency_score,
                   pr.rfm_monetary_score,
                   pr.rfm_frequency,
                   pr.rfm_monetary,
                   100.0 / count(*) OVER (PARTITION BY pr.company_id)
                       AS customer_share,
                   100.0 * pr.rfm_monetary
                       / sum(pr.rfm_monetary) OVER (PARTITION BY pr.company_id)
                       AS revenue_share,
                   100.0 * pr.revenue_12m / NULLIF(
                       (p.crm_potential_spend ->> pr.company_id::text)::numeric, 0)
                       AS share_of_wallet
              FROM crm_customer_profile pr
              JOIN res_partner p ON p.id = pr.partner_id
             WHERE pr.value_tier IS NOT NULL
            """
        )
