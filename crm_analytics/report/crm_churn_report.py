from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import document_sql
from .row_ids import company_month_id, salesperson_id


class CrmChurnReport(models.Model):
    """Churn and win-back per month, from the documents (DOMAIN §1 rule 2: a
    customer turns churned the day its days without purchase exceed the
    churn period). Every count is of customers, at the end of the day before
    the month (``_start``) or during the month:

    - churn rate = churned in the month / churn base, the customers active at
      the start plus those who bought first during the month and churned in
      it: never above 100 %;
    - win-back rate = won back in the month / win-back base, the customers
      churned at the start plus those who churned during the month and came
      back within it: never above 100 %.

    Active and churned at the start add up to every customer who bought
    before the month. One row per company, month and salesperson of the
    customers (their salesperson today, as on their profiles), so that the
    figures break down per salesperson and team and "own documents"
    salespeople read those of their own customers; the rows of a month add
    up to the company's. Pivot totals of the rates are the ratios of the
    summed counts (``crm.rate.mixin``), never averages of rates."""

    _name = "crm.churn.report"
    _inherit = ["crm.rate.mixin", "crm.cell.mean.mixin"]
    _description = "Churn and Win-back"
    _auto = False
    _order = "month desc"
    _rec_name = "month"
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
    month = fields.Date(readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    # customers counted at an instant do not add up over months, but over
    # the salespeople of a month (crm.cell.mean.mixin)
    active_start = fields.Integer(
        string="Active at Month Start",
        readonly=True,
        aggregator="avg",
        help="Customers active at the end of the day before the month; over "
        "several months or companies, the mean per month and company of "
        "their totals.",
    )
    churned_start = fields.Integer(
        string="Churned at Month Start",
        readonly=True,
        aggregator="avg",
        help="Customers churned at the end of the day before the month; over "
        "several months or companies, the mean per month and company of "
        "their totals.",
    )
    churned = fields.Integer(string="Churned in Month", readonly=True)
    churn_base = fields.Integer(
        readonly=True,
        help="Customers active at the month's start, plus those who bought "
        "for the first time and churned within the month.",
    )
    won_back = fields.Integer(string="Won Back in Month", readonly=True)
    winback_base = fields.Integer(
        string="Win-back Base",
        readonly=True,
        help="Customers churned at the month's start, plus those who churned "
        "during the month and came back within it.",
    )
    churn_rate = fields.Float(
        string="Churn Rate (%)", digits=(16, 1), readonly=True, aggregator="sum"
    )
    winback_rate = fields.Float(
        string="Win-back Rate (%)", digits=(16, 1), readonly=True, aggregator="sum"
    )

    _rate_counts = {
        "churn_rate": (["churned"], ["churn_base"]),
        "winback_rate": (["won_back"], ["winback_base"]),
    }
    _cell_means = {
        "active_start": ["company_id", "month"],
        "churned_start": ["company_id", "month"],
    }

    @property
    def _table_query(self):
        return SQL("WITH %s %s %s", self._with(), self._select(), self._from())

    @api.model
    def _with(self):
        return SQL(",").join(
            [
                document_sql.document_ctes(),
                self._with_events(),
                self._with_counts(),
            ]
        )

    @api.model
    def _with_events(self):
        """CTEs ``purchase`` (the days a customer bought, with the days
        before and after, and its salesperson, ``user_key``: 0 for none),
        ``churn`` (the days customers turned churned) and ``event``: per
        company, salesperson and month, first buyers, customers won back and
        churned, and of those churned, the ones who bought first or came back
        within the month."""
        return SQL(
            """
            purchase AS (
                SELECT d.company_id, d.partner_id,
                       coalesce(p.user_id, 0) AS user_key,
                       d.date, c.churn_days,
                       lag(d.date) OVER w AS previous_date,
                       lead(d.date) OVER w AS next_date,
                       min(d.date) OVER w AS first_date
                  FROM (SELECT DISTINCT company_id, partner_id, date
                          FROM doc WHERE is_purchase) d
                  JOIN crm_company c ON c.id = d.company_id
                  JOIN res_partner p ON p.id = d.partner_id
                WINDOW w AS (PARTITION BY d.company_id, d.partner_id ORDER BY d.date)
            ),
            -- a purchase followed by more than the churn period without one:
            -- the customer churns the day after (if that day has come)
            churn AS (
                SELECT company_id, partner_id, user_key, date AS last_date,
                       next_date,
                       first_date, date + churn_days + 1 AS churn_date
                  FROM purchase
                 WHERE (next_date IS NULL OR next_date - date > churn_days)
                   AND date + churn_days + 1 <= CURRENT_DATE
            ),
            event AS (
                SELECT company_id, user_key,
                       date_trunc('month', date)::date AS month,
                       count(*) FILTER (WHERE previous_date IS NULL) AS first_buyers,
                       count(*) FILTER (WHERE date - previous_date > churn_days)
                           AS won_back,
                       0 AS churned, 0 AS churned_new, 0 AS churned_returned
                  FROM purchase
              GROUP BY 1, 2, 3
                 UNION ALL
                SELECT company_id, user_key,
                       date_trunc('month', churn_date)::date,
                       0, 0, count(*),
                       -- first bought in the month they churn in (a churn
                       -- period under a month): not active at its start
                       count(*) FILTER (
                           WHERE date_trunc('month', first_date)
                               = date_trunc('month', churn_date)),
                       count(*) FILTER (
                           WHERE date_trunc('month', next_date)
                               = date_trunc('month', churn_date))
                  FROM churn
              GROUP BY 1, 2, 3
            )
            """
        )

    @api.model
    def _with_counts(self):
        """CTEs ``monthly`` (the events summed per company, salesperson and
        month), ``month`` (every month of a company's salesperson from their
        first event to today) and ``counted``: per company, salesperson and
        month, its events and the customers who bought, churned and came back
        before it."""
        return SQL(
            """
            monthly AS (
                SELECT company_id, user_key, month,
                       sum(first_buyers) AS first_buyers,
                       sum(won_back) AS won_back, sum(churned) AS churned,
                       sum(churned_new) AS churned_new,
                       sum(churned_returned) AS churned_returned
                  FROM event
              GROUP BY 1, 2, 3
            ),
            month AS (
                SELECT company_id, user_key,
                       generate_series(
                           min(month), date_trunc('month', CURRENT_DATE),
                           interval '1 month')::date AS month
                  FROM monthly
              GROUP BY company_id, user_key
            ),
            counted AS (
                SELECT m.company_id, m.user_key, m.month,
                       coalesce(e.churned, 0) AS churned,
                       coalesce(e.churned_new, 0) AS churned_new,
                       coalesce(e.won_back, 0) AS won_back,
                       coalesce(e.churned_returned, 0) AS churned_returned,
                       -- before the month: who bought, churned, came back
                       coalesce(sum(e.first_buyers) OVER before, 0) AS bought_before,
                       coalesce(sum(e.churned) OVER before, 0)
                           - coalesce(sum(e.won_back) OVER before, 0)
                           AS churned_start
                  FROM month m
                  LEFT JOIN monthly e
                    ON e.company_id = m.company_id AND e.user_key = m.user_key
                   AND e.month = m.month
                WINDOW before AS (
                    PARTITION BY m.company_id, m.user_key ORDER BY m.month
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
            )
            """
        )

    @api.model
    def _select(self):
        # one row per company, month and salesperson: see row_ids
        return SQL(
            """
            SELECT %(id)s AS id,
                   c.company_id, c.month,
                   NULLIF(c.user_key, 0) AS user_id, u.sale_team_id AS team_id,
                   (c.bought_before - c.churned_start)::int AS active_start,
                   c.churned_start::int AS churned_start,
                   c.churned::int AS churned,
                   (c.bought_before - c.churned_start + c.churned_new)::int
                       AS churn_base,
                   c.won_back::int AS won_back,
                   (c.churned_start + c.churned_returned)::int AS winback_base,
                   100.0 * c.churned
                       / NULLIF(c.bought_before - c.churned_start + c.churned_new, 0)
                       AS churn_rate,
                   100.0 * c.won_back
                       / NULLIF(c.churned_start + c.churned_returned, 0)
                       AS winback_rate
            """,
            id=salesperson_id(
                company_month_id(SQL("c.company_id"), SQL("c.month")),
                SQL("c.user_key"),
            ),
        )

    @api.model
    def _from(self):
        return SQL("FROM counted c LEFT JOIN res_users u ON u.id = c.user_key")
