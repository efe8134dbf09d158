"""Benchmark of crm_analytics: the full value-tier ranking.

Run with Odoo's Python on a database loaded by ``bench_lifecycle.py`` (phase
``load``) where crm_analytics is installed (``make bench`` drives it)::

    python tests/bench/bench_tiers.py -c odoo.conf --db bench_tiers

It brings the database to the state of a daily run: a first recompute (its
writes dated a month back), yesterday's daily run, then times,
interleaved with a bare SQL ranking of the same rows (the window GROUP BY
over the documents and the same window functions, written nowhere), today's
full tier recompute:

- the tiers' daily cron (``_cron_rank_values``) after the lifecycle's daily
  cron evaluated the day's customers (``tiers_ranking_s``, the figure
  against the target): it recomputes the company, finds its customers
  evaluated, and ranks everyone (window figures, RFM scores, tiers,
  cut-offs, the day's snapshots, only moved profiles and snapshot periods
  written);
- ``recompute(today)`` without the lifecycle's cron before it, which then
  also evaluates the day's customers and reads every profile back
  (``tiers_with_evaluation_s``), and its ranking step alone
  (``tiers_ranking_step_s``).

Figures are printed as ``key=value`` lines.
"""

import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from odoo.tools import SQL

sys.path.insert(0, str(Path(__file__).parent))
from bench_lifecycle import (
    WORK_MEM,
    database_args,
    environment,
    out,
    peak_rss_mib,
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


def age_run(env, days):
    """Date back by ``days`` what this transaction's recompute stamped with
    its start (profiles, history, rankings, the companies' evaluation), as
    if it had run then: the next run's "written since" checks compare with
    those stamps."""
    env.flush_all()
    interval = SQL("make_interval(days => %s)", days)
    for table in ("crm_customer_profile", "crm_lifecycle_history", "crm_value_ranking"):
        env.execute_query(
            SQL(
                """UPDATE %(table)s
                      SET write_date = write_date - %(interval)s,
                          create_date = CASE
                              WHEN create_date = now() AT TIME ZONE 'UTC'
                              THEN create_date - %(interval)s
                              ELSE create_date END
                    WHERE write_date = now() AT TIME ZONE 'UTC'""",
                table=SQL.identifier(table),
                interval=interval,
            )
        )
    env.invalidate_all()


def lifecycle_cron(env):
    """The lifecycle's daily cron, every slice (as the cron framework would
    call it), for today."""
    Profile = env["crm.customer.profile"]
    while Profile._cron_recompute():
        pass


def time_ranking(env, ref_date, after_cron):
    """One full tier recompute of ``ref_date`` (today), rolled back: the
    tiers' cron after the lifecycle's cron evaluated the day
    (``after_cron``), or ``recompute(ref_date)`` including that evaluation.
    Returns (seconds, seconds of its ranking step, profiles written,
    snapshots of the day (the periods holding on it), snapshot periods
    written)."""
    cr = env.cr
    cr.rollback()
    env.invalidate_all()
    if after_cron:
        lifecycle_cron(env)
        env.flush_all()
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
        if after_cron:
            # the tiers' cron: one call per company
            env["crm.customer.profile"]._cron_rank_values()
        else:
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
                   (SELECT count(*) FROM crm_customer_snapshot_period
                     WHERE date_from <= %s
                       AND coalesce(date_to, 'infinity'::date) > %s),
                   (SELECT count(*) FROM crm_customer_snapshot_period
                     WHERE date_from = %s OR date_to = %s)
            """,
            ref_date,
            ref_date,
            ref_date,
            ref_date,
        )
    )
    cr.rollback()
    vacuum(cr.dbname, TABLES, analyze=False)
    return elapsed, sum(step), moved, snapshots, periods


def prepare(env, today):
    """A first recompute (its writes dated a month back), then yesterday's
    daily run, committed; no ranking or lifecycle cron run left from an
    earlier run of this script."""
    Profile = env["crm.customer.profile"]
    env.execute_query(SQL("DELETE FROM crm_customer_snapshot_period"))
    env.execute_query(SQL("DELETE FROM crm_value_ranking"))
    start = time.perf_counter()
    Profile.recompute(today - timedelta(days=2))
    out("tiers_first_full_recompute_s", time.perf_counter() - start)
    age_run(env, 30)
    env.cr.commit()  # pylint: disable=invalid-commit
    Profile.recompute(today - timedelta(days=1))
    age_run(env, 1)
    env.cr.commit()  # pylint: disable=invalid-commit


def daily_run(env):
    """Today's daily run, committed: the database as the benchmarks run on
    it next (posting, the dashboard) find it."""
    env.cr.rollback()
    lifecycle_cron(env)
    while env["crm.customer.profile"]._cron_rank_values():
        pass
    env.cr.commit()  # pylint: disable=invalid-commit


def main(argv=None):
    args = database_args(__doc__.splitlines()[0], argv)
    today = date.today()
    with environment(args.db) as env:
        if "value_tier" not in env["crm.customer.profile"]._fields:
            sys.exit(f"{args.db} must have crm_analytics installed")
        out("db", args.db)
        prepare(env, today)
        vacuum(args.db, TABLES)
        time_bare(env, today)  # warm the caches
        bare, runs, alone, steps = [], [], [], []
        moved = snapshots = periods = customers = 0
        for _i in range(args.repeat):
            elapsed, customers = time_bare(env, today)
            bare.append(elapsed)
            elapsed, _step, moved, snapshots, periods = time_ranking(
                env, today, after_cron=True
            )
            runs.append(elapsed)
            elapsed, step, _moved, _snapshots, _periods = time_ranking(
                env, today, after_cron=False
            )
            alone.append(elapsed)
            steps.append(step)
        bare_s = statistics.median(bare)
        out("tiers_ranked_customers", customers)
        out("tiers_profiles_written", moved)
        out("tiers_snapshots", snapshots)
        out("tiers_snapshot_periods_written", periods)
        out("tiers_bare_ranking_s", bare_s)
        # the tiers' cron, after the lifecycle's cron evaluated the day
        out("tiers_ranking_s", statistics.median(runs))
        out("tiers_ratio", statistics.median(runs) / bare_s)
        # recompute(today), which then also evaluates the day's customers
        out("tiers_with_evaluation_s", statistics.median(alone))
        out("tiers_with_evaluation_ratio", statistics.median(alone) / bare_s)
        # its ranking step alone
        out("tiers_ranking_step_s", statistics.median(steps))
        out("tiers_step_ratio", statistics.median(steps) / bare_s)
        daily_run(env)
        out("tiers_peak_rss_mib", peak_rss_mib())


if __name__ == "__main__":
    main()
