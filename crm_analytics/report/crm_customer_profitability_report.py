from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_lifecycle.tools import lifecycle_sql

from ..const import CASE_TYPE_COST_FIELDS, VALUE_TIERS
from ..tools import document_sql
from .row_ids import company_month_id

# Partner ids stay below this bound in a row's id (see _select).
PARTNERS = 10**9
COGS_SOURCES = [
    ("stock", "Stock valuation"),
    ("order", "Sale order cost"),
    ("cost", "Product cost"),
    ("rate", "Margin rate"),
    ("mixed", "Several sources"),
]


class CrmCustomerProfitabilityReport(models.Model):
    """Customer profitability 客户盈利能力: per company, customer and month,
    revenue, cost of goods sold, gross margin, cost to serve and
    contribution, amounts in the current company's currency. Every measure
    adds up over months, so that the pivot shows any period.

    - cost of goods sold: per invoice line, the cost booked on the invoice
      by stock valuation (where stock_account books it), else quantity × the
      cost recorded on the sale order line it invoices, else × the product's
      cost, else revenue × (1 − the margin rate of the settings); companies
      whose revenue source is sale orders: always the margin rate. Each
      source is a measure of its own;
    - cost to serve 服务成本: the service cases recorded in the month at the
      cost of their type (settings), the activities marked done in the month
      at the cost of their type, and the month's CRM costs allocated to the
      customers by their share of the positive revenue of the month;
    - contribution 贡献 = gross margin − cost to serve.

    Cases and activities count for the customers of the company (a
    lifecycle profile: prospects included), not for vendors or other
    contacts. The salesperson, team and tier are the customer's today (as
    on the profile), so that "own documents" salespeople read their own
    customers.
    """

    _name = "crm.customer.profitability.report"
    _inherit = ["crm.rate.mixin", "crm.selection.order.mixin"]
    _description = "Customer Profitability"
    _auto = False
    _rec_name = "partner_id"
    _order = "month desc, contribution, id"
    _depends = {
        "account.move.line": [
            "move_id", "balance", "quantity", "product_id", "product_uom_id",
            "display_type", "sale_line_ids",
        ],
        "account.move": [
            "state", "move_type", "invoice_date", "company_id",
            "commercial_partner_id",
        ],
        "product.product": ["standard_price", "product_tmpl_id"],
        "product.template": ["uom_id"],
        "uom.uom": ["factor"],
        "sale.order.line": ["order_id", "purchase_price", "product_uom"],
        "sale.order": [
            "state", "date_order", "partner_id", "company_id", "amount_untaxed",
            "currency_rate",
        ],
        "crm.lead": ["partner_id", "company_id"],
        "res.partner": ["commercial_partner_id", "company_id", "user_id"],
        "crm.service.case": [
            "case_type", "date_recorded", "company_id", "commercial_partner_id",
        ],
        "mail.message": [
            "model", "res_id", "date", "mail_activity_type_id",
            "record_company_id",
        ],
        "mail.activity.type": ["crm_cost"],
        "crm.cost.entry": ["date", "company_id", "amount"],
        "crm.customer.profile": ["partner_id", "company_id", "value_tier"],
        "res.users": ["sale_team_id"],
        "res.company": [
            "crm_revenue_source", "crm_churn_days", "crm_clv_margin_rate",
            "currency_id", *CASE_TYPE_COST_FIELDS.values(),
        ],
        "res.currency.rate": ["currency_id", "company_id", "name", "rate"],
    }  # fmt: skip

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    month = fields.Date(readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    value_tier = fields.Selection(VALUE_TIERS, string="Tier Today", readonly=True)
    revenue = fields.Monetary(readonly=True)
    cogs = fields.Monetary(
        string="Cost of Goods Sold",
        readonly=True,
        help="COGS booked by stock valuation, plus COGS at the sale orders' "
        "cost, plus COGS at product cost, plus COGS estimated by the margin rate.",
    )
    cogs_stock = fields.Monetary(
        string="COGS Booked by Stock Valuation",
        readonly=True,
        help="The cost of goods sold that stock valuation booked on the invoice "
        "for its lines when it was posted (Inventory's automated valuation, "
        "Anglo-Saxon accounting): the valuation of the goods delivered, else "
        "the product's cost then.",
    )
    cogs_order = fields.Monetary(
        string="COGS at Sale Order Cost",
        readonly=True,
        help="Invoiced quantity × the cost recorded on the sale order line "
        "(the Cost column of the order's margin), on the other invoice lines "
        "that invoice a sale order line with a cost.",
    )
    cogs_cost = fields.Monetary(
        string="COGS at Product Cost",
        readonly=True,
        help="Invoiced quantity × the product's cost (in the invoice line's "
        "unit), on the other invoice lines whose product has a cost in the "
        "company.",
    )
    cogs_estimated = fields.Monetary(
        string="COGS Estimated (Margin Rate)",
        readonly=True,
        help="Revenue × (1 − the default margin rate of the settings), on the "
        "invoice lines without a cost on their sale order line or product, "
        "and on the sale orders of the companies whose revenue source is sale "
        "orders.",
    )
    cogs_rate_used = fields.Boolean(
        string="Margin Rate Used",
        readonly=True,
        help="Part of the cost of goods sold of the row is estimated by the "
        "margin rate (even when those lines add up to zero).",
    )
    cogs_source = fields.Selection(
        COGS_SOURCES,
        string="COGS From",
        readonly=True,
        help="Where the cost of goods sold of the row comes from: stock "
        "valuation, the cost recorded on the sale orders, the products' costs, "
        "the margin rate, or several of them. Empty: no sale.",
    )
    gross_margin = fields.Monetary(readonly=True, help="Revenue − cost of goods sold.")
    margin_percent = fields.Float(
        string="Margin (%)",
        readonly=True,
        digits=(16, 1),
        aggregator="sum",
        help="Gross margin / revenue; over several rows, their summed margin "
        "over their summed revenue.",
    )
    case_count = fields.Integer(string="Service Cases", readonly=True)
    case_cost = fields.Monetary(
        string="Cost of Service Cases",
        readonly=True,
        help="Service cases recorded in the month, each at the cost of its type "
        "in the settings.",
    )
    activity_count = fields.Integer(string="Done Activities", readonly=True)
    activity_cost = fields.Monetary(
        string="Cost of Activities",
        readonly=True,
        help="Activities marked done in the month on the customer, its "
        "contacts, opportunities, orders, invoices or service cases, each at "
        "the cost of its activity type.",
    )
    allocated_cost = fields.Monetary(
        string="Allocated CRM Costs",
        readonly=True,
        help="The CRM costs of the month, shared among the customers in "
        "proportion to their revenue of the month (customers with a positive "
        "revenue only).",
    )
    cost_to_serve = fields.Monetary(
        string="Cost to Serve",
        readonly=True,
        help="Cost of service cases + cost of activities + allocated CRM costs.",
    )
    contribution = fields.Monetary(readonly=True, help="Gross margin − cost to serve.")

    _rate_counts = {"margin_percent": (["gross_margin"], ["revenue"])}

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"value_tier", "cogs_source"}

    @api.depends_context("allowed_company_ids")
    def _compute_currency_id(self):
        self.currency_id = self.env.company.currency_id

    @property
    def _table_query(self):
        return SQL(
            "WITH %s %s %s",
            SQL(",").join([self._with_sales(), self._with_costs()]),
            self._select(),
            self._from(),
        )

    @api.model
    def _with_sales(self):
        """CTEs ``crm_company`` (the settings read), ``line`` (the invoice
        lines, see ``tools.document_sql.margin_lines``) and
        ``sale``: per company, customer and month, revenue and cost of goods
        sold booked by stock valuation (``cogs_stock``), at the sale orders'
        cost (``cogs_order``), at product cost
        (``cogs_cost``) and by the margin rate (``cogs_rate``), each NULL
        without any line of its source, in company currency.
        Sale-order companies: the confirmed orders at the margin rate."""

        def no_filter(_column):
            return SQL()

        return SQL(
            """
            crm_company AS NOT MATERIALIZED (
                SELECT id, crm_churn_days AS churn_days,
                       crm_revenue_source AS source,
                       crm_clv_margin_rate::numeric AS margin_rate,
                       %(case_costs)s
                  FROM res_company
                 WHERE id = ANY(%(company_ids)s)
            ),
            line AS (%(lines)s),
            sale AS (
                SELECT l.company_id, l.partner_id,
                       date_trunc('month', l.invoice_date)::date AS month,
                       sum(l.revenue) AS revenue,
                       sum(l.revenue - l.cost_margin)
                           FILTER (WHERE l.cost_source = 'stock') AS cogs_stock,
                       sum(l.revenue - l.cost_margin)
                           FILTER (WHERE l.cost_source = 'order') AS cogs_order,
                       sum(l.revenue - l.cost_margin)
                           FILTER (WHERE l.cost_source = 'cost') AS cogs_cost,
                       sum(l.revenue * (1 - c.margin_rate))
                           FILTER (WHERE l.cost_source IS NULL) AS cogs_rate
                  FROM line l JOIN crm_company c ON c.id = l.company_id
              GROUP BY 1, 2, 3
                 UNION ALL
                SELECT d.company_id, d.partner_id,
                       date_trunc('month', d.date)::date,
                       sum(d.amount), NULL, NULL, NULL,
                       sum(d.amount * (1 - c.margin_rate))
                  FROM (%(sources)s) d
                  JOIN crm_company c
                    ON c.id = d.company_id AND c.source = 'sale_order'
              GROUP BY 1, 2, 3
            )
            """,
            case_costs=document_sql.case_cost_columns(),
            company_ids=self.env.companies.ids,
            lines=document_sql.margin_lines(
                self.env, SQL("'1900-01-01'::date"), SQL("CURRENT_DATE")
            ),
            sources=SQL("\nUNION ALL\n").join(
                lifecycle_sql.source_rows(SQL("CURRENT_DATE"), no_filter)
            ),
        )

    @api.model
    def _with_costs(self):
        """CTEs ``service`` (cases per company, customer and month at the
        cost of their type), ``done`` (activities marked done, from the
        message Odoo posts then, per company, customer and month at the cost
        of their type), ``fact`` (sales and costs per company, customer and
        month) and ``crm_cost`` (the CRM costs of each company and month,
        shared by the customers' positive revenue of the month in
        ``_from``)."""
        return SQL(
            """
            service AS (
                SELECT k.company_id, k.partner_id,
                       date_trunc('month', k.date)::date AS month,
                       count(*) AS cases, sum(k.cost) AS cost
                  FROM (%(cases)s) k
              GROUP BY 1, 2, 3
            ),
            done AS (
                SELECT a.company_id, a.partner_id,
                       date_trunc('month', a.date)::date AS month,
                       count(*) AS activities, sum(a.cost) AS cost
                  FROM (%(activities)s) a
              GROUP BY 1, 2, 3
            ),
            fact AS (
                SELECT company_id, partner_id, month,
                       sum(revenue) AS revenue, sum(cogs_stock) AS cogs_stock,
                       sum(cogs_order) AS cogs_order,
                       sum(cogs_cost) AS cogs_cost,
                       sum(cogs_rate) AS cogs_rate,
                       sum(cases) AS cases, sum(case_cost) AS case_cost,
                       sum(activities) AS activities,
                       sum(activity_cost) AS activity_cost
                  FROM (
                    SELECT company_id, partner_id, month, revenue, cogs_stock,
                           cogs_order, cogs_cost, cogs_rate, 0 AS cases,
                           0 AS case_cost,
                           0 AS activities, 0 AS activity_cost
                      FROM sale
                     UNION ALL
                    SELECT company_id, partner_id, month, 0, NULL, NULL, NULL,
                           NULL, cases, cost, 0, 0
                      FROM service
                     UNION ALL
                    SELECT company_id, partner_id, month, 0, NULL, NULL, NULL,
                           NULL, 0, 0, activities, cost
                      FROM done
                  ) f
              GROUP BY 1, 2, 3
            ),
            crm_cost AS (
                SELECT e.company_id, date_trunc('month', e.date)::date AS month,
                       sum(e.amount) AS amount
                  FROM crm_cost_entry e JOIN crm_company c ON c.id = e.company_id
              GROUP BY 1, 2
            )
            """,
            cases=document_sql.case_cost_rows(),
            activities=document_sql.activity_cost_rows(),
        )

    @api.model
    def _select(self):
        # one row per company, month and customer: its id is the company
        # and month's (see row_ids) × PARTNERS + the customer's
        return SQL(
            """
            SELECT %(row)s::bigint * %(partners)s + f.partner_id AS id,
                   f.company_id, f.partner_id, f.month,
                   p.user_id, u.sale_team_id AS team_id, pr.value_tier,
                   f.revenue * %(rate)s AS revenue,
                   (f.revenue - x.margin) * %(rate)s AS cogs,
                   coalesce(f.cogs_stock, 0) * %(rate)s AS cogs_stock,
                   coalesce(f.cogs_order, 0) * %(rate)s AS cogs_order,
                   coalesce(f.cogs_cost, 0) * %(rate)s AS cogs_cost,
                   coalesce(f.cogs_rate, 0) * %(rate)s AS cogs_estimated,
                   f.cogs_rate IS NOT NULL AS cogs_rate_used,
                   CASE num_nonnulls(f.cogs_stock, f.cogs_order, f.cogs_cost,
                                     f.cogs_rate)
                        WHEN 0 THEN NULL
                        WHEN 1 THEN CASE WHEN f.cogs_stock IS NOT NULL THEN 'stock'
                                         WHEN f.cogs_order IS NOT NULL THEN 'order'
                                         WHEN f.cogs_cost IS NOT NULL THEN 'cost'
                                         ELSE 'rate' END
                        ELSE 'mixed' END AS cogs_source,
                   x.margin * %(rate)s AS gross_margin,
                   100.0 * x.margin / NULLIF(f.revenue, 0) AS margin_percent,
                   f.cases::int AS case_count,
                   f.case_cost * %(rate)s AS case_cost,
                   f.activities::int AS activity_count,
                   f.activity_cost * %(rate)s AS activity_cost,
                   x.allocated * %(rate)s AS allocated_cost,
                   x.to_serve * %(rate)s AS cost_to_serve,
                   (x.margin - x.to_serve) * %(rate)s AS contribution
            """,
            row=company_month_id(SQL("f.company_id"), SQL("f.month")),
            partners=PARTNERS,
            rate=SQL("account_currency_table.rate"),
        )

    @api.model
    def _from(self):
        return SQL(
            """
            -- the month's CRM costs shared by the customers' positive revenue
            -- of the month: a window over the company's month, so that a
            -- filter on the month or the company (the pivot's period, the
            -- whale curve's 12 months) reaches the documents before they are
            -- aggregated (fact is read once, not materialized)
            FROM (
                SELECT f.*,
                       CASE WHEN f.revenue > 0 THEN
                           k.amount * f.revenue / sum(f.revenue)
                               FILTER (WHERE f.revenue > 0)
                               OVER (PARTITION BY f.company_id, f.month)
                       END AS allocated
                  FROM fact f
                  LEFT JOIN crm_cost k
                    ON k.company_id = f.company_id AND k.month = f.month
            ) f
            CROSS JOIN LATERAL (
                SELECT f.revenue - coalesce(f.cogs_stock, 0)
                           - coalesce(f.cogs_order, 0)
                           - coalesce(f.cogs_cost, 0)
                           - coalesce(f.cogs_rate, 0) AS margin,
                       coalesce(f.allocated, 0) AS allocated,
                       f.case_cost + f.activity_cost + coalesce(f.allocated, 0)
                           AS to_serve) x
            JOIN res_partner p ON p.id = f.partner_id
            LEFT JOIN res_users u ON u.id = p.user_id
            LEFT JOIN crm_customer_profile pr
              ON pr.partner_id = f.partner_id AND pr.company_id = f.company_id
            JOIN %(currency_table)s
              ON account_currency_table.company_id = f.company_id
            """,
            currency_table=self.env["res.currency"]._get_simple_currency_table(
                self.env.companies
            ),
        )
