from odoo import api, fields, models, tools
from odoo.tools import SQL

from odoo.addons.crm_lifecycle.const import LIFECYCLE_STAGES

from .crm_customer_profile import SNAPSHOT_COLUMNS, VALUE_TIERS, tier_level

# A snapshot's id: its period's id times this, plus the days from DAY_ZERO to
# its date (ranking dates from 1900 to the year 4637; period ids up to 2^31
# keep it below 2^53, exact in JavaScript).
ID_FACTOR = 1000000
DAY_ZERO = "1900-01-01"


class CrmCustomerSnapshotPeriod(models.Model):
    """What a customer's snapshots hold from one full value ranking until the
    ranking where something of it changed: one row per customer and change
    rather than per customer and ranking date. A daily ranking of 100k
    customers then writes the few thousand that moved, not 100k rows."""

    _name = "crm.customer.snapshot.period"
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
        required=True,
        readonly=True,
        help="Date of the first full ranking with these values.",
    )
    date_to = fields.Date(
        readonly=True,
        help="Date of the next full ranking where the values differ (or the "
        "customer was not ranked); empty while they hold.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGES, readonly=True)
    value_tier = fields.Selection(VALUE_TIERS, readonly=True)
    rfm_monetary = fields.Monetary(string="Window Revenue", readonly=True)
    rfm_recency_score = fields.Integer(string="Recency Score", readonly=True)
    rfm_frequency_score = fields.Integer(string="Frequency Score", readonly=True)
    rfm_monetary_score = fields.Integer(string="Monetary Score", readonly=True)

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

    def init(self):
        # The periods holding on a date: those ending after it (the open ones
        # for the last ranking), read by the ranking and by the snapshots.
        self.env.cr.execute(
            SQL(
                """
                CREATE INDEX IF NOT EXISTS crm_customer_snapshot_period_end_index
                    ON crm_customer_snapshot_period
                       (company_id, coalesce(date_to, 'infinity'::date), date_from)
                """
            )
        )


class CrmCustomerSnapshot(models.Model):
    """State of a customer at a full value ranking: one row per customer and
    ranking date, the tier history that migration reports read.

    A view: each ranking date (``crm.value.ranking``) with the periods of
    ``crm.customer.snapshot.period`` that hold on it. Readers that want "the
    latest snapshot of each customer on or before a date" read the periods
    directly: it is the customer's period that starts last on or before it."""

    _name = "crm.customer.snapshot"
    _description = "Customer Value Snapshot"
    _auto = False
    _order = "date desc, id"
    _rec_name = "partner_id"
    _depends = {
        "crm.customer.snapshot.period": [
            "partner_id",
            "company_id",
            "date_from",
            "date_to",
            *SNAPSHOT_COLUMNS,
        ],
        "crm.value.ranking": ["company_id", "date"],
    }

    date = fields.Date(readonly=True)
    period_id = fields.Many2one("crm.customer.snapshot.period", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGES, readonly=True)
    value_tier = fields.Selection(VALUE_TIERS, readonly=True)
    # snapshots of several dates add up the same revenue again: the mean
    # per customer snapshot is the measure that means something
    rfm_monetary = fields.Monetary(
        string="Window Revenue", readonly=True, aggregator="avg"
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

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW %(table)s AS (
                    SELECT p.id::bigint * %(factor)s + (r.date - %(zero)s::date) AS id,
                           r.date,
                           p.id AS period_id,
                           p.partner_id,
                           p.company_id,
                           %(values)s
                      FROM crm_value_ranking r
                      JOIN crm_customer_snapshot_period p
                        ON p.company_id = r.company_id
                       AND coalesce(p.date_to, 'infinity'::date) > r.date
                       AND p.date_from <= r.date
                )
                """,
                table=SQL.identifier(self._table),
                factor=ID_FACTOR,
                zero=DAY_ZERO,
                values=SQL(", ").join(
                    SQL.identifier("p", column) for column in SNAPSHOT_COLUMNS
                ),
            )
        )

    @api.model
    def _id_condition(self, alias, ids):
        """SQL: the periods and dates of the snapshots ``ids``, which
        PostgreSQL finds through indexes, where it cannot invert the id's
        formula (it would build every snapshot to find a few)."""
        day_zero = fields.Date.to_date(DAY_ZERO)
        return SQL(
            "%s = ANY(%s) AND %s = ANY(%s)",
            SQL.identifier(alias, "period_id"),
            sorted({record_id // ID_FACTOR for record_id in ids}),
            SQL.identifier(alias, "date"),
            sorted(
                {
                    fields.Date.add(day_zero, days=record_id % ID_FACTOR)
                    for record_id in ids
                }
            ),
        )

    def _condition_to_sql(self, alias, fname, operator, value, query):
        # snapshots read by id (fetch(), a form): see _id_condition
        sql = super()._condition_to_sql(alias, fname, operator, value, query)
        if fname == "id" and operator in ("=", "in"):
            values = value if isinstance(value, (list, tuple, set)) else [value]
            ids = [v for v in values if isinstance(v, int) and v > 0]
            if ids and len(ids) == len(values):
                sql = SQL("(%s AND %s)", sql, self._id_condition(alias, ids))
        return sql

    def _as_query(self, ordered=True):
        query = super()._as_query(ordered)
        ids = [record_id for record_id in self._ids if isinstance(record_id, int)]
        if ids:
            query.add_where(self._id_condition(self._table, ids))
        return query

    def exists(self):
        ids = [record_id for record_id in self._ids if isinstance(record_id, int)]
        if not ids:
            return super().exists()
        # whichever record rules apply: exists() checks existence only
        found = set(
            self.sudo().with_context(active_test=False)._search([("id", "in", ids)])
        )
        return self.browse(
            record_id
            for record_id in self._ids
            if not isinstance(record_id, int) or record_id in found
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
        """Rows (partner_id, company_id, tier_from, tier_to, revenue,
        direction): each customer's latest snapshot on or before each date,
        ``'none'`` without one or without a tier, the revenue of the window
        at ``date_to``; direction ``up``, ``down`` or ``same`` on the pyramid.
        """
        return SQL(
            """
            WITH tier_to AS (%(tier_to)s),
            tier_from AS (%(tier_from)s),
            pair AS (
                SELECT t.partner_id, t.company_id,
                       coalesce(f.value_tier, 'none') AS tier_from,
                       coalesce(t.value_tier, 'none') AS tier_to,
                       coalesce(t.rfm_monetary, 0) AS revenue
                  FROM tier_to t
                  LEFT JOIN tier_from f
                    ON f.company_id = t.company_id AND f.partner_id = t.partner_id
            )
            SELECT p.partner_id, p.company_id, p.tier_from, p.tier_to, p.revenue,
                   CASE WHEN %(to_level)s > %(from_level)s THEN 'up'
                        WHEN %(to_level)s < %(from_level)s THEN 'down'
                        ELSE 'same' END AS direction
              FROM pair p
            """,
            tier_to=self._latest_query(
                date_to, list(company_ids), ["value_tier", "rfm_monetary"]
            ),
            tier_from=self._latest_query(date_from, list(company_ids), ["value_tier"]),
            from_level=tier_level(SQL("p.tier_from")),
            to_level=tier_level(SQL("p.tier_to")),
        )

    @api.model
    def migration_matrix(self, date_from, date_to):
        """Tier migration between two dates for the current companies.

        :return: ``{(tier_from, tier_to): {'count': int, 'revenue': float}}``
            with ``'none'`` for no tier; revenue is the window revenue at
            ``date_to``.
        """
        self.check_access("read")
        date_from = fields.Date.to_date(date_from)
        date_to = fields.Date.to_date(date_to)
        self.env["crm.customer.snapshot.period"].flush_model()
        rows = self.env.execute_query(
            SQL(
                """SELECT m.tier_from, m.tier_to, count(*), sum(m.revenue)
                     FROM (%s) m
                 GROUP BY m.tier_from, m.tier_to""",
                self._migration_query(date_from, date_to, self.env.companies.ids),
            )
        )
        return {
            (tier_from, tier_to): {"count": count, "revenue": float(revenue)}
            for tier_from, tier_to, count, revenue in rows
        }
