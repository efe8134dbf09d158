from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_lifecycle.models.crm_customer_profile import LIFECYCLE_STAGES

from ..models.crm_customer_profile import VALUE_TIERS


def _documents(env):
    """CTEs ``crm_company`` and ``doc``: every purchase and refund of every
    company up to today, from the lifecycle's source documents."""

    def no_filter(_column):
        return SQL()

    sources = env["crm.customer.profile"]._source_queries(
        SQL("CURRENT_DATE"), no_filter
    )
    return SQL(
        """
crm_company AS (
    SELECT id, crm_churn_days AS churn_days, crm_revenue_source AS source
      FROM res_company
),
doc AS (%s),
buyer AS (
    SELECT DISTINCT company_id, partner_id,
           date_trunc('month', date)::date AS month
      FROM doc
     WHERE is_purchase
)
        """,
        SQL("\nUNION ALL\n").join(sources),
    )


class CrmSatisfactionTrapReport(models.Model):
    """The satisfaction trap (客户满意陷阱): customers whose latest response
    is satisfied (CSI of at least 1, or overall satisfaction in the top two
    points) yet who are declining or churned."""

    _name = "crm.satisfaction.trap.report"
    _description = "Satisfaction Trap"
    _auto = False
    _rec_name = "partner_id"
    _order = "revenue_12m desc"
    _depends = {
        "crm.customer.profile": [
            "partner_id", "company_id", "user_id", "team_id", "lifecycle_stage",
            "value_tier", "revenue_12m", "last_purchase_date",
        ],
        "survey.user_input": [
            "state", "crm_partner_id", "crm_company_id", "crm_csi", "crm_csat",
            "end_datetime",
        ],
    }  # fmt: skip

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGES, readonly=True)
    value_tier = fields.Selection(VALUE_TIERS, readonly=True)
    revenue_12m = fields.Monetary(string="Revenue, Last 12 Months", readonly=True)
    last_purchase_date = fields.Date(readonly=True)
    latest_csi = fields.Float(string="Latest CSI", digits=(16, 3), readonly=True)
    latest_top_two = fields.Boolean(string="Latest Overall in Top Two", readonly=True)
    last_response = fields.Datetime(readonly=True)

    @property
    def _table_query(self):
        return self._query()

    @api.model
    def _query(self):
        return SQL(
            """
            WITH latest_csi AS (
                SELECT DISTINCT ON (i.crm_company_id, i.crm_partner_id)
                       i.crm_company_id AS company_id,
                       i.crm_partner_id AS partner_id,
                       i.crm_csi AS csi, i.end_datetime
                  FROM survey_user_input i
                 WHERE i.state = 'done' AND i.crm_csi IS NOT NULL
                   AND i.crm_partner_id IS NOT NULL
              ORDER BY i.crm_company_id, i.crm_partner_id,
                       i.end_datetime DESC NULLS LAST, i.id DESC
            ),
            latest_overall AS (
                SELECT DISTINCT ON (i.crm_company_id, i.crm_partner_id)
                       i.crm_company_id AS company_id,
                       i.crm_partner_id AS partner_id,
                       i.crm_csat AS csat, i.end_datetime
                  FROM survey_user_input i
                 WHERE i.state = 'done' AND i.crm_csat IS NOT NULL
                   AND i.crm_partner_id IS NOT NULL
              ORDER BY i.crm_company_id, i.crm_partner_id,
                       i.end_datetime DESC NULLS LAST, i.id DESC
            )
            SELECT pr.id, pr.partner_id, pr.company_id, pr.user_id, pr.team_id,
                   pr.lifecycle_stage, pr.value_tier, pr.revenue_12m,
                   pr.last_purchase_date,
                   lc.csi AS latest_csi,
                   coalesce(lo.csat = 100, FALSE) AS latest_top_two,
                   greatest(lc.end_datetime, lo.end_datetime) AS last_response
              FROM crm_customer_profile pr
              LEFT JOIN latest_csi lc
                ON lc.company_id = pr.company_id AND lc.partner_id = pr.partner_id
              LEFT JOIN latest_overall lo
                ON lo.company_id = pr.company_id AND lo.partner_id = pr.partner_id
             WHERE pr.lifecycle_stage IN ('declining', 'churned')
               AND (lc.csi >= 1 OR lo.csat = 100)
            """
        )


class CrmRepurchaseReport(models.Model):
    """Repurchase rate (回头率) per month: the share of the previous month's
    buyers who bought again this month."""

    _name = "crm.repurchase.report"
    _description = "Repurchase Rate"
    _auto = False
    _order = "month desc"
    _rec_name = "month"
    _depends = {
        "account.move": [
            "state", "move_type", "invoice_date", "commercial_partner_id",
            "company_id",
        ],
    }  # fmt: skip

    company_id = fields.Many2one("res.company", readonly=True)
    month = fields.Date(readonly=True)
    buyers_previous = fields.Integer(string="Buyers Last Month", readonly=True)
    repeat_buyers = fields.Integer(string="Bought Again", readonly=True)
    repurchase_rate = fields.Float(
        string="Repurchase Rate (%)", digits=(16, 1), readonly=True, aggregator="avg"
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH %s
            SELECT row_number() OVER (ORDER BY b.company_id, b.month) AS id,
                   b.company_id,
                   (b.month + interval '1 month')::date AS month,
                   count(*) AS buyers_previous,
                   count(n.partner_id) AS repeat_buyers,
                   100.0 * count(n.partner_id) / count(*) AS repurchase_rate
              FROM buyer b
              LEFT JOIN buyer n
                ON n.company_id = b.company_id AND n.partner_id = b.partner_id
               AND n.month = b.month + interval '1 month'
             WHERE b.month + interval '1 month' <= date_trunc('month', CURRENT_DATE)
          GROUP BY b.company_id, b.month
            """,
            _documents(self.env),
        )


class CrmCohortReport(models.Model):
    """Retention by first-purchase cohort: for each month of first purchase
    and each month since, the share of the cohort that bought."""

    _name = "crm.cohort.report"
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
        string="Retention (%)", digits=(16, 1), readonly=True, aggregator="avg"
    )

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
            _documents(self.env),
        )


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
    won_back = fields.Integer(string="Won Back", readonly=True)
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
            _documents(self.env),
        )
