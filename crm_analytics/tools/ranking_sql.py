"""SQL pieces of the value ranking (DOMAIN §2), composed by
``crm.customer.profile._value_statement``: the value settings of the
companies, the RFM window figures, the full ranking of their customers and
the placing of some customers by the cut-offs of the last ranking. Pieces
that read settings join the CTE ``crm_company`` of ``company_settings``."""

from odoo.tools import SQL

from odoo.addons.crm_lifecycle.tools import lifecycle_sql

from ..const import SCORES, TIER_LEVELS
from . import document_sql


def as_sql(value):
    """``value`` as an SQL expression: itself if it is one, else a
    parameter (lists as arrays)."""
    if isinstance(value, SQL):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        value = list(value)
    return SQL("%s", value)


def tier_level(column):
    """SQL: the height on the pyramid of the tier key in ``column``."""
    return SQL(
        "CASE %s %s ELSE 0 END",
        column,
        SQL(" ").join(
            SQL("WHEN %s THEN %s", tier, level) for tier, level in TIER_LEVELS.items()
        ),
    )


def company_settings(company_ids):
    """The value settings of ``company_ids`` (an SQL expression), as the
    ranking statements read them from CTE ``crm_company``."""
    return SQL(
        """
SELECT id,
       crm_churn_days AS churn_days,
       crm_revenue_source AS source,
       crm_rfm_window_days AS window_days,
       crm_value_basis AS basis,
       crm_clv_margin_rate::numeric AS margin_rate,
       %(case_costs)s,
       crm_tier_mode AS tier_mode,
       crm_tier_vip_share::numeric AS vip_share,
       crm_tier_key_share::numeric AS key_share,
       crm_tier_ordinary_share::numeric AS ordinary_share,
       crm_tier_vip_threshold AS vip_threshold,
       crm_tier_key_threshold AS key_threshold,
       crm_tier_ordinary_threshold AS ordinary_threshold
  FROM res_company
 WHERE id = ANY(%(company_ids)s)
        """,
        company_ids=company_ids,
        case_costs=document_sql.case_cost_columns(),
    )


def window_ctes(env, date, company_ids, partner_ids):
    """CTEs ``crm_company`` (settings) and ``win``: per customer and
    company, the invoices (``frequency``), net revenue (``revenue``), days
    since the last purchase (``recency_days``) and value (``monetary``, by
    the company's value basis, see ``window_value``) of the RFM window
    ending on ``date``, from the lifecycle's source documents."""

    date = as_sql(date)

    def partner_filter(column):
        if partner_ids is None:
            return SQL()
        return SQL("AND %s = ANY(%s)", column, as_sql(partner_ids))

    sources = lifecycle_sql.source_rows(date, partner_filter)
    # settings of companies the caller ranks, maybe as the cron user: read,
    # not shown
    companies = env["res.company"].sudo().browse(company_ids)
    windows = set(companies.mapped("crm_rfm_window_days"))
    # Some customers: their documents through
    # the customer index, the window of each company as a filter (a bound
    # on the date would let the plan pick the date index instead).
    company_join = SQL("JOIN crm_company c ON c.id = d.company_id")
    window_filter = SQL("d.date > %s::date - c.window_days", date)
    # Everyone: the window's first day as a literal, so that PostgreSQL
    # reads only the window's documents through the date index; companies
    # whose windows differ also need each its own bound.
    if partner_ids is None:
        window_filter = SQL("d.date > %s::date - %s", date, max(windows, default=0))
        company_join = SQL()
        if len(windows) > 1:
            company_join = SQL("JOIN crm_company c ON c.id = d.company_id")
            window_filter = SQL(
                "%s AND d.date > %s::date - c.window_days", window_filter, date
            )
    return SQL(
        """
crm_company AS NOT MATERIALIZED (%(settings)s),
win_sale AS (
SELECT d.partner_id,
       d.company_id,
       (count(*) FILTER (WHERE d.is_purchase))::int AS frequency,
       sum(d.amount) AS revenue,
       (%(date)s::date - max(d.date) FILTER (WHERE d.is_purchase))::int
           AS recency_days
  FROM (%(sources)s) d
  %(company_join)s
 WHERE %(window_filter)s
  GROUP BY d.partner_id, d.company_id
),
%(value)s
        """,
        settings=company_settings(as_sql(company_ids)),
        date=date,
        sources=SQL("\nUNION ALL\n").join(sources),
        window_filter=window_filter,
        company_join=company_join,
        value=window_value(
            env,
            date,
            max(windows, default=0),
            set(companies.mapped("crm_value_basis")),
            partner_filter if partner_ids is not None else None,
        ),
    )


def window_value(env, date, days, bases, partner_filter):
    """CTE ``win``: the rows of CTE ``win_sale`` with their value
    ``monetary`` by the company's basis (``bases``: those of the companies;
    ``days``: their longest window):

    - revenue: the window's net revenue;
    - margin: the window's gross margin, as the profitability report
      computes it (invoice lines at their cost, else at the margin rate;
      sale-order companies: revenue × the margin rate);
    - contribution: the gross margin minus the cost to serve of the window
      (see ``serve_ctes``)."""
    if bases <= {"revenue"}:
        return SQL("win AS (SELECT w.*, w.revenue AS monetary FROM win_sale w)")
    return SQL(
        """
win_margin AS (
SELECT x.company_id, x.partner_id,
       sum(coalesce(x.cost_margin, x.revenue * c.margin_rate)) AS margin
  FROM (%(lines)s) x
  JOIN crm_company c ON c.id = x.company_id
 WHERE c.basis != 'revenue' AND x.invoice_date > %(date)s::date - c.window_days
  GROUP BY x.company_id, x.partner_id
),
%(serve)s,
win AS (
SELECT w.*,
       CASE WHEN c.basis = 'revenue' THEN w.revenue
            WHEN c.source = 'sale_order' THEN w.revenue * c.margin_rate
            ELSE coalesce(m.margin, 0)
       END
       - CASE WHEN c.basis = 'contribution' THEN coalesce(s.cost, 0) ELSE 0 END
           AS monetary
  FROM win_sale w
  JOIN crm_company c ON c.id = w.company_id
  LEFT JOIN win_margin m
    ON m.partner_id = w.partner_id AND m.company_id = w.company_id
  LEFT JOIN win_serve s
    ON s.partner_id = w.partner_id AND s.company_id = w.company_id
)
        """,
        lines=document_sql.margin_lines(
            env, SQL("%s::date - %s", date, days), date, partner_filter
        ),
        date=date,
        serve=serve_ctes(date, days, partner_filter),
    )


def serve_ctes(date, days, partner_filter=None):
    """CTEs ``win_month_rate`` and ``win_serve``: the cost to serve of the
    customers of the companies of the CTE ``crm_company`` whose basis is
    contribution, over the window ending on ``date`` (``days``: the longest
    window), as the profitability report computes it:

    - the service cases and done activities of the window's days, at their
      cost;
    - the CRM costs of the window's months (those whose first day is in the
      window; entries up to ``date``), each month's shared by its customers'
      positive revenue of the month: ``win_month_rate`` holds the month's
      CRM costs per unit of that revenue. ``partner_filter`` (some
      customers, between two rankings): the rates stored by the company's
      last ranking."""
    since = SQL("%s::date - %s", date, days)
    in_window = SQL(
        "x.date > %(date)s::date - c.window_days AND x.date <= %(date)s", date=date
    )
    if partner_filter:
        month_rate = SQL(
            """SELECT r.company_id, x.key::date AS month, x.value::numeric AS rate
                 FROM (SELECT DISTINCT ON (r.company_id) r.company_id,
                              r.crm_cost_rates
                         FROM crm_value_ranking r
                         JOIN crm_company c
                           ON c.id = r.company_id AND c.basis = 'contribution'
                     ORDER BY r.company_id, r.date DESC, r.id DESC) r
                CROSS JOIN LATERAL jsonb_each_text(r.crm_cost_rates) x"""
        )
    else:
        month_rate = SQL(
            """SELECT m.company_id, m.month,
                      k.amount / sum(m.revenue) FILTER (WHERE m.revenue > 0) AS rate
                 FROM win_month m
                 JOIN (SELECT e.company_id,
                              date_trunc('month', e.date)::date AS month,
                              sum(e.amount) AS amount
                         FROM crm_cost_entry e
                        WHERE e.date > %(since)s AND e.date <= %(date)s
                     GROUP BY 1, 2) k
                   ON k.company_id = m.company_id AND k.month = m.month
             GROUP BY m.company_id, m.month, k.amount""",
            since=since,
            date=date,
        )
    return SQL(
        """
win_month AS (
SELECT d.company_id, d.partner_id,
       date_trunc('month', d.date)::date AS month, sum(d.amount) AS revenue
  FROM (%(sources)s) d
  JOIN crm_company c ON c.id = d.company_id AND c.basis = 'contribution'
 WHERE d.date > %(since)s
   AND date_trunc('month', d.date) > %(date)s::date - c.window_days
  GROUP BY 1, 2, 3
),
win_month_rate AS (%(month_rate)s),
win_serve AS (
SELECT s.company_id, s.partner_id, sum(s.cost) AS cost
  FROM (
    SELECT x.company_id, x.partner_id, x.cost
      FROM (%(cases)s UNION ALL %(activities)s) x
      JOIN crm_company c ON c.id = x.company_id
     WHERE c.basis = 'contribution' AND %(in_window)s
     UNION ALL
    SELECT m.company_id, m.partner_id, m.revenue * k.rate
      FROM win_month m
      JOIN win_month_rate k ON k.company_id = m.company_id AND k.month = m.month
     WHERE m.revenue > 0
  ) s
  GROUP BY s.company_id, s.partner_id
)
        """,
        sources=SQL("\nUNION ALL\n").join(
            lifecycle_sql.source_rows(date, partner_filter or (lambda _column: SQL()))
        ),
        since=since,
        date=date,
        month_rate=month_rate,
        cases=document_sql.case_cost_rows(partner_filter, since),
        activities=document_sql.activity_cost_rows(partner_filter, since),
        in_window=in_window,
    )


def threshold_tier():
    """SQL: the tier of a window value ``w.monetary`` by the company's
    thresholds (CTE ``crm_company`` as ``c``)."""
    return SQL(
        """CASE WHEN w.monetary >= c.vip_threshold THEN 'vip'
                WHEN w.monetary >= c.key_threshold THEN 'key'
                WHEN w.monetary >= c.ordinary_threshold THEN 'ordinary'
                ELSE 'small' END"""
    )


def ranked(from_facts=False):
    """CTE ``valued``: scores and tier of every customer with a positive
    window value, by rank among them (DOMAIN §2); ``crm.value.ranking``
    stores the ranking's cut-offs from it. ``from_facts``: the window
    figures come with the profile's id (see
    ``crm.customer.profile._value_statement``)."""
    return SQL(
        """
ranked AS (
SELECT w.*,
       count(*) OVER (PARTITION BY w.company_id) AS n,
       -- k = customers strictly worse: more days since the last
       -- purchase (none in the window counts as most), fewer invoices
       rank() OVER (PARTITION BY w.company_id ORDER BY w.recency_days DESC)
           - 1 AS k_r,
       rank() OVER (PARTITION BY w.company_id ORDER BY w.frequency) - 1 AS k_f,
       -- customers with as much revenue or more (the same sort as the
       -- position): n minus it have less
       count(*) OVER (PARTITION BY w.company_id ORDER BY w.monetary DESC)
           AS at_least,
       row_number() OVER (PARTITION BY w.company_id
                          ORDER BY w.monetary DESC, w.partner_id) AS position
  FROM win w
 WHERE w.monetary > 0
),
-- per company: the settings and the last position of each share tier (a
-- row per company, kept: every customer reads its company's)
limits AS MATERIALIZED (
SELECT c.id AS company_id, c.tier_mode,
       c.vip_threshold, c.key_threshold, c.ordinary_threshold,
       ceil(c.vip_share * x.n / 100)::bigint AS vip_limit,
       ceil((c.vip_share + c.key_share) * x.n / 100)::bigint AS key_limit,
       ceil((c.vip_share + c.key_share + c.ordinary_share) * x.n / 100)::bigint
           AS ordinary_limit
  FROM crm_company c
  -- the count of ranked customers, which every one of them carries
  JOIN LATERAL (
        SELECT r.n FROM ranked r WHERE r.company_id = c.id LIMIT 1) x ON TRUE
),
valued AS (
SELECT w.partner_id, w.company_id, w.frequency, w.revenue, w.monetary,
       w.recency_days, %(profile_id)s
       (1 + 5 * w.k_r / w.n)::int AS r_score,
       (1 + 5 * w.k_f / w.n)::int AS f_score,
       (1 + 5 * (w.n - w.at_least) / w.n)::int AS m_score,
       CASE WHEN c.tier_mode = 'thresholds' THEN %(threshold_tier)s
            WHEN w.position <= c.vip_limit THEN 'vip'
            WHEN w.position <= c.key_limit THEN 'key'
            WHEN w.position <= c.ordinary_limit THEN 'ordinary'
            ELSE 'small'
       END AS tier
  FROM ranked w
  JOIN limits c ON c.company_id = w.company_id
),
        """,
        threshold_tier=threshold_tier(),
        profile_id=SQL("w.id,") if from_facts else SQL(),
    )


def placed(company_ids, from_facts=False):
    """CTE ``valued`` for customers placed between two full rankings:
    scores and tier by the cut-offs of each company's last ranking
    (thresholds mode needs none). No ranking yet: no score, no tier."""

    def score(column, better, key, cast):
        # one point per score 2..5 whose cut-off the customer beats
        return SQL(" + ").join(
            SQL(
                "coalesce((%s %s (l.score_cutoffs -> %s ->> %s)::%s)::int, 0)",
                column,
                better,
                key,
                index,
                cast,
            )
            for index in range(len(SCORES))
        )

    return SQL(
        """
last_run AS (
SELECT DISTINCT ON (r.company_id) r.*
  FROM crm_value_ranking r
 WHERE r.company_id = ANY(%(company_ids)s)
  ORDER BY r.company_id, r.date DESC, r.id DESC
),
valued AS (
SELECT w.partner_id,
       w.company_id, %(profile_id)s
       CASE WHEN l.id IS NOT NULL THEN 1 + %(r_score)s END AS r_score,
       CASE WHEN l.id IS NOT NULL THEN 1 + %(f_score)s END AS f_score,
       CASE WHEN l.id IS NOT NULL THEN 1 + %(m_score)s END AS m_score,
       CASE WHEN c.tier_mode = 'thresholds' THEN %(threshold_tier)s
            WHEN l.id IS NULL THEN NULL
            WHEN w.monetary >= l.vip_cutoff THEN 'vip'
            WHEN w.monetary >= l.key_cutoff THEN 'key'
            WHEN w.monetary >= l.ordinary_cutoff THEN 'ordinary'
            ELSE 'small'
       END AS tier
  FROM win w
  JOIN crm_company c ON c.id = w.company_id
  LEFT JOIN last_run l ON l.company_id = w.company_id
 WHERE w.monetary > 0
),
        """,
        company_ids=as_sql(company_ids),
        profile_id=SQL("w.id,") if from_facts else SQL(),
        threshold_tier=threshold_tier(),
        r_score=score(SQL("w.recency_days"), SQL("<"), "recency", SQL("int")),
        f_score=score(SQL("w.frequency"), SQL(">"), "frequency", SQL("int")),
        m_score=score(SQL("w.monetary"), SQL(">"), "monetary", SQL("numeric")),
    )
