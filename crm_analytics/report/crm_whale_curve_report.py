from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.query import Query

from .crm_customer_profitability_report import (
    PARTNERS,
    CrmCustomerProfitabilityReport,
)

# The months of the curve: the current one and the 11 before.
MONTHS = 12


class CrmWhaleCurveReport(models.Model):
    """Whale curve 鲸鱼曲线: the customers of a company with a non-zero
    contribution over the last 12 months (the current month and the 11
    before, from the customer profitability report), ranked from the most to
    the least profitable; per customer the cumulative contribution of the
    customers up to it as a percentage of the company's total contribution,
    against the cumulative share of customers. The curve rises above 100 %
    while customers add value, then falls back to 100 % with the customers
    who destroy value (negative contribution). Amounts are in the current
    company's currency.

    When the total contribution of a curve is ≤ 0, no percentage of it makes
    sense: the cumulative percentages are NULL (0 in the views; the ranking,
    amounts and value destroyers stay).

    The curve is that of the customers the reader may read (the report's
    record rules: a salesperson limited to their own documents reads the
    curve of their own customers, as ``whale_curve()`` counts them; the
    other customers make another curve, which the rules hide).
    """

    _name = "crm.whale.curve.report"
    _description = "Whale Curve"
    _auto = False
    _rec_name = "partner_id"
    _order = "company_id, position"
    # the rows are the customer profitability report's
    _depends = CrmCustomerProfitabilityReport._depends

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    contribution = fields.Monetary(
        string="Contribution (12 Months)",
        readonly=True,
        help="Gross margin − cost to serve of the customer over the current "
        "month and the 11 before (see Customer Profitability).",
    )
    # positions and cumulative shares grow along the curve: a group's total
    # is its last point (or the peak), never a sum
    position = fields.Integer(string="Rank", readonly=True, aggregator="max")
    customer_percentile = fields.Integer(
        string="Customers (%)",
        readonly=True,
        aggregator="max",
        help="Cumulative share of customers: the customer and the more "
        "profitable ones make this percentage of the customers.",
    )
    contribution_cumulative = fields.Float(
        string="Cumulative Contribution (%)",
        readonly=True,
        digits=(16, 2),
        aggregator="max",
        help="Contribution of the customer and the more profitable ones, as a "
        "percentage of the total contribution: above 100 while value is "
        "created, back to 100 at the last customer. None (shown as 0) when "
        "the total contribution is zero or negative.",
    )
    destroys_value = fields.Boolean(
        readonly=True,
        help="The customer's contribution over the 12 months is negative: "
        "serving it costs more than its gross margin.",
    )

    @api.depends_context("allowed_company_ids")
    def _compute_currency_id(self):
        self.currency_id = self.env.company.currency_id

    @property
    def _table_query(self):
        return SQL("WITH %s %s", self._with(), self._select())

    @api.model
    def _readable(self, alias):
        """SQL: whether the row of ``alias`` (with the report's columns
        ``company_id``, ``partner_id`` and ``user_id``) passes the reader's
        record rules of this report, TRUE for the superuser."""
        if self.env.su:
            return SQL("TRUE")
        domain = self.env["ir.rule"]._compute_domain(self._name, "read")
        if not domain:
            return SQL("TRUE")
        query = Query(self.env, alias, SQL.identifier(alias))
        expression.expression(domain, self, alias=alias, query=query)
        return SQL("(%s)", query.where_clause) if query.where_clause else SQL("TRUE")

    @api.model
    def _with(self):
        """CTEs ``profit`` (the customer profitability report's rows),
        ``customer`` (per company and customer, the contribution of the 12
        months, not zero) and ``ranked``: the customers ranked within their
        company and among those the reader may read or among the others,
        with the running and total contribution."""
        profitability = self.env["crm.customer.profitability.report"]
        return SQL(
            """
            profit AS (%(profit)s),
            customer AS (
                SELECT p.company_id, p.partner_id, p.user_id,
                       sum(p.contribution) AS contribution
                  FROM profit p
                 WHERE p.month >= (date_trunc('month', CURRENT_DATE)
                                   - %(months)s * interval '1 month')::date
                   AND p.month <= date_trunc('month', CURRENT_DATE)::date
              GROUP BY 1, 2, 3
                HAVING sum(p.contribution) <> 0
            ),
            ranked AS (
                SELECT c.company_id, c.partner_id, c.user_id, c.contribution,
                       row_number() OVER w AS position,
                       sum(c.contribution) OVER w AS running,
                       count(*) OVER curve AS n,
                       sum(c.contribution) OVER curve AS total
                  FROM (
                      SELECT customer.*, coalesce(%(readable)s, FALSE) AS readable
                        FROM customer
                  ) c
                WINDOW curve AS (PARTITION BY c.company_id, c.readable),
                       w AS (curve ORDER BY c.contribution DESC, c.partner_id
                             ROWS UNBOUNDED PRECEDING)
            )
            """,
            profit=profitability._table_query,
            months=MONTHS - 1,
            readable=self._readable("customer"),
        )

    @api.model
    def _select(self):
        # one row per company and customer
        return SQL(
            """
            SELECT r.company_id::bigint * %(partners)s + r.partner_id AS id,
                   r.company_id, r.partner_id, r.user_id, r.contribution,
                   r.position,
                   ceil(100.0 * r.position / r.n)::int AS customer_percentile,
                   CASE WHEN r.total > 0 THEN 100.0 * r.running / r.total END
                       AS contribution_cumulative,
                   r.contribution < 0 AS destroys_value
              FROM ranked r
            """,
            partners=PARTNERS,
        )

    @api.model
    @api.readonly
    def whale_curve(self):
        """The whale curves of the selected companies, over the current month
        and the 11 before.

        :return: ``{company_id: {'customers', 'contribution', 'peak',
            'share_for_100', 'destroyers', 'destroyed'}}`` for every selected
            company: the customers with a non-zero contribution, their total
            contribution, the peak of the curve (the highest cumulative
            contribution, in % of the total), the share of customers (%),
            most profitable first, whose contribution reaches 100 % of the
            total, and the number and contribution of the customers who
            destroy value. Amounts in the current company's currency.

        When the total contribution is ≤ 0 (no customer, or the value
        destroyers outweigh the others), ``peak`` and ``share_for_100`` are
        None: the curve has no percentage.

        Among the customers the caller may read (record rules: a salesperson
        limited to their own documents gets the curve of their own
        customers).
        """
        self.check_access("read")
        company_ids = self.env.companies.ids
        query = self._search([("company_id", "in", company_ids)])
        query.groupby = SQL.identifier(query.table, "company_id")

        def column(name):
            return SQL.identifier(query.table, name)

        self.env.flush_all()
        rows = self.env.execute_query(
            query.select(
                column("company_id"),
                SQL("count(*)"),
                SQL("sum(%s)", column("contribution")),
                SQL("max(%s)", column("contribution_cumulative")),
                SQL(
                    "min(%s) FILTER (WHERE %s >= 100)",
                    column("position"),
                    column("contribution_cumulative"),
                ),
                SQL("count(*) FILTER (WHERE %s)", column("destroys_value")),
                SQL(
                    "sum(%s) FILTER (WHERE %s)",
                    column("contribution"),
                    column("destroys_value"),
                ),
            )
        )
        curves = {
            company_id: {
                "customers": 0,
                "contribution": 0.0,
                "peak": None,
                "share_for_100": None,
                "destroyers": 0,
                "destroyed": 0.0,
            }
            for company_id in company_ids
        }
        for company_id, n, total, peak, k, destroyers, destroyed in rows:
            curves[company_id] = {
                "customers": n,
                "contribution": round(float(total), 2),
                "peak": round(float(peak), 2) if peak is not None else None,
                "share_for_100": round(100.0 * k / n, 2) if k else None,
                "destroyers": destroyers,
                "destroyed": round(float(destroyed or 0), 2),
            }
        return curves
