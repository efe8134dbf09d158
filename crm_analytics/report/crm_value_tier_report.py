from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_lifecycle.const import LIFECYCLE_STAGES

from ..const import VALUE_BASES, VALUE_TIERS


class CrmValueTierReport(models.Model):
    """Customer pyramid and RFM grid: one row per customer with a tier (its
    profile's id), with its share of the company's tiered customers and of
    their window value (summed per tier in the pivot), by the company's value
    basis. Amounts are in the
    current company's currency."""

    _name = "crm.value.tier.report"
    _inherit = ["crm.rate.mixin", "crm.selection.order.mixin"]
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
        # the currency table
        "res.company": ["currency_id", "crm_value_basis"],
        "res.currency.rate": ["currency_id", "company_id", "name", "rate"],
    }
    _rec_name = "partner_id"
    _order = "rfm_monetary desc"

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
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
    # a score is a rank among 2-5: its total is the mean score
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
    rfm_monetary = fields.Monetary(string="Window Value", readonly=True)
    value_basis = fields.Selection(
        VALUE_BASES,
        readonly=True,
        help="What the company's window value measures: revenue, gross margin "
        "or contribution.",
    )
    customer_share = fields.Float(
        string="Customers (%)",
        readonly=True,
        digits=(16, 2),
        help="Share of the company's customers with a tier: the shares of a "
        "company add up to 100 %.",
    )
    revenue_share = fields.Float(
        string="Value (%)",
        readonly=True,
        digits=(16, 2),
        help="Share of the window value of the company's customers with a "
        "tier: the shares of a company add up to 100 %.",
    )
    potential_spend = fields.Monetary(
        string="Potential Yearly Spend",
        readonly=True,
        help="The customer's estimated yearly spend, where one is set.",
    )
    wallet_revenue = fields.Monetary(
        string="Revenue against Potential",
        readonly=True,
        help="Revenue of the last 12 months of the customers with a potential "
        "yearly spend.",
    )
    share_of_wallet = fields.Float(
        string="Share of Wallet (%)",
        readonly=True,
        digits=(16, 1),
        help="Revenue of the last 12 months / the customer's potential yearly "
        "spend, for customers with a potential; over several customers, their "
        "revenue / their potential.",
    )

    _rate_counts = {"share_of_wallet": (["wallet_revenue"], ["potential_spend"])}

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"lifecycle_stage", "value_tier"}

    @api.depends_context("allowed_company_ids")
    def _compute_currency_id(self):
        self.currency_id = self.env.company.currency_id

    @property
    def _table_query(self):
        return self._query()

    @api.model
    def _query(self):
        return SQL("%s %s %s", self._select(), self._from(), self._where())

    @api.model
    def _select(self):
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
                   pr.rfm_monetary * account_currency_table.rate AS rfm_monetary,
                   c.crm_value_basis AS value_basis,
                   100.0 / count(*) OVER (PARTITION BY pr.company_id)
                       AS customer_share,
                   100.0 * pr.rfm_monetary
                       / sum(pr.rfm_monetary) OVER (PARTITION BY pr.company_id)
                       AS revenue_share,
                   %(potential)s * account_currency_table.rate AS potential_spend,
                   CASE WHEN %(potential)s IS NOT NULL
                        THEN pr.revenue_12m * account_currency_table.rate
                   END AS wallet_revenue,
                   100.0 * pr.revenue_12m / %(potential)s AS share_of_wallet
            """,
            potential=SQL(
                "NULLIF((p.crm_potential_spend ->> pr.company_id::text)::numeric, 0)"
            ),
        )

    @api.model
    def _from(self):
        return SQL(
            """
            FROM crm_customer_profile pr
            JOIN res_partner p ON p.id = pr.partner_id
            JOIN res_company c ON c.id = pr.company_id
            JOIN %(currency_table)s
              ON account_currency_table.company_id = pr.company_id
            """,
            currency_table=self.env["res.currency"]._get_simple_currency_table(
                self.env.companies
            ),
        )

    @api.model
    def _where(self):
        return SQL("WHERE pr.value_tier IS NOT NULL")
