from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_lifecycle.models.crm_customer_profile import LIFECYCLE_STAGES

from .crm_customer_profile import VALUE_TIERS, tier_level


class CrmCustomerSnapshot(models.Model):
    """State of a customer at a full value ranking: one row per customer and
    ranking date, the tier history that migration reports read."""

    _name = "crm.customer.snapshot"
    _description = "Customer Value Snapshot"
    _order = "date desc, id"
    _rec_name = "partner_id"
    # Written only by the ranking statement, 100k rows a day for 100k
    # customers: no create/write bookkeeping columns.
    _log_access = False

    date = fields.Date(required=True, readonly=True, index=True)
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
    currency_id = fields.Many2one(related="company_id.currency_id")
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGES, readonly=True)
    value_tier = fields.Selection(VALUE_TIERS, readonly=True)
    rfm_monetary = fields.Monetary(string="Window Revenue", readonly=True)
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
        # "Latest snapshot of each customer on or before a date" reads this
        # index backwards; it also serves the ranking's replacement of a date.
        self.env.cr.execute(
            SQL(
                """
                CREATE INDEX IF NOT EXISTS crm_customer_snapshot_partner_date_index
                    ON crm_customer_snapshot (company_id, partner_id, date DESC)
                """
            )
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
            WITH customer AS (
                SELECT DISTINCT company_id, partner_id
                  FROM crm_customer_snapshot
                 WHERE company_id = ANY(%(company_ids)s) AND date <= %(date_to)s
            ),
            pair AS (
                SELECT c.partner_id, c.company_id,
                       coalesce(f.value_tier, 'none') AS tier_from,
                       coalesce(t.value_tier, 'none') AS tier_to,
                       coalesce(t.rfm_monetary, 0) AS revenue
                  FROM customer c
                  LEFT JOIN LATERAL (
                        SELECT s.value_tier FROM crm_customer_snapshot s
                         WHERE s.company_id = c.company_id
                           AND s.partner_id = c.partner_id
                           AND s.date <= %(date_from)s
                      ORDER BY s.date DESC LIMIT 1) f ON TRUE
                  LEFT JOIN LATERAL (
                        SELECT s.value_tier, s.rfm_monetary
                          FROM crm_customer_snapshot s
                         WHERE s.company_id = c.company_id
                           AND s.partner_id = c.partner_id
                           AND s.date <= %(date_to)s
                      ORDER BY s.date DESC LIMIT 1) t ON TRUE
            )
            SELECT p.partner_id, p.company_id, p.tier_from, p.tier_to, p.revenue,
                   CASE WHEN %(to_level)s > %(from_level)s THEN 'up'
                        WHEN %(to_level)s < %(from_level)s THEN 'down'
                        ELSE 'same' END AS direction
              FROM pair p
            """,
            company_ids=list(company_ids),
            date_from=date_from,
            date_to=date_to,
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
        self.flush_model()
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
