from odoo import fields, models
from odoo.tools import SQL


class CrmCohortReport(models.Model):
    """Retention by first-purchase cohort: for each month of first purchase
    and each month since, the share of the cohort that bought."""

    _name = "crm.cohort.report"
    _inherit = ["crm.rate.mixin"]
    _description = "Cohort Retention"
    _auto = False
    _order = "cohort_month desc, months_since"
    _rec_name = "cohort_month"
    _depends = {
        "account.move": [
            "state", "move_type", "invoice_date", "commercial_partner_id",
            "company_id",
        ],
    }  # fmt: skip

    company_id = fields.Many2one("res.company", readonly=True)
    cohort_month = fields.Date(string="First Purchase Month", readonly=True)
    months_since = fields.Integer(readonly=True, aggregator=False)
    cohort_size = fields.Integer(
        string="Cohort Customers", readonly=True, aggregator="max"
    )
    buyers = fields.Integer(string="Customers Buying", readonly=True)
    retention = fields.Float(
        string="Retention (%)", digits=(16, 1), readonly=True, aggregator="sum"
    )

    _rate_counts = {"retention": (["buyers"], ["cohort_size"])}

    @property
    def _table_query(self):
        return SQL(
            """
            WITH %s,
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
            SELECT row_number() OVER (
                       ORDER BY a.company_id, a.cohort_month, a.months_since) AS id,
                   a.company_id, a.cohort_month, a.months_since,
                   s.customers AS cohort_size, a.buyers,
                   100.0 * a.buyers / s.customers AS retention
              FROM activity a
              JOIN size s
                ON s.company_id = a.company_id AND s.cohort_month = a.cohort_month
            """,
            self.env["crm.customer.profile"]._document_ctes(),
        )
