"""Benchmark of crm_analytics: the full value-tier ranking.

Run with Odoo's Python on a database loaded by ``bench_lifecycle.py`` (phase
``load``) where crm_analytics is installed (``make bench`` drives it)::

    python tests/bench/bench_tiers.py -c odoo.conf --db bench_tiers

It brings every customer to the state of the daily cron (everyone computed
and ranked yesterday), then times, interleaved, the full tier recompute of
the next day (``recompute(date)``: the lifecycle's evaluation of every
customer, then the ranking: window figures, RFM scores, tiers, cut-offs and
the snapshots of the day, only moved profiles and snapshot periods written)
against a bare SQL ranking of the same rows (the window GROUP BY over the
documents and the same window functions, written nowhere). Figures are
printed as ``key=value`` lines.
"""

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from odoo import fields
from odoo.tools import SQL, config

sys.path.insert(0, str(Path(__file__).parent))
from bench_lifecycle import (
    WORK_MEM,
    environment,
    out,
    source_rows,
    vacuum,
)

TABLES = [
    "crm_customer_profile",
    "crm_customer_snapshot_period",
    "crm_lifecycle_history",
    "res_partner",
]


def bare_ranking(env, ref_date):
    """F, M and R per customer over the RFM window, then the three ranks,
    the position and the customer count per company, counted."""
    company = env.company
    return SQL(
        """
        SELECT count(a) FROM (
            SELECT w.*,
                   count(*) OVER (PARTITION BY w.company_id) AS n,
                   rank() OVER (PARTITION BY w.company_id
                                ORDER BY w.recency_days DESC) AS k_r,
                   rank() OVER (PARTITION BY w.company_id
                                ORDER BY w.frequency) AS k_f,
                   rank() OVER (PARTITION BY w.company_id
                                ORDER BY w.monetary) AS k_m,
                   row_number() OVER (PARTITION BY w.company_id
                                      ORDER BY w.monetary DESC, w.partner_id)
                       AS position
              FROM (
                SELECT o.partner_id, o.company_id,
                       count(*) FILTER (WHERE o.is_purchase) AS frequency,
                       sum(o.amount) AS monetary,
                       %(date)s::date - max(o.date) FILTER (WHERE o.is_purchase)
                           AS recency_days
                  FROM (%(rows)s) o
                 WHERE o.date > %(date)s::date - %(window)s
              GROUP BY o.partner_id, o.company_id
              ) w
             WHERE w.monetary > 0
        ) a
        """,
        date=ref_date,
        rows=source_rows(company.ids, ref_date),
        window=company.crm_rfm_window_days,
    )


def time_bare(env, ref_date):
    cr = env.cr
    cr.rollback()
    start = time.perf_counter()
    cr.execute(SQL("SET LOCAL work_mem = %s", WORK_MEM))
    cr.execute(SQL("SET LOCAL max_parallel_workers_per_gather = 0"))
    cr.execute(bare_ranking(env, ref_date))
    [(count,)] = cr.fetchall()
    elapsed = time.perf_counter() - start
    cr.rollback()
    return elapsed, count


def time_ranking(env, ref_date):
    """One full tier recompute, rolled back; return (seconds, seconds of its
    ranking step, profiles written, snapshots of the day, snapshot periods
    written)."""
    cr = env.cr
    cr.rollback()
    env.invalidate_all()
    Profile = type(env["crm.customer.profile"])
    rank_values = Profile._rank_values
    step = []

    def timed_rank_values(self, *args, **kwargs):
        begin = time.perf_counter()
        result = rank_values(self, *args, **kwargs)
        step.append(time.perf_counter() - begin)
        return result

    Profile._rank_values = timed_rank_values
    try:
        start = time.perf_counter()
        env["crm.customer.profile"].recompute(ref_date)
        env.flush_all()
        elapsed = time.perf_counter() - start
    finally:
        Profile._rank_values = rank_values
    [(moved, snapshots, periods)] = env.execute_query(
        SQL(
            """
            SELECT (SELECT count(*) FROM crm_customer_profile
                     WHERE write_date = now() AT TIME ZONE 'UTC'),
                   (SELECT count(*) FROM crm_customer_snapshot WHERE date = %s),
                   (SELECT count(*) FROM crm_customer_snapshot_period
                     WHERE date_from = %s OR date_to = %s)
            """,
            ref_date,
            ref_date,
            ref_date,
        )
    )
    cr.rollback()
    vacuum(cr.dbname, TABLES, analyze=False)
    return elapsed, sum(step), moved, snapshots, periods


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", "-c", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--date", help="reference date (default today)")
    parser.add_argument("--log-level", default="warn")
    args = parser.parse_args(argv)
    config.parse_config(
        ["-c", args.config, "-d", args.db, f"--log-level={args.log_level}"]
    )
    today = fields.Date.to_date(args.date) if args.date else date.today()
    tomorrow = today + timedelta(days=1)
    with environment(args.db) as env:
        if "value_tier" not in env["crm.customer.profile"]._fields:
            sys.exit(f"{args.db} must have crm_analytics installed")
        out("db", args.db)
        start = time.perf_counter()
        env["crm.customer.profile"].recompute(today)
        env.cr.commit()  # pylint: disable=invalid-commit
        out("tiers_first_full_recompute_s", time.perf_counter() - start)
        vacuum(args.db, TABLES)
        time_bare(env, tomorrow)  # warm the caches
        bare, runs, steps = [], [], []
        moved = snapshots = periods = customers = 0
        for _i in range(args.repeat):
            elapsed, customers = time_bare(env, tomorrow)
            bare.append(elapsed)
            elapsed, step, moved, snapshots, periods = time_ranking(env, tomorrow)
            runs.append(elapsed)
            steps.append(step)
        out("tiers_ranked_customers", customers)
        out("tiers_profiles_written", moved)
        out("tiers_snapshots", snapshots)
        out("tiers_snapshot_periods_written", periods)
        out("tiers_bare_ranking_s", statistics.median(bare))
        out("tiers_ranking_s", statistics.median(runs))
        out("tiers_ratio", statistics.median(runs) / statistics.median(bare))
        # the ranking step alone (the lifecycle's evaluation runs without
        # crm_analytics too)
        out("tiers_ranking_step_s", statistics.median(steps))
        out("tiers_step_ratio", statistics.median(steps) / statistics.median(bare))


if __name__ == "__main__":
    main()
