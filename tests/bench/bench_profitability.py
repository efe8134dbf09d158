"""Benchmark of crm_analytics: the profitability figures of every customer.

Run with Odoo's Python on a database loaded by ``bench_lifecycle.py`` (phase
``load``) where crm_analytics is installed (``bench_tiers.py`` leaves it so;
``make bench`` drives both)::

    python tests/bench/bench_profitability.py -c odoo.conf --db bench_tiers

It times the Customer Profitability report as its pivot reads it, every
customer over the last 12 months (the current month and the 11 before, the
whale curve's): the ``crm.customer.profitability.report`` ``read_group``
grouped by customer, revenue, cost of goods sold, gross margin, cost to
serve and contribution, against a bare SQL GROUP BY over the same invoice
lines: per customer (commercial partner), the sum of −balance of the
product lines of the posted customer invoices and credit notes of those
months (target: at most 2x). Medians of interleaved runs, printed as
``key=value`` lines; ``profitability_read_group_s`` is the report's
``_read_group`` alone (no customer names). Both must find the same
customers with the same revenue, else the script exits with status 1.

The cost to serve needs the company's CRM costs: the script first records
one CRM cost entry a month over the three years of history (committed, once),
which the report shares among each month's customers by revenue.
"""

import statistics
import sys
import time
from datetime import date
from pathlib import Path

from dateutil.relativedelta import relativedelta

from odoo.tools import SQL

sys.path.insert(0, str(Path(__file__).parent))
from bench_lifecycle import HISTORY_DAYS, database_args, environment, out

REPORT = "crm.customer.profitability.report"
MONTHS = 12
MEASURES = ("revenue", "cogs", "gross_margin", "cost_to_serve", "contribution")
# revenue per customer and in total may differ by rounding only
TOLERANCE = 0.01
COST_NAME = "Bench CRM costs"
MONTHLY_COST = 50000.0


def window(today):
    """The first day of the first month and the last day of the window."""
    return today.replace(day=1) - relativedelta(months=MONTHS - 1), today


def record_costs(env, today):
    """One CRM cost entry a month over the history, committed, unless
    recorded by an earlier run. Returns the number of entries."""
    Entry = env["crm.cost.entry"]
    entries = Entry.search_count([("name", "=", COST_NAME)])
    if not entries:
        month = (today - relativedelta(days=HISTORY_DAYS)).replace(day=1)
        values = []
        while month <= today:
            values.append({"name": COST_NAME, "date": month, "amount": MONTHLY_COST})
            month += relativedelta(months=1)
        entries = len(Entry.create(values))
        env.cr.commit()  # pylint: disable=invalid-commit
    return entries


def report_domain(date_from, date_to):
    return [("month", ">=", date_from), ("month", "<=", date_to.replace(day=1))]


def pivot(env, date_from, date_to):
    """The pivot's rows, as the web client reads them: ``read_group`` by
    customer (with the customers' names), lazy=False. Returns {partner id:
    revenue}."""
    groups = env[REPORT].read_group(
        report_domain(date_from, date_to),
        [f"{measure}:sum" for measure in MEASURES],
        ["partner_id"],
        lazy=False,
    )
    return {group["partner_id"][0]: group["revenue"] for group in groups}


def read_group(env, date_from, date_to):
    """The same figures through ``_read_group`` (ids, no names)."""
    rows = env[REPORT]._read_group(
        report_domain(date_from, date_to),
        ["partner_id"],
        [f"{measure}:sum" for measure in MEASURES],
    )
    return {partner.id: revenue for partner, revenue, *_rest in rows}


def bare_statement(env, date_from, date_to):
    """Per customer, the revenue of the invoice lines of the window."""
    return SQL(
        """SELECT m.commercial_partner_id, sum(-l.balance)
             FROM account_move_line l
             JOIN account_move m ON m.id = l.move_id
            WHERE m.company_id = %s
              AND m.state = 'posted'
              AND m.move_type IN ('out_invoice', 'out_refund')
              AND l.display_type = 'product'
              AND m.invoice_date >= %s AND m.invoice_date <= %s
         GROUP BY m.commercial_partner_id""",
        env.company.id,
        date_from,
        date_to,
    )


def bare(env, statement):
    env.cr.execute(statement)
    return {partner_id: float(revenue) for partner_id, revenue in env.cr.fetchall()}


def timed(env, function, *args):
    env.invalidate_all()
    start = time.perf_counter()
    result = function(env, *args)
    elapsed = time.perf_counter() - start
    env.cr.rollback()
    return elapsed, result


def main(argv=None):
    args = database_args(__doc__.splitlines()[0], argv)
    with environment(args.db) as env:
        if REPORT not in env:
            sys.exit(f"{args.db} must have crm_analytics installed")
        today = date.today()
        cost_entries = record_costs(env, today)
        date_from, date_to = window(today)
        statement = bare_statement(env, date_from, date_to)
        # warm the caches
        _elapsed, report_rows = timed(env, pivot, date_from, date_to)
        _elapsed, bare_rows = timed(env, bare, statement)
        runs, cores, bares = [], [], []
        for _i in range(args.repeat):
            elapsed, report_rows = timed(env, pivot, date_from, date_to)
            runs.append(elapsed)
            elapsed, core_rows = timed(env, read_group, date_from, date_to)
            cores.append(elapsed)
            elapsed, bare_rows = timed(env, bare, statement)
            bares.append(elapsed)
        report_total = sum(report_rows.values())
        bare_total = sum(bare_rows.values())
        differing = sum(
            1
            for partner_id in report_rows.keys() | bare_rows.keys()
            if abs(report_rows.get(partner_id, 0.0) - bare_rows.get(partner_id, 0.0))
            > TOLERANCE
            or (partner_id in report_rows) != (partner_id in bare_rows)
        )
        out("db", args.db)
        out("profitability_window", f"{date_from}..{date_to}")
        out("profitability_cost_entries", cost_entries)
        out("profitability_customers", len(report_rows))
        out("profitability_bare_customers", len(bare_rows))
        out("profitability_revenue", f"{report_total:.2f}")
        out("profitability_bare_revenue", f"{bare_total:.2f}")
        out("profitability_customers_differing", differing)
        out("profitability_report_s", statistics.median(runs))
        out("profitability_read_group_s", statistics.median(cores))
        out("profitability_bare_s", statistics.median(bares))
        out("profitability_ratio", statistics.median(runs) / statistics.median(bares))
        out(
            "profitability_read_group_ratio",
            statistics.median(cores) / statistics.median(bares),
        )
        if (
            len(report_rows) != len(bare_rows)
            or core_rows.keys() != report_rows.keys()
            or abs(report_total - bare_total) > TOLERANCE * max(1, len(bare_rows))
            or differing
        ):
            sys.exit(
                "the report and the bare GROUP BY disagree: "
                f"{len(report_rows)} customers and {report_total:.2f} against "
                f"{len(bare_rows)} and {bare_total:.2f}, {differing} customers "
                "differing"
            )


if __name__ == "__main__":
    main()
