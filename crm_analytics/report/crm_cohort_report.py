from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import document_sql
from .row_ids import company_month_id, salesperson_id


class CrmCohortReport(models.Model):
    """Retention by first-purchase cohort: for each month of first purchase
    and each month since, the share of the cohort that bought.

    One row per company, cohort, month since and salesperson of the
    customers (their salesperson today, as on their profiles), so that the
    cohorts break down per salesperson and team and "own documents"
    salespeople read those of their own customers. A cell (company, cohort,
    month since) in which some customer of the cohort bought has a row for
    every salesperson with customers in the cohort, with their buyers (maybe
    none): the rows of a cell add up to the company's figures."""

    _name = "crm.cohort.report"
    _inherit = ["crm.rate.mixin", "crm.cell.mean.mixin"]
    _description = "Cohort Retention"
    _auto = False
    _order = "cohort_month desc, months_since"
    _rec_name = "cohort_month"
    # the documents of tools.document_sql.document_ctes()
    _depends = {
        "account.move": [
            "state", "move_type", "invoice_date", "commercial_partner_id",
            "company_id", "amount_untaxed_signed",
        ],
        "sale.order": [
            "state", "date_order", "partner_id", "company_id", "amount_untaxed",
            "currency_rate",
        ],
        "res.partner": ["commercial_partner_id", "user_id"],
        "res.users": ["sale_team_id"],
        "res.company": ["crm_churn_days", "crm_revenue_source"],
    }  # fmt: skip

    company_id = fields.Many2one("res.company", readonly=True)
    cohort_month = fields.Date(string="First Purchase Month", readonly=True)
    months_since = fields.Integer(
        string="Months Since First Purchase", readonly=True, aggregator=False
    )
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    # the same on every cell of a cohort: added up over the salespeople of
    # a cell, never over cells (crm.cell.mean.mixin)
    cohort_size = fields.Integer(
        string="Cohort Customers",
        readonly=True,
        aggregator="avg",
        help="Customers who bought first in the cohort's month; over several "
        "cohorts, the mean per cohort.",
    )
    buyers = fields.Integer(string="Customers Buying", readonly=True)
    retention = fields.Float(
        string="Retention (%)", digits=(16, 1), readonly=True, aggregator="sum"
    )

    _rate_counts = {"retention": (["buyers"], ["cohort_size"])}
    _cell_means = {"cohort_size": ["company_id", "cohort_month", "months_since"]}

    @property
    def _table_query(self):
        return SQL("WITH %s %s %s", self._with(), self._select(), self._from())

    @api.model
    def _with(self):
        """CTEs of ``document_sql.document_ctes``, then ``cohort`` (each
        customer's first purchase month and salesperson, ``user_key``: 0 for
        none), ``size`` (customers per cohort and salesperson), ``activity``:
        per cohort, salesperson and month since its first, the customers who
        bought, and ``cell``: the cohorts' months since in which some customer
        bought."""
        return SQL(
            """
            %s,
            cohort AS (
                SELECT b.company_id, b.partner_id,
                       coalesce(p.user_id, 0) AS user_key,
                       min(b.month) AS cohort_month
                  FROM buyer b
                  JOIN res_partner p ON p.id = b.partner_id
              GROUP BY 1, 2, 3
            ),
            size AS (
                SELECT company_id, cohort_month, user_key, count(*) AS customers
                  FROM cohort GROUP BY 1, 2, 3
            ),
            activity AS (
                SELECT c.company_id, c.cohort_month, c.user_key,
                       ((extract(year FROM b.month) - extract(year FROM c.cohort_month))
                        * 12 + extract(month FROM b.month)
                        - extract(month FROM c.cohort_month))::int AS months_since,
                       count(*) AS buyers
                  FROM cohort c
                  JOIN buyer b
                    ON b.company_id = c.company_id AND b.partner_id = c.partner_id
              GROUP BY 1, 2, 3, 4
            ),
            cell AS (
                SELECT DISTINCT company_id, cohort_month, months_since
                  FROM activity
            )
            """,
            document_sql.document_ctes(),
        )

    @api.model
    def _select(self):
        # one row per company, cohort, month since (below 10000) and
        # salesperson: see row_ids
        return SQL(
            """
            SELECT %(id)s AS id,
                   x.company_id, x.cohort_month, x.months_since,
                   NULLIF(s.user_key, 0) AS user_id, u.sale_team_id AS team_id,
                   s.customers AS cohort_size, coalesce(a.buyers, 0) AS buyers,
                   100.0 * coalesce(a.buyers, 0) / s.customers AS retention
            """,
            id=salesperson_id(
                SQL(
                    "(%s * 10000 + x.months_since)",
                    company_month_id(SQL("x.company_id"), SQL("x.cohort_month")),
                ),
                SQL("s.user_key"),
            ),
        )

    @api.model
    def _from(self):
        return SQL(
            """
            FROM cell x
            JOIN size s
              ON s.company_id = x.company_id AND s.cohort_month = x.cohort_month
            LEFT JOIN activity a
              ON a.company_id = x.company_id AND a.cohort_month = x.cohort_month
             AND a.months_since = x.months_since AND a.user_key = s.user_key
            LEFT JOIN res_users u ON u.id = s.user_key
            """
        )
