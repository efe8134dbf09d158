"""Load check of the posting path: concurrent postings while the crons run.

Run with Odoo's Python on the bench databases (``make bench`` drives it)::

    python tests/bench/bench_load.py -c odoo.conf --db bench_tiers \\
        --base-db bench_base --threads 4 --seconds 30

For ``--seconds``, ``--threads`` threads post customer invoices, each in its
own transaction as a user's request would be (Odoo's retry on concurrency
errors included: up to 5 tries): half of them all for the same customer (the
one with the most invoices), the others each for customers of their own. In
``--db`` a further thread runs the addons' crons meanwhile, a round every
``--cron-pause`` seconds: the queue of customers waiting for evaluation, a
batch of the nightly evaluation, an administrator's evaluation of every
customer (``recompute()``, retried as Odoo retries a request) and, with
crm_analytics, the value ranking (each forced to run again). The same
postings are then run on
``--base-db`` (same data, no addon) for the throughput, and once more on
``--db`` without the crons (what the addons cost the postings themselves).

Printed (``key=value``): postings attempted, committed and failed,
serialization errors met (and retried), cron runs and cron failures, the
customers still waiting once the queue is drained, whether the stored facts
equal a full evaluation afterwards, and the throughput against the base.
Target (issue D): nothing failed, nothing lost, throughput within 10 %.

Everything posted is committed: run it on scratch databases only.
"""

import argparse
import random
import sys
import threading
import time
from contextlib import closing
from datetime import date
from pathlib import Path

from psycopg2 import OperationalError

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.service.model import (
    MAX_TRIES_ON_CONCURRENCY_FAILURE,
    PG_CONCURRENCY_EXCEPTIONS_TO_RETRY,
)
from odoo.tools import SQL, config

sys.path.insert(0, str(Path(__file__).parent))
from bench_lifecycle import (
    PRODUCT_CODE,
    bench_journal,
    heavy_customer,
    out,
)

ADMIN_ID = 2  # the postings are made by the administrator, as a user would
CRON_BATCH = 2000  # customers per nightly-evaluation batch in the cron thread
FACT_COLUMNS = (
    "first_purchase_date",
    "last_purchase_date",
    "purchase_count",
    "purchase_count_12m",
    "revenue_total",
    "revenue_12m",
    "revenue_prev_12m",
    "last_return_date",
    "lifecycle_stage",
)


class Counters:
    """Figures shared by the threads of one run."""

    def __init__(self):
        self.lock = threading.Lock()
        self.values = dict.fromkeys(
            (
                "attempted",
                "committed",
                "failed",
                "serialization_errors",
                "cron_runs",
                "cron_failures",
                "cron_customers_skipped",
                "full_evaluations",
                "full_evaluation_failures",
                "full_evaluation_serialization_errors",
            ),
            0,
        )
        self.errors = []

    def add(self, key, value=1):
        with self.lock:
            self.values[key] += value


def with_retries(cr, func, counters, prefix=""):
    """Call ``func`` and commit, retrying on concurrency errors as Odoo's
    ``odoo.service.model.retrying`` does for a request; return whether it
    was committed. The errors met are counted as ``<prefix>serialization_errors``."""
    for _try in range(MAX_TRIES_ON_CONCURRENCY_FAILURE):
        try:
            func()
            cr.commit()
            return True
        except OperationalError as error:
            cr.rollback()
            if not isinstance(error, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY):
                raise
            counters.add(f"{prefix}serialization_errors")
            time.sleep(random.uniform(0.0, 0.1))
    return False


def post_invoice(env, partner_id, journal_id, product_id):
    move = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": partner_id,
            "journal_id": journal_id,
            "invoice_date": date.today(),
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product_id,
                        "quantity": 1,
                        "price_unit": 100.0,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
    )
    move.action_post()


def poster(db, customers, journal_id, product_id, deadline, counters):
    """Post invoices for ``customers`` in turn until ``deadline``."""
    registry = Registry(db)
    with closing(registry.cursor()) as cr:
        env = api.Environment(cr, ADMIN_ID, {})
        i = 0
        while time.monotonic() < deadline:
            partner_id = customers[i % len(customers)]
            i += 1
            counters.add("attempted")
            try:
                done = with_retries(
                    cr,
                    lambda partner_id=partner_id: post_invoice(
                        env, partner_id, journal_id, product_id
                    ),
                    counters,
                )
            except Exception as error:  # counted and printed
                cr.rollback()
                done = False
                counters.errors.append(repr(error))
            counters.add("committed" if done else "failed")


def run_crons_once(env, company_ids, offset, counters):
    """One round of the addons' crons, each in its own transaction: the
    waiting customers, one batch of the nightly evaluation and, with
    crm_analytics, the value ranking (forced again); return the next offset."""
    cr = env.cr
    Profile = env["crm.customer.profile"]
    today = date.today()

    def waiting():
        env["crm.customer.refresh"]._cron_evaluate()

    def nightly_batch():
        partner_ids = [
            partner_id
            for (partner_id,) in env.execute_query(
                SQL(
                    """SELECT DISTINCT partner_id FROM crm_customer_profile
                        ORDER BY partner_id LIMIT %s OFFSET %s""",
                    CRON_BATCH,
                    offset,
                )
            )
        ]
        evaluated = env["crm.customer.refresh"]._evaluate_or_queue(
            today, company_ids, partner_ids
        )
        counters.add("cron_customers_skipped", len(partner_ids) - len(evaluated))
        return len(partner_ids)

    def ranking():
        env["crm.value.ranking"].search([("date", "=", today)]).unlink()
        Profile._cron_rank_values()

    def full_evaluation():
        # an administrator's "evaluate everyone", retried as a request is
        admin = Profile.with_user(ADMIN_ID)
        if not with_retries(cr, admin.recompute, counters, "full_evaluation_"):
            counters.add("full_evaluation_failures")
        counters.add("full_evaluations")

    jobs = [waiting, nightly_batch, full_evaluation]
    if "crm.value.ranking" in env:
        jobs.append(ranking)
    batch = 0
    for job in jobs:
        counters.add("cron_runs")
        try:
            result = job()
            cr.commit()
            if job is nightly_batch:
                batch = result
        except Exception as error:  # counted and printed
            cr.rollback()
            counters.add("cron_failures")
            counters.errors.append(repr(error))
    return offset + batch if batch == CRON_BATCH else 0


def cron_runner(db, deadline, pause, counters):
    """Run the crons' rounds until ``deadline``, ``pause`` seconds apart."""
    registry = Registry(db)
    with closing(registry.cursor()) as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company_ids = env["res.company"].search([]).ids
        offset = 0
        while time.monotonic() < deadline:
            offset = run_crons_once(env, company_ids, offset, counters)
            time.sleep(pause)


def customers_of(db, threads, seed):
    """The heavy customer, and distinct customers for the other threads."""
    registry = Registry(db)
    with closing(registry.cursor()) as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        heavy, _count = heavy_customer(env)
        journal = bench_journal(env)
        product = env["product.product"].search(
            [("default_code", "=", PRODUCT_CODE)], limit=1
        )
        others = [
            partner_id
            for (partner_id,) in env.execute_query(
                SQL(
                    """SELECT DISTINCT commercial_partner_id FROM account_move
                        WHERE journal_id = %s AND commercial_partner_id != %s
                        ORDER BY 1""",
                    journal.id,
                    heavy.id,
                )
            )
        ]
    random.Random(seed).shuffle(others)
    same = (threads + 1) // 2
    plans = [[heavy.id]] * same
    for i in range(threads - same):
        plans.append(others[i * 50 : (i + 1) * 50] or [heavy.id])
    return plans, journal.id, product.id


def load(db, threads, seconds, seed, cron_pause=None):
    """Run the postings (and the crons, unless ``cron_pause`` is None) on
    ``db``; return the counters."""
    plans, journal_id, product_id = customers_of(db, threads, seed)
    counters = Counters()
    deadline = time.monotonic() + seconds
    workers = [
        threading.Thread(
            target=poster,
            args=(db, customers, journal_id, product_id, deadline, counters),
        )
        for customers in plans
    ]
    if cron_pause is not None:
        workers.append(
            threading.Thread(
                target=cron_runner, args=(db, deadline, cron_pause, counters)
            )
        )
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return counters


def drain_and_compare(db):
    """Evaluate the customers still waiting (as the triggered cron would),
    then compare the stored facts with a full evaluation (rolled back);
    return (waiting before, cron calls, profiles that differ)."""
    registry = Registry(db)
    with closing(registry.cursor()) as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        Refresh = env["crm.customer.refresh"]
        waiting = Refresh.search_count([])
        calls = 0
        while Refresh.search_count([]) and calls < 50:
            Refresh._cron_evaluate()
            cr.commit()
            calls += 1
        columns = SQL(", ").join(SQL.identifier(column) for column in FACT_COLUMNS)
        query = SQL(
            "SELECT partner_id, company_id, %s FROM crm_customer_profile", columns
        )
        stored = {row[:2]: row for row in env.execute_query(query)}
        company_ids = env["res.company"].search([]).ids
        env["crm.customer.profile"]._evaluate(date.today(), company_ids, None)
        env.flush_all()
        evaluated = {row[:2]: row for row in env.execute_query(query)}
        cr.rollback()
    differ = {
        key
        for key in stored.keys() | evaluated.keys()
        if stored.get(key) != evaluated.get(key)
    }
    return waiting, calls, len(differ)


def report(prefix, counters, seconds):
    for key, value in counters.values.items():
        out(f"{prefix}{key}", value)
    out(f"{prefix}postings_per_s", counters.values["committed"] / seconds)
    for error in sorted(set(counters.errors))[:5]:
        out(f"{prefix}error", error)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", "-c", required=True, help="Odoo config file")
    parser.add_argument("--db", required=True, help="database with the addons")
    parser.add_argument("--base-db", help="same data without the addons")
    parser.add_argument("--threads", type=int, default=4, help="posting threads")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--cron-pause",
        type=float,
        default=5.0,
        help="seconds between two rounds of the crons (0: back to back); the "
        "default is already thousands of times their real frequency",
    )
    parser.add_argument("--seed", type=float, default=0.42)
    parser.add_argument("--log-level", default="warn")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    config.parse_config(["-c", args.config, f"--log-level={args.log_level}"])
    out("load_threads", args.threads)
    out("load_seconds", args.seconds)
    out("load_cron_pause_s", args.cron_pause)
    counters = load(args.db, args.threads, args.seconds, args.seed, args.cron_pause)
    report("load_", counters, args.seconds)
    waiting, calls, differ = drain_and_compare(args.db)
    out("load_waiting_after", waiting)
    out("load_queue_calls", calls)
    out("load_profiles_differing_from_full_evaluation", differ)
    if args.base_db:
        base = load(args.base_db, args.threads, args.seconds, args.seed)
        report("load_base_", base, args.seconds)
        # the same postings with the addons but no cron competing for the CPU
        quiet = load(args.db, args.threads, args.seconds, args.seed)
        report("load_without_crons_", quiet, args.seconds)
        if base.values["committed"]:
            for prefix, run in (("", counters), ("without_crons_", quiet)):
                out(
                    f"load_{prefix}throughput_ratio",
                    run.values["committed"] / base.values["committed"],
                )


if __name__ == "__main__":
    main()
