from odoo import api, fields, models
from odoo.tools import SQL

from ..const import SCORES, VALUE_BASES


class CrmValueRanking(models.Model):
    """One full value ranking of a company's customers on a date: how many
    customers were ranked, and the cut-offs that place a customer between two
    full rankings (after an invoice is posted)."""

    _name = "crm.value.ranking"
    _description = "Customer Value Ranking"
    _order = "date desc, id desc"
    _rec_name = "date"

    date = fields.Date(required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    value_basis = fields.Selection(VALUE_BASES, readonly=True)
    tier_mode = fields.Selection(
        [("share", "Share of customers"), ("thresholds", "Value thresholds")],
        readonly=True,
    )
    customer_count = fields.Integer(
        string="Ranked Customers",
        readonly=True,
        help="Customers with a positive window value.",
    )
    revenue_total = fields.Monetary(
        string="Window Revenue",
        readonly=True,
        help="Window revenue of the ranked customers.",
    )
    value_total = fields.Monetary(
        string="Window Value",
        readonly=True,
        help="Window value of the ranked customers, by the value basis.",
    )
    value_rate = fields.Float(
        string="Value per Revenue",
        readonly=True,
        digits=(16, 4),
        help="Gross margin or contribution basis: the window value of the "
        "customers with a positive window revenue over that revenue. The "
        "potential big customers' potential revenue is converted at this rate.",
    )
    crm_cost_rates = fields.Json(
        string="CRM Costs per Revenue",
        readonly=True,
        help="Contribution basis: per month of the window, its CRM costs over "
        "the positive revenue of its customers. A customer placed between two "
        "rankings bears its month's revenue times that rate.",
    )
    vip_cutoff = fields.Monetary(
        string="VIP From",
        readonly=True,
        help="Smallest window value of a VIP customer in this ranking.",
    )
    key_cutoff = fields.Monetary(string="Key From", readonly=True)
    ordinary_cutoff = fields.Monetary(string="Ordinary From", readonly=True)
    score_cutoffs = fields.Json(
        readonly=True,
        help="Per measure (recency, frequency, monetary), for the scores 2 to 5: "
        "the best value among the customers scored lower (days since the last "
        "purchase: the fewest). A customer placed between two rankings gets "
        "score s when it does strictly better than that value.",
    )

    _sql_constraints = [
        (
            "company_date_uniq",
            "unique(company_id, date)",
            "A company has one value ranking per date.",
        ),
    ]

    def unlink(self):
        # The snapshots of a ranking's date go with it, so that "the latest
        # snapshot on or before a date" reads rankings that exist. Latest
        # first: a date's next ranking is one that stays.
        Period = self.env["crm.customer.snapshot.period"]
        for ranking in self.sorted(lambda r: (r.date, r.id), reverse=True):
            Period._drop_ranking_date(ranking.company_id.id, ranking.date)
            super(CrmValueRanking, ranking).unlink()
        return True

    @api.model
    def _ranking_cte(self, date, by_value=False):
        """CTE ``run``: the ranking of ``date`` of each company of CTE
        ``crm_company``, its counts and cut-offs from CTE ``valued`` (see
        ``crm.customer.profile._value_statement``), replacing one of that
        date. ``by_value``: some company values customers by margin or
        contribution (the statement has CTE ``win_month_rate``, see
        ``tools.ranking_sql.serve_ctes``)."""
        return SQL(
            """
run AS (
INSERT INTO crm_value_ranking (
    company_id, date, value_basis, tier_mode, customer_count, revenue_total,
    value_total, value_rate, crm_cost_rates, vip_cutoff, key_cutoff, ordinary_cutoff,
    score_cutoffs, create_uid, create_date, write_uid, write_date)
SELECT c.id, %(date)s::date, c.basis, c.tier_mode, coalesce(a.customers, 0),
       coalesce(a.revenue, 0), coalesce(a.value, 0), %(value_rate)s,
       %(cost_rates)s,
       a.vip_cutoff, a.key_cutoff, a.ordinary_cutoff,
       coalesce(a.score_cutoffs, %(no_cutoffs)s),
       %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
  FROM crm_company c
  LEFT JOIN (
    SELECT v.company_id,
           count(*) AS customers,
           sum(v.revenue) AS revenue,
           sum(v.monetary) AS value,
           min(v.monetary) FILTER (WHERE v.tier = 'vip') AS vip_cutoff,
           min(v.monetary) FILTER (WHERE v.tier = 'key') AS key_cutoff,
           min(v.monetary) FILTER (WHERE v.tier = 'ordinary') AS ordinary_cutoff,
           jsonb_build_object(
               'recency', jsonb_build_array(%(recency)s),
               'frequency', jsonb_build_array(%(frequency)s),
               'monetary', jsonb_build_array(%(monetary)s)) AS score_cutoffs
      FROM valued v
  GROUP BY v.company_id
  ) a ON a.company_id = c.id
    ON CONFLICT (company_id, date) DO UPDATE
   SET value_basis = EXCLUDED.value_basis,
       tier_mode = EXCLUDED.tier_mode,
       customer_count = EXCLUDED.customer_count,
       revenue_total = EXCLUDED.revenue_total,
       value_total = EXCLUDED.value_total,
       value_rate = EXCLUDED.value_rate,
       crm_cost_rates = EXCLUDED.crm_cost_rates,
       vip_cutoff = EXCLUDED.vip_cutoff,
       key_cutoff = EXCLUDED.key_cutoff,
       ordinary_cutoff = EXCLUDED.ordinary_cutoff,
       score_cutoffs = EXCLUDED.score_cutoffs,
       write_uid = EXCLUDED.write_uid,
       write_date = EXCLUDED.write_date
RETURNING id
),
            """,
            date=date,
            uid=self.env.uid,
            value_rate=SQL(
                """CASE WHEN c.basis != 'revenue' THEN (
                       SELECT sum(w.monetary) / NULLIF(sum(w.revenue), 0)
                         FROM win w
                        WHERE w.company_id = c.id AND w.revenue > 0) END"""
            )
            if by_value
            else SQL("NULL::float8"),
            cost_rates=SQL(
                """(SELECT jsonb_object_agg(to_char(k.month, 'YYYY-MM-DD'), k.rate)
                      FROM win_month_rate k WHERE k.company_id = c.id)"""
            )
            if by_value
            else SQL("NULL::jsonb"),
            recency=SQL(", ").join(
                SQL("min(v.recency_days) FILTER (WHERE v.r_score < %s)", s)
                for s in SCORES
            ),
            # a company without customers: the arrays of no cut-off
            no_cutoffs=SQL(
                "jsonb_build_object('recency', %(none)s, 'frequency', %(none)s, "
                "'monetary', %(none)s)",
                none=SQL(
                    "jsonb_build_array(%s)",
                    SQL(", ").join(SQL("NULL") for _s in SCORES),
                ),
            ),
            frequency=SQL(", ").join(
                SQL("max(v.frequency) FILTER (WHERE v.f_score < %s)", s) for s in SCORES
            ),
            monetary=SQL(", ").join(
                SQL("max(v.monetary) FILTER (WHERE v.m_score < %s)", s) for s in SCORES
            ),
        )
