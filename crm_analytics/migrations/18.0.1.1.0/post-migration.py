from odoo.tools import SQL


def migrate(cr, version):
    """Turn the old snapshot rows (one per customer and ranking date) into
    snapshot periods: consecutive rankings of a customer with the same
    values make one period, which ends at the next ranking where they
    differ or where the customer has no row."""
    if not version:
        return
    cr.execute(
        SQL(
            """SELECT 1 FROM pg_class
                WHERE relname = 'crm_customer_snapshot_legacy' AND relkind = 'r'"""
        )
    )
    if not cr.fetchone():
        return
    cr.execute(
        SQL(
            """
            WITH snap AS (
                -- one row per customer and date (a partner merge may have
                -- moved another partner's rows onto the customer): the last
                SELECT DISTINCT ON (s.company_id, s.partner_id, s.date)
                       s.company_id, s.partner_id, s.date,
                       (s.lifecycle_stage, s.value_tier, s.rfm_monetary,
                        s.rfm_recency_score, s.rfm_frequency_score,
                        s.rfm_monetary_score)::text AS snap_values,
                       s.lifecycle_stage, s.value_tier, s.rfm_monetary,
                       s.rfm_recency_score, s.rfm_frequency_score,
                       s.rfm_monetary_score,
                       (SELECT min(r.date) FROM crm_value_ranking r
                         WHERE r.company_id = s.company_id
                           AND r.date > s.date) AS next_date
                  FROM crm_customer_snapshot_legacy s
              ORDER BY s.company_id, s.partner_id, s.date, s.id DESC
            ),
            marked AS (
                SELECT s.*,
                       CASE WHEN lag(s.next_date) OVER w = s.date
                             AND lag(s.snap_values) OVER w = s.snap_values
                            THEN 0 ELSE 1 END AS starts
                  FROM snap s
                WINDOW w AS (PARTITION BY s.company_id, s.partner_id ORDER BY s.date)
            ),
            grouped AS (
                SELECT m.*,
                       sum(m.starts) OVER (PARTITION BY m.company_id, m.partner_id
                                           ORDER BY m.date) AS run
                  FROM marked m
            )
            INSERT INTO crm_customer_snapshot_period (
                partner_id, company_id, date_from, date_to, lifecycle_stage,
                value_tier, rfm_monetary, rfm_recency_score, rfm_frequency_score,
                rfm_monetary_score)
            SELECT g.partner_id, g.company_id, min(g.date),
                   (array_agg(g.next_date ORDER BY g.date DESC))[1],
                   min(g.lifecycle_stage), min(g.value_tier), min(g.rfm_monetary),
                   min(g.rfm_recency_score), min(g.rfm_frequency_score),
                   min(g.rfm_monetary_score)
              FROM grouped g
          GROUP BY g.company_id, g.partner_id, g.run
            """
        )
    )
    cr.execute(SQL("DROP TABLE crm_customer_snapshot_legacy"))
