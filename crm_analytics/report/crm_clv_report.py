from odoo import api, fields, models
from odoo.tools import SQL

from ..const import CASE_TYPE_COST_FIELDS, VALUE_BASES, VALUE_TIERS
from ..tools import document_sql, ranking_sql
from .row_ids import selection_position


class CrmClvReport(models.Model):
    """Customer lifetime value per company and tier as of today; the same
    query as ``crm.customer.profile.clv()``, amounts in the current
    company's currency, over the customers whose profile the reader may read
    (record rules: a salesperson limited to their own documents reads the
    lifetime value of their own customers, with their own retention).
    Retention, margin and CLV per customer are ratios: over several rows,
    the summed numerators over the summed denominators. Companies whose value
    basis is contribution value a customer's year by its contribution (the
    yearly margin minus its cost to serve), the others by its margin."""

    _name = "crm.clv.report"
    _inherit = ["crm.rate.mixin", "crm.selection.order.mixin"]
    _description = "Customer Lifetime Value per Tier"
    _auto = False
    _depends = {
        "crm.customer.profile": ["partner_id", "company_id", "user_id"],
        "crm.customer.snapshot.period": [
            "date_from",
            "partner_id",
            "company_id",
            "value_tier",
        ],
        "account.move": [
            "state",
            "move_type",
            "invoice_date",
            "commercial_partner_id",
            "company_id",
            "amount_untaxed_signed",
        ],
        "account.move.line": [
            "move_id",
            "balance",
            "quantity",
            "product_id",
            "product_uom_id",
            "display_type",
            "sale_line_ids",
        ],
        "product.product": ["standard_price", "product_tmpl_id"],
        "product.template": ["uom_id"],
        "uom.uom": ["factor"],
        "sale.order.line": ["order_id", "purchase_price", "product_uom"],
        "sale.order": [
            "state",
            "date_order",
            "partner_id",
            "company_id",
            "amount_untaxed",
            "currency_rate",
        ],
        "res.partner": ["commercial_partner_id"],
        "res.company": [
            "crm_churn_days",
            "crm_revenue_source",
            "crm_clv_discount_rate",
            "crm_clv_margin_rate",
            "crm_value_basis",
            "currency_id",
            *CASE_TYPE_COST_FIELDS.values(),
        ],
        "crm.service.case": [
            "case_type",
            "date_recorded",
            "company_id",
            "commercial_partner_id",
        ],
        "mail.message": [
            "model",
            "res_id",
            "date",
            "mail_activity_type_id",
            "record_company_id",
        ],
        "mail.activity.type": ["crm_cost"],
        "crm.cost.entry": ["date", "company_id", "amount"],
        "res.currency.rate": ["currency_id", "company_id", "name", "rate"],
    }
    _rec_name = "value_tier"
    # the id is the company's × 10 + the tier's position (see _select): the
    # tiers of a company from the top of the pyramid down
    _order = "company_id, id"

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    value_tier = fields.Selection(VALUE_TIERS, readonly=True)
    customers = fields.Integer(readonly=True)
    retention_base = fields.Integer(
        string="Customers a Year Ago",
        readonly=True,
        help="Customers in this tier one year ago (latest snapshot).",
    )
    retained = fields.Integer(
        string="Still Buying",
        readonly=True,
        help="Of the customers a year ago, those who bought in the last 365 days.",
    )
    retention = fields.Float(
        string="Retention Rate",
        readonly=True,
        digits=(16, 3),
        help="Still buying / customers a year ago.",
    )
    margin_total = fields.Monetary(string="Yearly Margin", readonly=True)
    margin_avg = fields.Monetary(
        string="Yearly Margin per Customer",
        readonly=True,
        help="Yearly margin / customers.",
    )
    margin_source = fields.Selection(
        [
            ("cost", "Recorded costs"),
            ("rate", "Default margin rate"),
            ("mixed", "Costs and default rate"),
        ],
        readonly=True,
        help="The cost booked by stock valuation on the invoice, else the "
        "cost recorded on the sale order line, else the product's cost, where "
        "the invoice line has one, else revenue × the default margin rate of "
        "the settings.",
    )
    value_basis = fields.Selection(
        VALUE_BASES,
        string="CLV Basis",
        readonly=True,
        help="What a customer's year is worth in the CLV: its gross margin, "
        "or its contribution (margin minus cost to serve) where the company's "
        "value basis is contribution.",
    )
    cost_to_serve_total = fields.Monetary(
        string="Yearly Cost to Serve",
        readonly=True,
        help="Contribution basis: the service cases and done activities of "
        "the last 365 days at their cost, and the CRM costs of the months "
        "beginning in those days, each month's shared by its customers' "
        "positive revenue. Zero otherwise.",
    )
    cost_to_serve_avg = fields.Monetary(
        string="Yearly Cost to Serve per Customer",
        readonly=True,
        help="Yearly cost to serve / customers.",
    )
    clv_customers = fields.Integer(
        string="Customers with a CLV",
        readonly=True,
        help="Customers of the tiers with a CLV: a retention rate (customers in "
        "the tier a year ago) and, with no discount rate, not every one of them "
        "kept (the formula then has no finite value).",
    )
    clv = fields.Monetary(
        string="CLV per Customer",
        readonly=True,
        help="CLV of the tier / customers with a CLV.",
    )
    clv_total = fields.Monetary(string="CLV of the Tier", readonly=True)

    _rate_counts = {
        "retention": (["retained"], ["retention_base"], 1),
        "margin_avg": (["margin_total"], ["customers"], 1),
        "cost_to_serve_avg": (["cost_to_serve_total"], ["customers"], 1),
        "clv": (["clv_total"], ["clv_customers"], 1),
    }

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"value_tier"}

    @api.depends_context("allowed_company_ids")
    def _compute_currency_id(self):
        self.currency_id = self.env.company.currency_id

    @property
    def _table_query(self):
        return self._query()

    @api.model
    def _query(self):
        return SQL("%s %s", self._select(), self._from())

    @api.model
    def _select(self):
        # one row per company and tier: its id is company × 10 + the tier's
        # position, the same on every read (see row_ids)
        return SQL(
            """
            SELECT q.company_id * 10 + %(tier)s AS id,
                   q.company_id, q.value_tier, q.customers, q.retention_base,
                   q.retained, q.retention,
                   q.margin_total * account_currency_table.rate AS margin_total,
                   q.margin_avg * account_currency_table.rate AS margin_avg,
                   q.margin_source, q.value_basis,
                   q.cost_to_serve_total * account_currency_table.rate
                       AS cost_to_serve_total,
                   q.cost_to_serve_total / q.customers * account_currency_table.rate
                       AS cost_to_serve_avg,
                   CASE WHEN q.clv IS NOT NULL THEN q.customers ELSE 0 END
                       AS clv_customers,
                   q.clv * account_currency_table.rate AS clv,
                   q.clv_total * account_currency_table.rate AS clv_total
            """,
            tier=selection_position(SQL("q.value_tier"), VALUE_TIERS),
        )

    @api.model
    def _from(self):
        Profile = self.env["crm.customer.profile"]
        return SQL(
            """
            FROM (%(clv)s) q
            JOIN %(currency_table)s
              ON account_currency_table.company_id = q.company_id
            """,
            clv=self._clv_query(
                SQL("CURRENT_DATE"),
                SQL("%s", self.env.companies.ids),
                Profile._readable_customers(self.env.companies.ids),
            ),
            currency_table=self.env["res.currency"]._get_simple_currency_table(
                self.env.companies
            ),
        )

    @api.model
    def _clv_query(self, date, company_ids, customers=None):
        """Lifetime value per (company, tier) as of ``date`` (SQL
        expressions), DOMAIN §2: CLV = yearly margin × r / (1 + d − r)
        (contribution basis: yearly margin − yearly cost to serve), over
        the customers ``customers`` (SQL subquery of (company_id,
        partner_id) pairs; None: every customer).

        - the tier of a customer at a date is its latest snapshot on or
          before that date;
        - retention r: share of the tier's customers one year before
          (latest snapshot on or before ``date`` − 365) who bought in the last
          365 days;
        - yearly margin: per customer, the last 365 days of posted invoice
          lines, at the cost booked by stock valuation, else the one
          recorded on their sale order line, else the product's
          (``tools.document_sql.margin_lines``), else revenue ×
          the company's margin rate (sale-order companies: always the rate);
          ``margin_source`` says which: ``cost``, ``rate`` or ``mixed``;
        - yearly cost to serve (contribution basis): see
          ``tools.ranking_sql.serve_ctes``, over the last 365 days.
        """
        Snapshot = self.env["crm.customer.snapshot.period"]
        return SQL(
            """
WITH crm_company AS NOT MATERIALIZED (
    SELECT id,
           crm_churn_days AS churn_days,
           crm_revenue_source AS source,
           crm_clv_discount_rate::numeric AS discount,
           crm_clv_margin_rate::numeric AS margin_rate,
           CASE WHEN crm_value_basis = 'contribution' THEN 'contribution'
                ELSE 'margin' END AS basis,
           365 AS window_days,
           %(case_costs)s
      FROM res_company
     WHERE id = ANY(%(company_ids)s)
),
tier_then AS (
    SELECT * FROM (%(tier_then)s) t WHERE %(customer_filter)s
),
tier_now AS (
    SELECT * FROM (%(tier_now)s) t WHERE %(customer_filter)s
),
bought AS (
    SELECT DISTINCT d.company_id, d.partner_id
      FROM (%(sources)s) d
     WHERE d.is_purchase AND d.date > %(date)s::date - 365
),
retention AS (
    SELECT t.company_id, t.value_tier,
           count(*) AS base,
           count(b.partner_id) AS kept
      FROM tier_then t
      LEFT JOIN bought b
        ON b.company_id = t.company_id AND b.partner_id = t.partner_id
     WHERE t.value_tier IS NOT NULL
  GROUP BY t.company_id, t.value_tier
),
line AS (%(lines)s),
customer_margin AS (
    SELECT l.company_id, l.partner_id,
           sum(coalesce(l.cost_margin, l.revenue * c.margin_rate)) AS margin,
           count(l.cost_margin) AS costed,
           count(*) AS lines
      FROM line l
      JOIN crm_company c ON c.id = l.company_id
  GROUP BY l.company_id, l.partner_id
    UNION ALL
    SELECT d.company_id, d.partner_id, sum(d.amount) * c.margin_rate, 0, count(*)
      FROM (%(sources)s) d
      JOIN crm_company c ON c.id = d.company_id AND c.source = 'sale_order'
     WHERE d.date > %(date)s::date - 365
  GROUP BY d.company_id, d.partner_id, c.margin_rate
),
%(serve)s,
tier_margin AS (
    SELECT t.company_id, t.value_tier,
           count(*) AS customers,
           coalesce(sum(cm.margin), 0) AS margin,
           coalesce(sum(cs.cost), 0) AS serve,
           coalesce(sum(cm.costed), 0) AS costed,
           coalesce(sum(cm.lines), 0) AS lines
      FROM tier_now t
      LEFT JOIN customer_margin cm
        ON cm.company_id = t.company_id AND cm.partner_id = t.partner_id
      LEFT JOIN win_serve cs
        ON cs.company_id = t.company_id AND cs.partner_id = t.partner_id
     WHERE t.value_tier IS NOT NULL
  GROUP BY t.company_id, t.value_tier
),
figures AS (
    SELECT tm.company_id, tm.value_tier, tm.customers,
           coalesce(r.base, 0) AS retention_base,
           coalesce(r.kept, 0) AS retained,
           r.kept::numeric / NULLIF(r.base, 0) AS retention,
           tm.margin AS margin_total,
           tm.margin / tm.customers AS margin_avg,
           tm.serve AS cost_to_serve_total,
           (tm.margin - tm.serve) / tm.customers AS value_avg,
           c.basis AS value_basis,
           CASE WHEN tm.lines = 0 OR tm.costed = 0 THEN 'rate'
                WHEN tm.costed = tm.lines THEN 'cost'
                ELSE 'mixed' END AS margin_source,
           c.discount
      FROM tier_margin tm
      JOIN crm_company c ON c.id = tm.company_id
      LEFT JOIN retention r
        ON r.company_id = tm.company_id AND r.value_tier = tm.value_tier
)
SELECT f.company_id, f.value_tier, f.customers, f.retention_base, f.retained,
       f.retention, f.margin_total, f.margin_avg, f.margin_source,
       f.value_basis, f.cost_to_serve_total,
       f.value_avg * f.retention / NULLIF(1 + f.discount - f.retention, 0) AS clv,
       f.value_avg * f.customers * f.retention
           / NULLIF(1 + f.discount - f.retention, 0) AS clv_total
  FROM figures f
            """,
            company_ids=company_ids,
            date=date,
            customer_filter=SQL("TRUE")
            if customers is None
            else SQL("(t.company_id, t.partner_id) IN %s", customers),
            tier_then=Snapshot._latest_query(
                SQL("%s::date - 365", date), company_ids, ["value_tier"]
            ),
            tier_now=Snapshot._latest_query(
                SQL("%s::date", date), company_ids, ["value_tier"]
            ),
            sources=document_sql.documents(date),
            serve=ranking_sql.serve_ctes(date, 365),
            case_costs=document_sql.case_cost_columns(),
            lines=document_sql.margin_lines(
                self.env, SQL("%s::date - 365", date), SQL("%s::date", date)
            ),
        )
