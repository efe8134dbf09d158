from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

from odoo.addons.crm_lifecycle.const import LIFECYCLE_STAGES
from odoo.addons.crm_lifecycle.tools import arguments

from ..const import SNAPSHOT_COLUMNS, VALUE_TIERS
from ..tools.ranking_sql import tier_level


class CrmCustomerSnapshotPeriod(models.Model):
    """What a customer's snapshots hold from one full value ranking until the
    ranking where something of it changed: one row per customer and change
    rather than per customer and ranking date. A daily ranking of 100k
    customers then writes the few thousand that moved, not 100k rows.

    The tier history: the snapshot of a customer on a date D is its period
    with ``date_from <= D < date_to`` (``date_to`` empty: still holding),
    which the search field ``snapshot_date`` ("Holding on") selects."""

    _name = "crm.customer.snapshot.period"
    _inherit = ["crm.selection.order.mixin", "crm.rfm.scores.mixin"]
    _description = "Customer Value Snapshot Period"
    _order = "date_from desc, id"
    _rec_name = "partner_id"
    # written only by the ranking statement
    _log_access = False

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, ondelete="cascade"
    )
    date_from = fields.Date(
        string="From",
        required=True,
        readonly=True,
        help="Date of the first full ranking with these values.",
    )
    date_to = fields.Date(
        string="Until",
        readonly=True,
        help="Date of the next full ranking where the values differ (or the "
        "customer was not ranked); empty while they hold.",
    )
    snapshot_date = fields.Date(
        string="Holding on",
        compute="_compute_snapshot_date",
        search="_search_snapshot_date",
        help="Search only: the periods holding on this date, that is every "
        "customer's tier, stage and scores on it.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    lifecycle_stage = fields.Selection(
        LIFECYCLE_STAGES, readonly=True, group_expand=True
    )
    value_tier = fields.Selection(VALUE_TIERS, readonly=True, group_expand=True)
    # several periods of a customer hold the same kind of figure at
    # different times: their sum means nothing, their mean does
    rfm_monetary = fields.Monetary(
        string="Window Value",
        readonly=True,
        aggregator="avg",
        help="Value of the RFM window (by the company's value basis) at the "
        "ranking that started the period. Totals are means per period: filter "
        "on one date (Holding on, or Current) for the mean per customer on that "
        "date.",
    )
    rfm_revenue = fields.Monetary(
        string="Window Revenue",
        readonly=True,
        aggregator="avg",
        help="Net revenue of the RFM window at the ranking that started the "
        "period, whatever the value basis. Totals are means per period, as for "
        "the window value.",
    )
    rfm_recency_score = fields.Integer(
        string="Recency Score", readonly=True, aggregator="avg"
    )
    rfm_frequency_score = fields.Integer(
        string="Frequency Score", readonly=True, aggregator="avg"
    )
    rfm_monetary_score = fields.Integer(
        string="Monetary Score", readonly=True, aggregator="avg"
    )

    _sql_constraints = [
        (
            "customer_date_uniq",
            "unique(company_id, partner_id, date_from)",
            "A customer's snapshot periods start on different dates.",
        ),
        (
            "dates_check",
            "CHECK(date_to IS NULL OR date_to > date_from)",
            "A snapshot period ends after it starts.",
        ),
    ]

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"lifecycle_stage", "value_tier"}

    def init(self):
        # The periods holding on a date: those ending after it (the open ones
        # for the last ranking), read by the ranking and by the tier history.
        self.env.cr.execute(
            SQL(
                """
                CREATE INDEX IF NOT EXISTS crm_customer_snapshot_period_end_index
                    ON crm_customer_snapshot_period
                       (company_id, coalesce(date_to, 'infinity'::date), date_from)
                """
            )
        )

    def _compute_snapshot_date(self):
        self.snapshot_date = False

    def _search_snapshot_date(self, operator, value):
        """The periods holding on the date ``value`` (on any of them, for
        ``in``): started on or before it, not ended by then."""
        values = value if operator == "in" else [value]
        if operator not in ("=", "in") or not isinstance(values, (list, tuple)):
            raise UserError(self.env._("Unsupported search on the holding date."))
        label = self._fields["snapshot_date"]._description_string(self.env)
        return expression.OR(
            [
                [
                    ("date_from", "<=", day),
                    "|",
                    ("date_to", "=", False),
                    ("date_to", ">", day),
                ]
                for day in (arguments.to_date(self.env, item, label) for item in values)
            ]
        )

    @api.model
    def _latest_query(self, date, company_ids, columns, inclusive=True):
        """Rows (company_id, partner_id, ``columns``…): each customer's latest
        snapshot on or before ``date`` (before it if not ``inclusive``) in
        ``company_ids`` (SQL expressions or values): the period of the
        customer that starts last by then."""
        return SQL(
            """
            SELECT DISTINCT ON (p.company_id, p.partner_id)
                   p.company_id, p.partner_id, %(columns)s
              FROM crm_customer_snapshot_period p
             WHERE p.company_id = ANY(%(company_ids)s)
               AND p.date_from %(op)s %(date)s
          ORDER BY p.company_id, p.partner_id, p.date_from DESC
            """,
            columns=SQL(", ").join(SQL.identifier("p", column) for column in columns),
            company_ids=company_ids,
            op=SQL("<=") if inclusive else SQL("<"),
            date=date,
        )

    @api.model
    def _migration_query(self, date_from, date_to, company_ids):
        """Rows (partner_id, company_id, tier_from, tier_to, revenue, value,
        direction): each customer's latest snapshot on or before each date,
        ``'none'`` without one or without a tier; the window revenue and
        value (by the company's value basis) at ``date_to``, in the current
        company's currency at today's rates; direction ``up``, ``down`` or
        ``same`` on the pyramid. Only the customers whose snapshots the
        caller may read (record rules: a salesperson limited to their own
        documents gets their own customers' moves).
        """
        readable = self._search([("company_id", "in", list(company_ids))])
        return SQL(
            """
            WITH tier_to AS (%(tier_to)s),
            tier_from AS (%(tier_from)s),
            pair AS (
                SELECT t.partner_id, t.company_id,
                       coalesce(f.value_tier, 'none') AS tier_from,
                       coalesce(t.value_tier, 'none') AS tier_to,
                       coalesce(t.rfm_revenue, 0) * account_currency_table.rate
                           AS revenue,
                       coalesce(t.rfm_monetary, 0) * account_currency_table.rate
                           AS value
                  FROM tier_to t
                  JOIN %(currency_table)s
                    ON account_currency_table.company_id = t.company_id
                  LEFT JOIN tier_from f
                    ON f.company_id = t.company_id AND f.partner_id = t.partner_id
            )
            SELECT p.partner_id, p.company_id, p.tier_from, p.tier_to, p.revenue,
                   p.value,
                   CASE WHEN %(to_level)s > %(from_level)s THEN 'up'
                        WHEN %(to_level)s < %(from_level)s THEN 'down'
                        ELSE 'same' END AS direction
              FROM pair p
             WHERE (p.company_id, p.partner_id) IN %(readable)s
            """,
            readable=readable.subselect(
                SQL.identifier(readable.table, "company_id"),
                SQL.identifier(readable.table, "partner_id"),
            ),
            tier_to=self._latest_query(
                date_to,
                list(company_ids),
                ["value_tier", "rfm_revenue", "rfm_monetary"],
            ),
            tier_from=self._latest_query(date_from, list(company_ids), ["value_tier"]),
            currency_table=self.env["res.currency"]._get_simple_currency_table(
                self.env["res.company"].browse(company_ids)
            ),
            from_level=tier_level(SQL("p.tier_from")),
            to_level=tier_level(SQL("p.tier_to")),
        )

    @api.model
    @api.readonly
    def migration_matrix(self, date_from, date_to):
        """Tier migration between two dates (date objects or ISO strings, the
        first on or before the second) for the current companies.

        :return: a list of ``{'tier_from', 'tier_to', 'count', 'revenue',
            'value'}``, from the top of the pyramid down, ``'none'`` for no
            tier; ``revenue`` and ``value`` are the window revenue and value
            (by the company's value basis) at ``date_to``, in the current
            company's currency. Plain JSON, for RPC.
        """
        self.check_access("read")
        date_from, date_to = arguments.check_period(self.env, date_from, date_to)
        self.flush_model()
        rows = self.env.execute_query(
            SQL(
                """SELECT m.tier_from, m.tier_to, count(*), sum(m.revenue),
                          sum(m.value)
                     FROM (%s) m
                 GROUP BY m.tier_from, m.tier_to
                 ORDER BY %s DESC, %s DESC""",
                self._migration_query(date_from, date_to, self.env.companies.ids),
                tier_level(SQL("m.tier_from")),
                tier_level(SQL("m.tier_to")),
            )
        )
        currency = self.env.company.currency_id
        return [
            {
                "tier_from": tier_from,
                "tier_to": tier_to,
                "count": count,
                "revenue": currency.round(float(revenue)),
                "value": currency.round(float(value)),
            }
            for tier_from, tier_to, count, revenue, value in rows
        ]

    @api.model
    def _ranking_ctes(self, date, company_ids, since=False):
        """CTEs that make the snapshots of ``date`` those of CTE ``final``
        (every profile of the companies ranked), writing only the customers
        whose values differ from the snapshot period holding on ``date``
        : (``covering``, read before
        ``final``, which joins it; the ones that write, after it). The periods
        are written only through these CTEs, by the ranking's statement
        (``crm.customer.profile._value_statement``).

        Such a period is cut at ``date`` (or, if it starts on ``date``, an
        earlier ranking of the same date, takes the new values or goes); the
        new values hold until the next ranking after ``date``, if any (a
        ranking of a past date), from which the period's old values hold
        again. A daily ranking thus closes and opens one period per customer
        who moved.

        ``since``: ``final`` holds only the customers that may have moved
        (see ``crm.customer.profile._value_statement``), whose periods are
        read one by one."""
        values = SQL(", ").join(SQL.identifier(c) for c in SNAPSHOT_COLUMNS)
        period_values = SQL(", ").join(
            SQL.identifier("s", f"period_{c}") for c in SNAPSHOT_COLUMNS
        )
        new_values = SQL(", ").join(
            SQL.identifier("s", c) for c in SNAPSHOT_COLUMNS.values()
        )
        columns = SQL(", ").join(
            SQL("p.%s AS %s", SQL.identifier(c), SQL.identifier(f"period_{c}"))
            for c in SNAPSHOT_COLUMNS
        )
        source = SQL("final")
        candidates = SQL()
        if since:
            source = SQL("candidate")
            candidates = SQL(
                """
candidate AS (
    SELECT f.*, cv.*
      FROM final f
      LEFT JOIN LATERAL (
            SELECT p.id AS period_id, p.date_from, p.date_to, %(columns)s
              FROM crm_customer_snapshot_period p
             WHERE p.company_id = f.company_id
               AND p.partner_id = f.partner_id
               AND p.date_from <= %(date)s::date
               AND coalesce(p.date_to, 'infinity'::date) > %(date)s::date
          ORDER BY p.date_from DESC
             LIMIT 1) cv ON TRUE
),
                """,
                columns=columns,
                date=date,
            )
        read = SQL(
            """
covering AS (
    SELECT p.id AS period_id, p.partner_id, p.company_id, p.date_from, p.date_to,
           %(columns)s
      FROM crm_customer_snapshot_period p
     WHERE p.company_id = ANY(%(company_ids)s)
       AND coalesce(p.date_to, 'infinity'::date) > %(date)s::date
       AND p.date_from <= %(date)s::date
),
            """,
            date=date,
            company_ids=company_ids,
            columns=columns,
        )
        write = SQL(
            """%(candidates)s
next_ranking AS (
    SELECT c.id AS company_id,
           (SELECT min(r.date) FROM crm_value_ranking r
             WHERE r.company_id = c.id AND r.date > %(date)s::date) AS next_date
      FROM crm_company c
),
snap AS (
    SELECT f.*, f.id IS NOT NULL AS ranked, n.next_date
      FROM %(source)s f
      JOIN next_ranking n ON n.company_id = f.company_id
     WHERE f.id IS NULL
        OR f.period_id IS NULL
        OR ROW(%(period_row)s) IS DISTINCT FROM ROW(%(ranked_row)s)
),
period_cut AS (
    UPDATE crm_customer_snapshot_period p
       SET date_to = %(date)s::date
      FROM snap s
     WHERE p.id = s.period_id AND s.date_from < %(date)s::date
 RETURNING p.id
),
period_replaced AS (
    UPDATE crm_customer_snapshot_period p
       SET %(replaced)s,
           date_to = s.next_date
      FROM snap s
     WHERE p.id = s.period_id AND s.date_from = %(date)s::date AND s.ranked
 RETURNING p.id
),
period_dropped AS (
    DELETE FROM crm_customer_snapshot_period p
     USING snap s
     WHERE p.id = s.period_id AND s.date_from = %(date)s::date AND NOT s.ranked
 RETURNING p.id
),
period_new AS (
    INSERT INTO crm_customer_snapshot_period (
        partner_id, company_id, date_from, date_to, %(values)s)
    SELECT s.partner_id, s.company_id, %(date)s::date, s.next_date, %(new_values)s
      FROM snap s
     WHERE s.ranked AND (s.period_id IS NULL OR s.date_from < %(date)s::date)
     UNION ALL
    -- the old values again from the next ranking on
    SELECT s.partner_id, s.company_id, s.next_date, s.date_to, %(period_values)s
      FROM snap s
     WHERE s.period_id IS NOT NULL
       AND s.next_date < coalesce(s.date_to, 'infinity'::date)
 RETURNING id
),
            """,
            date=date,
            candidates=candidates,
            source=source,
            period_row=SQL(", ").join(
                SQL.identifier("f", f"period_{c}") for c in SNAPSHOT_COLUMNS
            ),
            ranked_row=SQL(", ").join(
                SQL.identifier("f", c) for c in SNAPSHOT_COLUMNS.values()
            ),
            replaced=SQL(", ").join(
                SQL("%s = %s", SQL.identifier(c), SQL.identifier("s", ranked))
                for c, ranked in SNAPSHOT_COLUMNS.items()
            ),
            values=values,
            new_values=new_values,
            period_values=period_values,
        )
        return read, write

    @api.model
    def _end_open_periods(self, profile_ids):
        """End the open periods of the customers of ``profile_ids`` (whose
        profiles go) the day after their company's last ranking."""
        self.flush_model()
        self.env.execute_query(
            SQL(
                """
                UPDATE crm_customer_snapshot_period p
                   SET date_to = r.last_date + 1
                  FROM crm_customer_profile pr,
                       (SELECT company_id, max(date) AS last_date
                          FROM crm_value_ranking GROUP BY company_id) r
                 WHERE pr.id = ANY(%s)
                   AND p.partner_id = pr.partner_id
                   AND p.company_id = pr.company_id
                   AND r.company_id = pr.company_id
                   AND p.date_to IS NULL
                """,
                list(profile_ids),
            )
        )
        self.invalidate_model()

    @api.model
    def _drop_ranking_date(self, company_id, date):
        """The snapshots of the ranking of ``company_id`` on ``date``, which
        goes: the periods starting then start at the company's next ranking
        instead (or go, if they end by then), those ending then end there
        (or hold on, without one)."""
        self.flush_model()
        next_date = SQL(
            """(SELECT min(r.date) FROM crm_value_ranking r
                 WHERE r.company_id = %s AND r.date > %s)""",
            company_id,
            date,
        )
        self.env.execute_query(
            SQL(
                """
                DELETE FROM crm_customer_snapshot_period
                 WHERE company_id = %(company)s AND date_from = %(date)s
                   AND coalesce(%(next)s, 'infinity'::date)
                       >= coalesce(date_to, 'infinity'::date);
                UPDATE crm_customer_snapshot_period
                   SET date_from = %(next)s
                 WHERE company_id = %(company)s AND date_from = %(date)s;
                UPDATE crm_customer_snapshot_period
                   SET date_to = %(next)s
                 WHERE company_id = %(company)s AND date_to = %(date)s
                """,
                company=company_id,
                date=date,
                next=next_date,
            )
        )
        self.invalidate_model()

    @api.model
    def _keep_one_history(self, partner_ids):
        """Partners about to be merged (``partner_ids``, the destination
        first): in each company, only the first of them that has periods
        there keeps them, so that the merged customer's never overlap."""
        self.flush_model()
        self.env.execute_query(
            SQL(
                """
                WITH merged AS (
                    SELECT t.partner_id, t.position
                      FROM unnest(%s::int[]) WITH ORDINALITY AS t(partner_id, position)
                ),
                keeper AS (
                    SELECT DISTINCT ON (p.company_id) p.company_id, p.partner_id
                      FROM crm_customer_snapshot_period p
                      JOIN merged m ON m.partner_id = p.partner_id
                  ORDER BY p.company_id, m.position
                )
                DELETE FROM crm_customer_snapshot_period p
                 USING merged m
                 WHERE p.partner_id = m.partner_id
                   AND NOT EXISTS (
                       SELECT 1 FROM keeper k
                        WHERE k.company_id = p.company_id
                          AND k.partner_id = p.partner_id)
                """,
                list(partner_ids),
            )
        )
        self.invalidate_model()
