from odoo import api, fields, models
from odoo.tools import SQL

from .row_ids import company_month_id


class CrmCohortReport(models.Model):
    """Retention by first-purchase cohort: for each month of first purchase
    and each month since, the share of the cohort that bought."""

    _name = "crm.cohort.report"
    _inherit = ["crm.rate.mixin"]
    _description = "Cohort Retention"
    _auto = False
    _order = "cohort_month desc, months_since"
    _rec_name = "cohort_month"
    # the documents of crm.customer.profile._document_ctes()
    _depends = {
        "account.move": [
            "state", "move_type", "invoice_date", "commercial_partner_id",
            "company_id", "amount_untaxed_signed",
        ],
        "sale.order": [
            "state", "date_order", "partner_id", "company_id", "amount_untaxed",
            "currency_rate",
        ],
        "res.partner": ["commercial_partner_id"],
        "res.company": ["crm_churn_days", "crm_revenue_source"],
    }  # fmt: skip

    company_id = fields.Many2one("res.company", readonly=True)
    cohort_month = fields.Date(string="First Purchase Month", readonly=True)
    months_since = fields.Integer(readonly=True, aggregator=False)
    # the same on every cell of a cohort: its largest, never a sum
    cohort_size = fields.Integer(
        string="Cohort Customers",
        readonly=True,
        aggregator="max",
        help="Customers who bought first in the cohort's month.",
    )
    buyers = fields.Integer(string="Customers Buying", readonly=True)
    retention = fields.Float(
        string="Retention (%)", digits=(16, 1), readonly=True, aggregator="sum"
    )

    _rate_counts = {"retention": (["buyers"], ["cohort_size"])}

    @property
    def _table_query(self):
        return SQL("WITH %s %s %s", self._with(), self._select(), self._from())

    @api.model
    def _with(self):
        """CTEs of ``_document_ctes``, then ``cohort`` (each customer's first
        purchase month), ``size`` (customers per cohort) and ``activity``:
        per cohort and month since its first, the customers who bought."""
        return SQL(
            """
            %s,
            cohort AS (
                SELECT company_id, partner_id, min(month) AS cohort_month
                  FROM buyer GROUP BY company_id, partner_id
            ),
            size AS (
                SELECT company_id, cohort_month, count(*) AS customers
                  FROM cohort GROUP BY company_id, cohort_month
            ),
            activity AS (
                SELECT c.company_id, c.cohort_month,
                       ((extract(year FROM b.month) - extract(year FROM c.cohort_month))
                        * 12 + extract(month FROM b.month)
                        - extract(month FROM c.cohort_month))::int AS months_since,
                       count(*) AS buyers
                  FROM cohort c
                  JOIN buyer b
                    ON b.company_id = c.company_id AND b.partner_id = c.partner_id
              GROUP BY 1, 2, 3
            )
            """,
            self.env["crm.customer.profile"]._document_ctes(),
        )

    @api.model
    def _select(self):
        # one row per company, cohort and month since (below 10000): see
        # row_ids
        return SQL(
            """
            SELECT %(id)s * 10000 + a.months_since AS id,
                   a.company_id, a.cohort_month, a.months_since,
                   s.customers AS cohort_size, a.buyers,
                   100.0 * a.buyers / s.customers AS retention
            """,
            id=company_month_id(SQL("a.company_id"), SQL("a.cohort_month")),
        )

    @api.model
    def _from(self):
        return SQL(
            """
            FROM activity a
            JOIN size s
              ON s.company_id = a.company_id AND s.cohort_month = a.cohort_month
            """
        )
