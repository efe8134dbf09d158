from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_lifecycle.tools import arguments

from ..const import VALUE_BASES
from ..tools import ranking_sql


class CrmParetoReport(models.Model):
    """Cumulative value curve (二八法则): customers ranked by window value
    (by the company's value basis: revenue, gross margin or contribution),
    largest first, within their company; per customer (its profile's id)
    percentile, the share of the company's value made by the customers up
    to it. Amounts are in the current company's currency. The curve is that
    of the customers whose profiles the reader may read (record rules: a
    salesperson limited to their own documents reads the curve of their own
    customers, as ``pareto()`` counts them; the other
    customers make another curve, which the report's rules hide)."""

    _name = "crm.pareto.report"
    _description = "Pareto Curve"
    _auto = False
    _depends = {
        "crm.customer.profile": ["partner_id", "company_id", "rfm_monetary", "user_id"],
        # the currency table
        "res.company": ["currency_id", "crm_value_basis"],
        "res.currency.rate": ["currency_id", "company_id", "name", "rate"],
    }
    _rec_name = "partner_id"
    _order = "position"

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    # positions and cumulative shares grow along the curve: a group's total
    # is its last point, never a sum
    position = fields.Integer(string="Rank", readonly=True, aggregator="max")
    customer_percentile = fields.Integer(
        string="Top Customers (%)",
        readonly=True,
        aggregator="max",
        help="The customer belongs to this top percentage of customers.",
    )
    rfm_monetary = fields.Monetary(string="Window Value", readonly=True)
    value_basis = fields.Selection(
        VALUE_BASES,
        readonly=True,
        help="What the company's window value measures: revenue, gross margin "
        "or contribution.",
    )
    revenue_share_cumulative = fields.Float(
        string="Cumulative Value (%)",
        readonly=True,
        digits=(16, 2),
        aggregator="max",
    )

    @api.depends_context("allowed_company_ids")
    def _compute_currency_id(self):
        self.currency_id = self.env.company.currency_id

    @property
    def _table_query(self):
        return self._query()

    @api.model
    def _query(self):
        return SQL("WITH %s %s %s", self._with(), self._select(), self._from())

    @api.model
    def _with(self):
        """CTE ``ranked``: the customers of the selected companies with a
        positive window value, ranked within their company and among those
        whose profiles the reader may read or among the others, with the
        running and total value."""
        return SQL(
            """
            ranked AS (
                SELECT pr.id, pr.partner_id, pr.company_id, pr.rfm_monetary,
                       row_number() OVER w AS position,
                       sum(pr.rfm_monetary) OVER w AS running,
                       count(*) OVER curve AS n,
                       sum(pr.rfm_monetary) OVER curve AS total
                  FROM (
                      SELECT p.id, p.partner_id, p.company_id, p.rfm_monetary,
                             (p.company_id, p.partner_id) IN %s AS readable
                        FROM crm_customer_profile p
                       WHERE p.rfm_monetary > 0 AND p.company_id = ANY(%s)
                  ) pr
                WINDOW curve AS (PARTITION BY pr.company_id, pr.readable),
                       w AS (curve ORDER BY pr.rfm_monetary DESC, pr.partner_id
                             ROWS UNBOUNDED PRECEDING)
            )
            """,
            self.env["crm.customer.profile"]._readable_customers(
                self.env.companies.ids
            ),
            # the curve of a company is its own: the others are not read
            self.env.companies.ids,
        )

    @api.model
    def _select(self):
        return SQL(
            """
            SELECT r.id, r.partner_id, r.company_id, r.position,
                   r.rfm_monetary * account_currency_table.rate AS rfm_monetary,
                   c.crm_value_basis AS value_basis,
                   ceil(100.0 * r.position / r.n)::int AS customer_percentile,
                   100.0 * r.running / r.total AS revenue_share_cumulative
            """
        )

    @api.model
    def _from(self):
        return SQL(
            """
            FROM ranked r
            JOIN res_company c ON c.id = r.company_id
            JOIN %(currency_table)s
              ON account_currency_table.company_id = r.company_id
            """,
            currency_table=self.env["res.currency"]._get_simple_currency_table(
                self.env.companies
            ),
        )

    @api.model
    @api.readonly
    def pareto(self, reference_date=None):
        """Pareto share of the current company (二八法则) as of
        ``reference_date`` (default today).

        :return: ``{'customers': n, 'share_for_80': p}``: n customers with a
            positive window value (by the company's value basis); p = 100 ×
            k / n, k the fewest customers, largest first, whose value reaches
            80% of the total (None when
            n = 0).

        Among the customers whose profile the caller may read (record rules:
        a salesperson limited to their own documents gets the share of their
        own customers).
        """
        Profile = self.env["crm.customer.profile"]
        Profile.check_access("read")
        date = arguments.to_date(
            self.env, reference_date, arguments.REFERENCE_DATE, required=False
        ) or fields.Date.context_today(self)
        company = self.env.company
        readable = Profile._search([("company_id", "=", company.id)])
        self.env.flush_all()
        [(n, k)] = self.env.execute_query(
            SQL(
                """
                WITH %(window)s,
                positive AS (
                    SELECT w.monetary,
                           sum(w.monetary) OVER (
                               ORDER BY w.monetary DESC, w.partner_id
                               ROWS UNBOUNDED PRECEDING) AS running,
                           sum(w.monetary) OVER () AS total
                      FROM win w
                     WHERE w.monetary > 0 AND w.partner_id IN %(readable)s
                )
                -- a customer is needed while the ones before it make < 80 percent
                SELECT count(*),
                       count(*) FILTER (WHERE running - monetary < 0.8 * total)
                  FROM positive
                """,
                window=ranking_sql.window_ctes(self.env, date, company.ids, None),
                readable=readable.subselect(
                    SQL.identifier(readable.table, "partner_id")
                ),
            )
        )
        return {
            "customers": n,
            "share_for_80": round(100.0 * k / n, 2) if n else None,
        }
