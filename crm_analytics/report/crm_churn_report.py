from odoo import fields, models
from odoo.tools import SQL


class CrmChurnReport(models.Model):
    """Churn and win-back per month: customers entering churned and won
    back; churn rate = churned in the month / customers active at its start
    (a purchase within the churn period); win-back rate = won back in the
    month / customers churned at its start."""

    _name = "crm.churn.report"
    _description = "Churn and Win-back"
    _auto = False
    _order = "month desc"
    _rec_name = "month"
    _depends = {
        "crm.lifecycle.history": ["company_id", "partner_id", "stage_to", "date"],
        "account.move": [
            "state", "move_type", "invoice_date", "commercial_partner_id",
            "company_id",
        ],
    }  # fmt: skip

    company_id = fields.Many2one("res.company", readonly=True)
    month = fields.Date(readonly=True)
    active_start = fields.Integer(string="Active at Month Start", readonly=True)
    churned = fields.Integer(readonly=True)
    churned_start = fields.Integer(string="Churned at Month Start", readonly=True)
    won_back = fields.Integer(readonly=True)
    churn_rate = fields.Float(
        string="Churn Rate (%)", digits=(16, 1), readonly=True, aggregator="avg"
    )
    winback_rate = fields.Float(
        string="Win-back Rate (%)", digits=(16, 1), readonly=True, aggregator="avg"
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH %s,
            month AS (
                SELECT c.id AS company_id, c.churn_days,
                       generate_series(
                           (SELECT date_trunc('month', min(d.date)) FROM doc d
                             WHERE d.company_id = c.id),
                           date_trunc('month', CURRENT_DATE),
                           interval '1 month')::date AS month
                  FROM crm_company c
            ),
            counted AS (
                SELECT m.company_id, m.month,
                       (SELECT count(DISTINCT d.partner_id) FROM doc d
                         WHERE d.company_id = m.company_id AND d.is_purchase
                           AND d.date < m.month
                           AND d.date >= m.month - m.churn_days) AS active_start,
                       (SELECT count(*) FROM crm_lifecycle_history h
                         WHERE h.company_id = m.company_id
                           AND h.stage_to = 'churned'
                           AND h.date >= m.month
                           AND h.date < m.month + interval '1 month') AS churned,
                       (SELECT count(*) FROM crm_lifecycle_history h
                         WHERE h.company_id = m.company_id
                           AND h.stage_to = 'won_back'
                           AND h.date >= m.month
                           AND h.date < m.month + interval '1 month') AS won_back,
                       (SELECT count(*) FROM (
                            SELECT DISTINCT ON (h.partner_id) h.stage_to
                              FROM crm_lifecycle_history h
                             WHERE h.company_id = m.company_id AND h.date < m.month
                          ORDER BY h.partner_id, h.date DESC, h.id DESC) last
                         WHERE last.stage_to = 'churned') AS churned_start
                  FROM month m
            )
            SELECT row_number() OVER (ORDER BY c.company_id, c.month) AS id,
                   c.company_id, c.month, c.active_start, c.churned, c.won_back,
                   c.churned_start,
                   100.0 * c.churned / NULLIF(c.active_start, 0) AS churn_rate,
                   100.0 * c.won_back / NULLIF(c.churned_start, 0) AS winback_rate
              FROM counted c
            """,
            self.env["crm.customer.profile"]._document_ctes(),
        )
