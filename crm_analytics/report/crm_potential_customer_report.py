from odoo import api, fields, models
from odoo.tools import SQL

from ..const import VALUE_TIERS
from ..tools import ranking_sql

POTENTIAL_SOURCES = [
    ("wallet", "Potential yearly spend"),
    ("growth", "Growth"),
]


class CrmPotentialCustomerReport(models.Model):
    """Potential big customers (识别潜在大客户): customers below the VIP or
    key tier today whom their potential would place there, one row per
    profile (its id). The potential is the larger of the customer's
    estimated yearly spend (the share of wallet's base) and its growth
    carried over a year (revenue of the last 12 months × its ratio to the
    previous 12 months, when it grew), over the RFM window; it is placed as
    a posted invoice places a customer (thresholds, or the last ranking's
    cut-offs), converted to the company's value basis at the value per unit
    of revenue of the last ranking. Amounts are revenue, in the current
    company's currency."""

    _name = "crm.potential.customer.report"
    _inherit = ["crm.selection.order.mixin"]
    _description = "Potential Big Customers"
    _auto = False
    _rec_name = "partner_id"
    _order = "gap desc, id"
    _depends = {
        "crm.customer.profile": [
            "partner_id", "company_id", "user_id", "team_id", "value_tier",
            "rfm_revenue", "revenue_12m", "revenue_prev_12m",
        ],
        "res.partner": ["crm_potential_spend"],
        "crm.value.ranking": [
            "date", "company_id", "vip_cutoff", "key_cutoff", "ordinary_cutoff",
            "score_cutoffs", "value_rate",
        ],
        "res.company": [
            "currency_id", "crm_rfm_window_days", "crm_tier_mode", "crm_value_basis",
            "crm_tier_vip_threshold", "crm_tier_key_threshold",
            "crm_tier_ordinary_threshold",
        ],
        "res.currency.rate": ["currency_id", "company_id", "name", "rate"],
    }  # fmt: skip

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    value_tier = fields.Selection(VALUE_TIERS, string="Tier Today", readonly=True)
    potential_tier = fields.Selection(
        VALUE_TIERS,
        readonly=True,
        help="The tier the potential would place the customer in. Where the "
        "company values customers by margin or contribution, the potential "
        "revenue is converted at the value per revenue of its last full "
        "ranking.",
    )
    potential_source = fields.Selection(
        POTENTIAL_SOURCES,
        string="Potential From",
        readonly=True,
        help="Potential yearly spend: the estimate on the customer. Growth: "
        "the last 12 months' revenue grown again by its ratio to the previous "
        "12 months.",
    )
    window_revenue = fields.Monetary(readonly=True)
    potential = fields.Monetary(
        string="Potential Window Revenue",
        readonly=True,
        help="The potential yearly revenue over the RFM window.",
    )
    gap = fields.Monetary(
        string="Revenue Gap",
        readonly=True,
        help="Potential window revenue minus the window revenue today.",
    )

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"value_tier", "potential_tier"}

    @api.depends_context("allowed_company_ids")
    def _compute_currency_id(self):
        self.currency_id = self.env.company.currency_id

    @property
    def _table_query(self):
        return self._query()

    @api.model
    def _query(self):
        return SQL(
            "WITH %s %s %s %s",
            self._with(),
            self._select(),
            self._from(),
            self._where(),
        )

    @api.model
    def _with(self):
        return self._potential_ctes(self.env.companies.ids)

    @api.model
    def _potential_ctes(self, company_ids):
        """CTEs ``crm_company`` (the value settings of ``company_ids``),
        ``win`` (every customer below VIP with a potential, as the window
        revenue it would make and that revenue's value by the company's
        basis), ``valued`` (the tier that value places it in) and
        ``potential`` (both). Also read by the full ranking, which
        marks the potential big customers (``crm.customer.profile``)."""
        return SQL(
            """
            crm_company AS (%(settings)s),
            win AS (
                SELECT pr.partner_id, pr.company_id,
                       -- scores are not read here: no recency nor frequency
                       0 AS recency_days, 0 AS frequency,
                       CASE WHEN g.projected IS NULL
                                 OR coalesce(g.wallet, 0) >= g.projected
                            THEN 'wallet' ELSE 'growth' END AS source,
                       greatest(g.wallet, g.projected) * c.window_days / 365.0
                           AS revenue,
                       greatest(g.wallet, g.projected) * c.window_days / 365.0
                           * CASE WHEN c.basis = 'revenue' THEN 1
                                  ELSE r.value_rate
                             END AS monetary
                  FROM crm_customer_profile pr
                  JOIN crm_company c ON c.id = pr.company_id
                  JOIN res_partner p ON p.id = pr.partner_id
                  -- the value of a unit of revenue in the last ranking
                  LEFT JOIN LATERAL (
                       SELECT r.value_rate
                         FROM crm_value_ranking r
                        WHERE r.company_id = pr.company_id
                     ORDER BY r.date DESC, r.id DESC
                        LIMIT 1) r ON TRUE
                 CROSS JOIN LATERAL (
                       SELECT nullif((p.crm_potential_spend
                                      ->> pr.company_id::text)::numeric, 0)
                                  AS wallet,
                              CASE WHEN pr.revenue_prev_12m > 0
                                        AND pr.revenue_12m > pr.revenue_prev_12m
                                   THEN pr.revenue_12m * pr.revenue_12m
                                        / pr.revenue_prev_12m
                              END AS projected) g
                 WHERE pr.value_tier IS DISTINCT FROM 'vip'
                   AND (g.wallet IS NOT NULL OR g.projected IS NOT NULL)
            ),
            %(placed)s
            potential AS (SELECT w.*, v.tier FROM win w JOIN valued v
                           USING (partner_id, company_id))
            """,
            settings=ranking_sql.company_settings(company_ids),
            placed=ranking_sql.placed(company_ids),
        )

    @api.model
    def _select(self):
        return SQL(
            """
            SELECT pr.id, pr.partner_id, pr.company_id, pr.user_id, pr.team_id,
                   pr.value_tier,
                   x.tier AS potential_tier,
                   x.source AS potential_source,
                   coalesce(pr.rfm_revenue, 0) * account_currency_table.rate
                       AS window_revenue,
                   x.revenue * account_currency_table.rate AS potential,
                   (x.revenue - coalesce(pr.rfm_revenue, 0))
                       * account_currency_table.rate AS gap
            """
        )

    @api.model
    def _from(self):
        return SQL(
            """
            FROM potential x
            JOIN crm_customer_profile pr
              ON pr.partner_id = x.partner_id AND pr.company_id = x.company_id
            JOIN %(currency_table)s
              ON account_currency_table.company_id = pr.company_id
            """,
            currency_table=self.env["res.currency"]._get_simple_currency_table(
                self.env.companies
            ),
        )

    @api.model
    def _where(self):
        return SQL("WHERE %s", self._potential_condition())

    @api.model
    def _potential_condition(self):
        """SQL: the potential ``x`` of profile ``pr`` places it in the VIP or
        key tier, above its tier today."""
        return SQL(
            "x.tier IN ('vip', 'key') AND %s > %s",
            ranking_sql.tier_level(SQL("x.tier")),
            ranking_sql.tier_level(SQL("pr.value_tier")),
        )
