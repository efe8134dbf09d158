"""Benchmark of crm_analytics: the manager dashboard's data RPC.

Run with Odoo's Python on a database loaded by ``bench_lifecycle.py`` (phase
``load``) where crm_analytics is installed and a full recompute has run
(``bench_tiers.py`` leaves it so; ``make bench`` drives both)::

    python tests/bench/bench_dashboard.py -c odoo.conf --db bench_tiers

It times ``crm.analytics.dashboard.get_dashboard_data`` (every tile, as the
browser loads it) against the equivalent raw SQL: one plain statement per
tile computing the same figures, without the ORM (target: at most 2x), and
against Odoo's own Invoice Analysis as its menu opens it: the
``account.invoice.report`` ``read_group`` of customer invoices by month
(target: at most 1/3 of it). Medians of interleaved runs, printed as
``key=value`` lines.
"""

import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from odoo.tools import SQL

sys.path.insert(0, str(Path(__file__).parent))
from bench_lifecycle import database_args, environment, out


def raw_statements(env, date_from, date_to):
    """The dashboard's figures as plain SQL, tile by tile."""
    company = env.company.id
    churn_report = env["crm.churn.report"]._table_query
    trap_report = env["crm.satisfaction.trap.report"]._query()
    return [
        SQL(
            """SELECT value_tier, count(*), sum(rfm_monetary)
                 FROM crm_customer_profile
                WHERE company_id = %s AND value_tier IS NOT NULL
             GROUP BY value_tier""",
            company,
        ),
        SQL(
            """SELECT lifecycle_stage, count(*), sum(revenue_12m)
                 FROM crm_customer_profile
                WHERE company_id = %s AND lifecycle_stage IS NOT NULL
             GROUP BY lifecycle_stage""",
            company,
        ),
        SQL(
            """
            WITH stage_to AS (
                SELECT DISTINCT ON (partner_id) partner_id, lifecycle_stage
                  FROM crm_customer_snapshot_period
                 WHERE company_id = %(company)s AND date_from <= %(date_to)s
              ORDER BY partner_id, date_from DESC
            ),
            stage_from AS (
                SELECT DISTINCT ON (partner_id) partner_id, lifecycle_stage
                  FROM crm_customer_snapshot_period
                 WHERE company_id = %(company)s AND date_from <= %(date_from)s
              ORDER BY partner_id, date_from DESC
            )
            SELECT f.lifecycle_stage, t.lifecycle_stage, count(*)
              FROM stage_to t
              LEFT JOIN stage_from f ON f.partner_id = t.partner_id
          GROUP BY 1, 2
            """,
            company=company,
            date_from=date_from,
            date_to=date_to,
        ),
        SQL(
            """SELECT date_trunc('month', r.month), sum(r.churned), sum(r.won_back),
                      sum(r.active_start)
                 FROM (%s) r
                WHERE r.company_id = %s AND r.month >= %s AND r.month <= %s
             GROUP BY 1""",
            churn_report,
            company,
            date_from.replace(day=1),
            date_to,
        ),
        SQL(
            """SELECT date_trunc('month', end_datetime), avg(crm_nps), avg(crm_csi),
                      count(*)
                 FROM survey_user_input
                WHERE state = 'done' AND crm_company_id = %s
                  AND end_datetime >= %s AND end_datetime < %s
             GROUP BY 1""",
            company,
            date_from,
            date_to + timedelta(days=1),
        ),
        SQL(
            """SELECT pr.id, LEAST(100, round(CASE
                       WHEN pr.avg_purchase_interval > 0
                           THEN 50.0 * (%(today)s - pr.last_purchase_date)
                                / pr.avg_purchase_interval
                       ELSE 100.0 * (%(today)s - pr.last_purchase_date)
                            / c.crm_churn_days END))
                 FROM crm_customer_profile pr
                 JOIN res_company c ON c.id = pr.company_id
                WHERE pr.company_id = %(company)s AND pr.value_tier = 'vip'
                  AND pr.last_purchase_date IS NOT NULL""",
            today=date_to,
            company=company,
        ),
        SQL(
            "SELECT count(*) FROM (%s) t WHERE t.company_id = %s",
            trap_report,
            company,
        ),
    ]


def invoice_analysis(env):
    """The graph of Invoicing's Invoice Analysis menu, as the web client
    reads it: invoiced customer documents by month, untaxed total."""
    return env["account.invoice.report"].read_group(
        [
            ("state", "not in", ("draft", "cancel")),
            ("move_type", "in", ("out_invoice", "out_refund")),
        ],
        ["price_subtotal:sum"],
        ["invoice_date:month"],
        lazy=False,
    )


def main(argv=None):
    args = database_args(__doc__.splitlines()[0], argv)
    with environment(args.db) as env:
        if "crm.analytics.dashboard" not in env:
            sys.exit(f"{args.db} must have crm_analytics installed")
        Dashboard = env["crm.analytics.dashboard"]
        date_to = date.today()
        date_from = date_to - timedelta(days=364)
        statements = raw_statements(env, date_from, date_to)
        rpc, raw, invoices = [], [], []
        Dashboard.get_dashboard_data({})  # warm the caches
        invoice_analysis(env)
        for _i in range(args.repeat):
            env.invalidate_all()
            start = time.perf_counter()
            Dashboard.get_dashboard_data({})
            rpc.append(time.perf_counter() - start)
            env.cr.rollback()
            start = time.perf_counter()
            for statement in statements:
                env.cr.execute(statement)
                env.cr.fetchall()
            raw.append(time.perf_counter() - start)
            env.cr.rollback()
            env.invalidate_all()
            start = time.perf_counter()
            invoice_analysis(env)
            invoices.append(time.perf_counter() - start)
            env.cr.rollback()
        out("db", args.db)
        out("dashboard_rpc_s", statistics.median(rpc))
        out("dashboard_raw_sql_s", statistics.median(raw))
        out("dashboard_ratio", statistics.median(rpc) / statistics.median(raw))
        out("dashboard_invoice_analysis_s", statistics.median(invoices))
        out(
            "dashboard_invoice_ratio",
            statistics.median(rpc) / statistics.median(invoices),
        )


if __name__ == "__main__":
    main()
