"""Benchmark of crm_lifecycle: full recompute and invoice posting.

Run with Odoo's Python (not a pytest test; ``make bench`` drives it)::

    python tests/bench/bench_lifecycle.py -c odoo.conf --db bench_lc \\
        --base-db bench_base --customers 10000 --invoices 100000

Phase ``load`` bulk-loads N commercial partners (written, as far as their
``write_date`` tells, when the three years of history begin) and M posted
customer invoices and credit notes (set-based SQL, no per-row Python) into a
fresh database.
Phase ``recompute`` times the full ``crm.customer.profile.recompute()`` (cold:
no profile yet; steady: the next day, over the profiles of the day before)
against one bare SQL GROUP BY over the same rows, interleaved, medians.
Phase ``post`` times posting one invoice of a customer with many invoices in
``--db`` and, interleaved, in ``--base-db`` (same data, no crm_lifecycle).
Phase ``explain`` prints where the recompute statement spends its time.

Figures are printed as ``key=value`` lines on stdout.
"""

import argparse
import json
import logging
import resource
import statistics
import sys
import time
from contextlib import closing, contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.modules.registry import Registry
from odoo.sql_db import db_connect
from odoo.tools import SQL, config

_logger = logging.getLogger("bench_lifecycle")

JOURNAL_CODE = "BENCH"
PRODUCT_CODE = "BENCH-SERVICE"
PARTNER_REF = "BENCH-"
HISTORY_DAYS = 3 * 365
REFUND_RATE = 0.05
# each invoice's untaxed amount over three product lines, as these shares
LINE_SHARES = (0.5, 0.3, 0.2)
PRODUCT_COST = 0.6  # the bench product's cost, per unit of price 1
WORK_MEM = "256MB"  # what _evaluate sets for many customers (const.WORK_MEM)


def line(text):
    """One line of the report on stdout (figures and plan summaries)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def out(key, value):
    """One figure, as a clean ``key=value`` line."""
    if isinstance(value, float):
        value = f"{value:.4f}"
    line(f"{key}={value}")


def peak_rss_mib():
    """The peak resident memory of this process (Odoo runs in it), in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def database_args(description, argv=None, repeat=True):
    """The arguments of the benchmarks that run on one database (``-c``,
    ``--db``, ``--log-level`` and, with ``repeat``, ``--repeat``), Odoo's
    configuration loaded from them."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--config", "-c", required=True)
    parser.add_argument("--db", required=True)
    if repeat:
        parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--log-level", default="warn")
    args = parser.parse_args(argv)
    config.parse_config(
        ["-c", args.config, "-d", args.db, f"--log-level={args.log_level}"]
    )
    return args


def median(values):
    return statistics.median(values) if values else float("nan")


# ----------------------------------------------------------------------
# Connection helpers
# ----------------------------------------------------------------------


@contextmanager
def environment(db):
    """A superuser environment on ``db``; the transaction is rolled back at
    the end unless committed by the caller."""
    registry = Registry(db)
    with closing(registry.cursor()) as cr:
        yield api.Environment(cr, SUPERUSER_ID, {})


def vacuum(db, tables, analyze=True):
    """VACUUM (ANALYZE) ``tables``: removes what rolled-back runs left behind,
    so that every repetition starts from the same physical state."""
    with closing(db_connect(db).cursor()) as cr:
        cr._cnx.autocommit = True
        for table in tables:
            option = SQL("(ANALYZE)") if analyze else SQL()
            cr.execute(SQL("VACUUM %s %s", option, SQL.identifier(table)))


def has_lifecycle(env):
    return "crm.customer.profile" in env.registry


# ----------------------------------------------------------------------
# Load
# ----------------------------------------------------------------------


def bench_journal(env):
    return env["account.journal"].search(
        [("code", "=", JOURNAL_CODE), ("company_id", "=", env.company.id)], limit=1
    )


def load(env, customers, invoices, today, seed):
    """Bulk-load the partners and posted invoices; return the seconds spent."""
    cr = env.cr
    if bench_journal(env):
        [(loaded,)] = env.execute_query(
            SQL(
                "SELECT count(*) FROM account_move WHERE journal_id = %s",
                bench_journal(env).id,
            )
        )
        if loaded != invoices:
            sys.exit(
                f"{cr.dbname} already holds {loaded} bench invoices, not {invoices}:"
                " recreate the database"
            )
        _logger.info("%s: bench data already loaded", cr.dbname)
        return 0.0
    start = time.perf_counter()
    company = env.company
    # A dedicated journal: the main sale journal's sequence stays untouched.
    journal = env["account.journal"].create(
        {
            "name": "Bench Sales",
            "code": JOURNAL_CODE,
            "type": "sale",
            "company_id": company.id,
        }
    )
    product = env["product.product"].create(
        {
            "name": "Bench Service",
            "default_code": PRODUCT_CODE,
            "type": "service",
            "list_price": 1.0,
            "standard_price": PRODUCT_COST,
            "taxes_id": [Command.clear()],
        }
    )
    env.flush_all()
    uid = env.uid
    cr.execute(SQL("SELECT setseed(%s)", seed))
    env.execute_query(
        SQL(
            """
            WITH s AS MATERIALIZED (
                SELECT nextval('res_partner_id_seq') AS id,
                       'Bench Customer ' || lpad(g::text, 7, '0') AS name,
                       %(ref)s || lpad(g::text, 7, '0') AS ref
                  FROM generate_series(1, %(n)s) g
            )
            INSERT INTO res_partner (
                id, commercial_partner_id, name, complete_name,
                commercial_company_name, ref, email, email_normalized,
                is_company, type, active, customer_rank, supplier_rank, lang,
                autopost_bills, partner_share, employee, color,
                create_uid, create_date, write_uid, write_date)
            SELECT s.id, s.id, s.name, s.name, s.name, s.ref,
                   lower(s.ref) || '@bench.example.com',
                   lower(s.ref) || '@bench.example.com',
                   TRUE, 'contact', TRUE, 1, 0, 'en_US',
                   'ask', TRUE, FALSE, 0,
                   %(uid)s, %(created)s, %(uid)s, %(created)s
              FROM s ORDER BY s.id
            """,
            ref=PARTNER_REF,
            n=customers,
            uid=uid,
            # customers of a database with three years of history: written
            # when it starts, as invoices are on their dates
            created=datetime.combine(
                today - timedelta(days=HISTORY_DAYS), datetime.min.time()
            ),
        )
    )
    # Invoice k goes to customer floor(N * u^3): a few customers with
    # thousands of invoices, a long tail with a handful. Dates are uniform
    # over the 3 years before ``today``; rows are inserted in date order and
    # numbered per year as Odoo does (BENCH/2024/000001, RBENCH/... refunds).
    env.execute_query(
        SQL(
            """
            WITH raw AS MATERIALIZED (
                SELECT g,
                       floor(%(n)s * power(random(), 3))::int AS k,
                       %(start)s::date + floor(random() * %(days)s)::int AS d,
                       random() < %(refund_rate)s AS is_refund,
                       round((20 + random() * 4980)::numeric, 2) AS amount
                  FROM generate_series(1, %(m)s) g
            ),
            partner AS (
                SELECT id, name, row_number() OVER (ORDER BY id) - 1 AS k
                  FROM res_partner
                 WHERE ref LIKE %(ref_like)s AND id = commercial_partner_id
            ),
            numbered AS (
                SELECT raw.*,
                       CASE WHEN raw.is_refund THEN 'R' ELSE '' END
                           || %(code)s || '/' || extract(year FROM raw.d) || '/'
                           AS prefix,
                       row_number() OVER (
                           PARTITION BY raw.is_refund, extract(year FROM raw.d)
                           ORDER BY raw.d, raw.g) AS seq
                  FROM raw
            )
            INSERT INTO account_move (
                name, sequence_prefix, sequence_number, journal_id, company_id,
                currency_id, move_type, state, auto_post, date, invoice_date,
                invoice_date_due, partner_id, commercial_partner_id,
                partner_shipping_id, invoice_partner_display_name,
                amount_untaxed, amount_tax, amount_total, amount_residual,
                amount_untaxed_signed, amount_tax_signed, amount_total_signed,
                amount_residual_signed, amount_untaxed_in_currency_signed,
                amount_total_in_currency_signed, invoice_currency_rate,
                payment_state, checked, posted_before, is_move_sent,
                made_sequence_gap, always_tax_exigible, is_storno,
                create_uid, create_date, write_uid, write_date)
            SELECT x.prefix || lpad(x.seq::text, 6, '0'), x.prefix, x.seq,
                   %(journal)s, %(company)s, %(currency)s,
                   CASE WHEN x.is_refund THEN 'out_refund' ELSE 'out_invoice' END,
                   'posted', 'no', x.d, x.d, x.d + 30, p.id, p.id, p.id, p.name,
                   x.amount, 0, x.amount, 0,
                   x.sign * x.amount, 0, x.sign * x.amount, 0,
                   x.sign * x.amount, x.sign * x.amount, 1,
                   'paid', TRUE, TRUE, TRUE, FALSE, FALSE, FALSE,
                   %(uid)s, x.d + time '09:00', %(uid)s, x.d + time '09:00'
              FROM (SELECT n.*,
                           CASE WHEN n.is_refund THEN -1 ELSE 1 END AS sign
                      FROM numbered n) x
              JOIN partner p ON p.k = x.k
          ORDER BY x.d, x.g
            """,
            n=customers,
            m=invoices,
            start=today - timedelta(days=HISTORY_DAYS),
            days=HISTORY_DAYS,
            refund_rate=REFUND_RATE,
            ref_like=PARTNER_REF + "%",
            code=JOURNAL_CODE,
            journal=journal.id,
            company=company.id,
            currency=company.currency_id.id,
            uid=uid,
        )
    )
    load_lines(env, journal, product)
    # A standalone script owns its transaction: the load must persist.
    cr.commit()  # pylint: disable=invalid-commit
    vacuum(cr.dbname, ["res_partner", "account_move", "account_move_line"])
    return time.perf_counter() - start


def load_lines(env, journal, product):
    """The bench invoices' journal items, as Odoo posts them: three product
    lines (``LINE_SHARES`` of the untaxed amount, the bench product at a
    price of 1) and the receivable line, so that reports over invoice lines
    (Invoicing's Invoice Analysis) read as many rows as in a real database."""
    accounts = {
        account_type: env["account.account"].search(
            [
                *env["account.account"]._check_company_domain(env.company),
                ("account_type", "=", account_type),
            ],
            limit=1,
        )
        for account_type in ("income", "asset_receivable")
    }
    shares = list(LINE_SHARES)
    env.execute_query(
        SQL(
            """
            WITH move AS (
                SELECT m.*, CASE WHEN m.move_type = 'out_refund' THEN -1 ELSE 1 END
                           AS sign
                  FROM account_move m WHERE m.journal_id = %(journal)s
            ),
            part AS (
                SELECT move.*, s.n,
                       CASE WHEN s.n = array_length(%(shares)s::numeric[], 1)
                            THEN move.amount_untaxed - sum(round(
                                move.amount_untaxed * s.share, 2)) OVER w
                                + round(move.amount_untaxed * s.share, 2)
                            ELSE round(move.amount_untaxed * s.share, 2) END
                           AS amount
                  FROM move, unnest(%(shares)s::numeric[]) WITH ORDINALITY s(share, n)
                WINDOW w AS (PARTITION BY move.id)
            )
            INSERT INTO account_move_line (
                move_id, move_name, date, invoice_date, parent_state, journal_id,
                company_id, company_currency_id, currency_id, account_id,
                partner_id, product_id, product_uom_id, name, display_type,
                sequence, quantity, price_unit, discount, price_subtotal,
                price_total, balance, debit, credit, amount_currency,
                amount_residual, amount_residual_currency, reconciled,
                create_uid, create_date, write_uid, write_date)
            SELECT part.id, part.name, part.date, part.invoice_date, 'posted',
                   part.journal_id, part.company_id, part.currency_id,
                   part.currency_id, %(income)s, part.commercial_partner_id,
                   %(product)s, %(uom)s, %(label)s, 'product', 10 + part.n,
                   part.amount, 1, 0, part.amount, part.amount,
                   -part.sign * part.amount,
                   CASE WHEN part.sign < 0 THEN part.amount ELSE 0 END,
                   CASE WHEN part.sign > 0 THEN part.amount ELSE 0 END,
                   -part.sign * part.amount, 0, 0, FALSE,
                   part.create_uid, part.create_date, part.write_uid,
                   part.write_date
              FROM part
             UNION ALL
            SELECT move.id, move.name, move.date, move.invoice_date, 'posted',
                   move.journal_id, move.company_id, move.currency_id,
                   move.currency_id, %(receivable)s, move.commercial_partner_id,
                   NULL, NULL, move.name, 'payment_term', 100, 0, 0, 0, 0, 0,
                   move.sign * move.amount_total,
                   CASE WHEN move.sign > 0 THEN move.amount_total ELSE 0 END,
                   CASE WHEN move.sign < 0 THEN move.amount_total ELSE 0 END,
                   move.sign * move.amount_total, 0, 0, TRUE,
                   move.create_uid, move.create_date, move.write_uid,
                   move.write_date
              FROM move
          ORDER BY 1
            """,
            journal=journal.id,
            shares=shares,
            income=(journal.default_account_id or accounts["income"]).id,
            receivable=accounts["asset_receivable"].id,
            product=product.id,
            uom=product.uom_id.id,
            label=product.display_name,
        )
    )


# ----------------------------------------------------------------------
# The recompute statement, observed
# ----------------------------------------------------------------------


def is_recompute_statement(query):
    """The evaluation statement, which fills the temporary table
    ``crm_lifecycle_evaluation``."""
    return isinstance(query, SQL) and (
        "CREATE TEMPORARY TABLE crm_lifecycle_evaluation" in query.code
    )


@contextmanager
def statement_hook(timings=None, plans=None):
    """Observe the evaluation statement of ``_evaluate`` without touching the
    addon: append its seconds to ``timings``, or, with ``plans``, run it under
    EXPLAIN (ANALYZE, BUFFERS) instead (it still writes, the caller rolls
    back) and append the JSON plan; then it returns no row."""
    original = api.Environment.execute_query

    def execute_query(self, query):
        if not is_recompute_statement(query):
            return original(self, query)
        if plans is not None:
            self.flush_all()
            self.cr.execute(SQL("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) %s", query))
            plans.append(self.cr.fetchone()[0][0])
            return []
        start = time.perf_counter()
        rows = original(self, query)
        timings.append(time.perf_counter() - start)
        return rows

    api.Environment.execute_query = execute_query
    try:
        yield
    finally:
        api.Environment.execute_query = original


# ----------------------------------------------------------------------
# Recompute against the bare aggregate
# ----------------------------------------------------------------------


def bare_aggregate(env, ref_date, with_gaps=False):
    """The customer facts of DOMAIN §0 in one GROUP BY over the rows the
    recompute reads, written nowhere. ``count(a)`` reads the whole row so
    that PostgreSQL cannot drop any aggregate. ``with_gaps`` adds the window
    over consecutive purchases that ``last_return_date`` needs."""
    company = env.company
    if with_gaps:
        rows = SQL(
            """
            SELECT d.*,
                   CASE WHEN d.is_purchase THEN d.date - max(d.date) FILTER (
                       WHERE d.is_purchase) OVER (
                       PARTITION BY d.partner_id, d.company_id
                       ORDER BY d.date
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) END AS gap
              FROM (%s) d
            """,
            source_rows(company.ids, ref_date),
        )
        churn_days = (
            company.crm_churn_days if "crm_churn_days" in company._fields else 365
        )
        last_return = SQL("max(o.date) FILTER (WHERE o.gap > %s)", churn_days)
    else:
        rows = source_rows(company.ids, ref_date)
        last_return = SQL("NULL::date")
    return SQL(
        """
        SELECT count(a) FROM (
            SELECT o.partner_id, o.company_id,
                   min(o.date) FILTER (WHERE o.is_purchase) AS first_date,
                   max(o.date) FILTER (WHERE o.is_purchase) AS last_date,
                   count(*) FILTER (WHERE o.is_purchase) AS purchase_count,
                   sum(o.amount) AS revenue_total,
                   coalesce(sum(o.amount) FILTER (
                       WHERE o.date > %(date)s::date - 365), 0) AS revenue_12m,
                   coalesce(sum(o.amount) FILTER (
                       WHERE o.date > %(date)s::date - 730
                         AND o.date <= %(date)s::date - 365), 0)
                       AS revenue_prev_12m,
                   %(last_return)s AS last_return_date
              FROM (%(rows)s) o
          GROUP BY o.partner_id, o.company_id
        ) a
        """,
        date=ref_date,
        rows=rows,
        last_return=last_return,
    )


def source_rows(company_ids, ref_date):
    """The rows of ``_source_query`` for companies that use invoices."""
    return SQL(
        """
        SELECT m.commercial_partner_id AS partner_id, m.company_id,
               m.invoice_date AS date, m.move_type = 'out_invoice' AS is_purchase,
               m.amount_untaxed_signed AS amount
          FROM account_move m
         WHERE m.company_id = ANY(%s)
           AND m.state = 'posted'
           AND m.move_type IN ('out_invoice', 'out_refund')
           AND m.invoice_date <= %s
        """,
        list(company_ids),
        ref_date,
    )


def time_bare(env, ref_date, with_gaps=False):
    cr = env.cr
    cr.rollback()
    start = time.perf_counter()
    cr.execute(SQL("SET LOCAL work_mem = %s", WORK_MEM))
    # Same conditions as the recompute statement, which PostgreSQL never runs
    # in parallel (it writes): one process (a parallel plan is also slower on
    # this 2-core machine and varies more).
    cr.execute(SQL("SET LOCAL max_parallel_workers_per_gather = 0"))
    # The baseline is the faster of the two plans PostgreSQL weighs here: a
    # GROUP BY in the order of the customer index (0.25 s at 1M invoices)
    # rather than a hash of every customer (0.8 s); their estimated costs
    # are within 2% of each other, so the planner's pick flips with the
    # statistics of the day.
    cr.execute(SQL("SET LOCAL enable_hashagg = off"))
    cr.execute(bare_aggregate(env, ref_date, with_gaps))
    [(count,)] = cr.fetchall()
    elapsed = time.perf_counter() - start
    cr.rollback()
    return elapsed, count


PROFILE_TABLES = ["crm_customer_profile", "crm_lifecycle_history", "res_partner"]


def time_recompute(env, ref_date):
    """One full recompute, rolled back; return (seconds, figures)."""
    cr = env.cr
    cr.rollback()
    statement = []
    with statement_hook(timings=statement):
        start = time.perf_counter()
        profiles = env["crm.customer.profile"].recompute(ref_date)
        env.flush_all()
        elapsed = time.perf_counter() - start
    [(written, changes)] = env.execute_query(
        SQL(
            """
            SELECT (SELECT count(*) FROM crm_customer_profile
                     WHERE facts_date = %(date)s),
                   (SELECT count(*) FROM crm_lifecycle_history
                     WHERE date = %(date)s AND NOT is_manual)
            """,
            date=ref_date,
        )
    )
    cr.rollback()
    vacuum(cr.dbname, PROFILE_TABLES, analyze=False)
    return elapsed, {
        "profiles": len(profiles),
        "written": written,
        "changes": changes,
        "statement": sum(statement),
    }


def reset_profiles(env):
    """Back to 'never computed': no profile, no history, no partner stage,
    no company evaluated."""
    env.cr.rollback()
    env.cr.execute(
        SQL(
            """
            DELETE FROM crm_lifecycle_history;
            DELETE FROM crm_customer_profile;
            UPDATE res_partner SET lifecycle_stage = NULL
             WHERE lifecycle_stage IS NOT NULL;
            """
        )
    )
    env.cr.commit()  # pylint: disable=invalid-commit
    env.invalidate_all()
    vacuum(env.cr.dbname, PROFILE_TABLES)


def bench_recompute(env, today, repeat):
    """Cold and steady-state recomputes, each interleaved with the bare
    aggregate over the same rows and reference date."""
    tomorrow = today + timedelta(days=1)
    reset_profiles(env)
    # Warm the caches once: every measured run then reads the same buffers.
    time_bare(env, today)
    phases = {}
    for phase, ref_date in (("cold", today), ("steady", tomorrow)):
        if phase == "steady":
            # The state the daily cron finds: everyone computed yesterday.
            env["crm.customer.profile"].recompute(today)
            env.cr.commit()  # pylint: disable=invalid-commit
            vacuum(env.cr.dbname, PROFILE_TABLES)
        bare, gaps, runs, statements = [], [], [], []
        figures = {}
        for _i in range(repeat):
            bare.append(time_bare(env, ref_date)[0])
            gaps.append(time_bare(env, ref_date, with_gaps=True)[0])
            elapsed, figures = time_recompute(env, ref_date)
            runs.append(elapsed)
            statements.append(figures["statement"])
            _logger.info("%s run %.3f s (bare %.3f s)", phase, elapsed, bare[-1])
        figures["statement"] = median(statements)
        phases[phase] = (median(runs), median(bare), median(gaps), figures)
    [(rows,)] = env.execute_query(
        SQL(
            "SELECT count(*) FROM (%s) s",
            source_rows(env.company.ids, today),
        )
    )
    out("source_rows", rows)
    for phase, (run, bare, gaps, figures) in phases.items():
        out(f"{phase}_profiles", figures["profiles"])
        out(f"{phase}_profiles_written", figures["written"])
        out(f"{phase}_stage_changes", figures["changes"])
        out(f"bare_aggregate_{phase}_s", bare)
        out(f"bare_aggregate_gaps_{phase}_s", gaps)
        out(f"recompute_{phase}_s", run)
        # The SQL statement alone; the rest is Python (playbooks, search).
        out(f"recompute_{phase}_statement_s", figures["statement"])
        out(f"ratio_{phase}", run / bare)
        out(f"ratio_gaps_{phase}", run / gaps)
    out("bare_aggregate_s", phases["steady"][1])
    out(
        "ratio",
        max(
            phases["cold"][0] / phases["cold"][1],
            phases["steady"][0] / phases["steady"][1],
        ),
    )


# ----------------------------------------------------------------------
# Posting one invoice
# ----------------------------------------------------------------------


def heavy_customer(env):
    """The bench customer with the most invoices (the first one, by
    construction of the load) and its invoice count."""
    [(partner_id, count)] = env.execute_query(
        SQL(
            """
            SELECT commercial_partner_id, count(*)
              FROM account_move
             WHERE journal_id = %s
          GROUP BY commercial_partner_id
          ORDER BY count(*) DESC
             LIMIT 1
            """,
            bench_journal(env).id,
        )
    )
    return env["res.partner"].browse(partner_id), count


def typical_customer(env):
    """The bench customer with the median number of invoices."""
    [(partner_id, count)] = env.execute_query(
        SQL(
            """
            WITH counts AS (
                SELECT commercial_partner_id, count(*) AS n
                  FROM account_move
                 WHERE journal_id = %(journal)s
              GROUP BY commercial_partner_id
            )
            SELECT commercial_partner_id, n FROM counts
          ORDER BY n, commercial_partner_id
             LIMIT 1 OFFSET (SELECT count(*) / 2 FROM counts)
            """,
            journal=bench_journal(env).id,
        )
    )
    return env["res.partner"].browse(partner_id), count


def post_one(env, partner, journal, product, today):
    """Create one draft invoice, then time its posting; rolled back."""
    cr = env.cr
    move = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "journal_id": journal.id,
            "invoice_date": today,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "quantity": 1,
                        "price_unit": 100.0,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
    )
    env.flush_all()
    statement = []
    queries = cr.sql_log_count
    with statement_hook(timings=statement):
        start = time.perf_counter()
        move.action_post()
        env.flush_all()
        elapsed = time.perf_counter() - start
    queries = cr.sql_log_count - queries
    assert move.state == "posted", move.state
    cr.rollback()
    return elapsed, queries, sum(statement)


def bench_post(envs, today, posts, warmup=2, customer=heavy_customer, prefix=""):
    """Post one invoice ``posts`` times per database, the databases
    interleaved; the first ``warmup`` posts fill the caches and are not
    counted. ``customer`` picks whose invoice is posted; ``prefix`` names
    the figures."""
    envs = [(prefix + label, env) for label, env in envs]
    setups = []
    for label, env in envs:
        partner, count = customer(env)
        journal = bench_journal(env)
        product = env["product.product"].search(
            [("default_code", "=", PRODUCT_CODE)], limit=1
        )
        env.cr.rollback()
        setups.append((label, env, partner, journal, product))
        out(f"{label}post_customer_invoices", count)
    timings = {label: [] for label, *_rest in setups}
    queries = {label: [] for label, *_rest in setups}
    statements = {label: [] for label, *_rest in setups}
    for i in range(warmup + posts):
        for label, env, partner, journal, product in setups:
            elapsed, count, statement = post_one(env, partner, journal, product, today)
            if i >= warmup:
                timings[label].append(elapsed)
                queries[label].append(count)
                statements[label].append(statement)
    for label, *_rest in setups:
        out(f"{label}post_ms", 1000 * median(timings[label]))
        out(f"{label}post_queries", int(median(queries[label])))
        if has_lifecycle(envs[0][1]) and label == prefix:
            # The refresh statement alone (one customer's facts and stage).
            out(f"{prefix}post_refresh_statement_ms", 1000 * median(statements[label]))
    if len(setups) == 2:
        (lc, *_a), (base, *_b) = setups
        out(f"{prefix}post_ratio", median(timings[lc]) / median(timings[base]))
        out(
            f"{prefix}post_queries_extra",
            median(queries[lc]) - median(queries[base]),
        )


# ----------------------------------------------------------------------
# EXPLAIN of the recompute statement
# ----------------------------------------------------------------------


def plan_nodes(node, cte=None):
    """Yield (cte, node, exclusive ms) over a JSON plan."""
    children = node.get("Plans", [])
    loops = node.get("Actual Loops", 1) or 1
    total = node.get("Actual Total Time", 0.0) * loops
    inner = 0.0
    for child in children:
        if child.get("Parent Relationship") in ("InitPlan", "SubPlan"):
            continue
        inner += child.get("Actual Total Time", 0.0) * (
            child.get("Actual Loops", 1) or 1
        )
    if node["Node Type"] == "CTE Scan":
        inner = total  # the time belongs to the CTE's own plan
    yield cte, node, max(total - inner, 0.0)
    for child in children:
        name = child.get("Subplan Name", "")
        sub_cte = name[4:] if name.startswith("CTE ") else cte
        yield from plan_nodes(child, sub_cte)


def summarize_plan(label, plan, top=8):
    root = plan["Plan"]
    out(f"explain_{label}_ms", plan.get("Execution Time", 0.0))
    out(f"explain_{label}_temp_written_blocks", root.get("Temp Written Blocks", 0))
    out(f"explain_{label}_shared_read_blocks", root.get("Shared Read Blocks", 0))
    # Foreign-key checks of the inserted rows and JIT compilation are not
    # part of any plan node.
    triggers = sum(trigger.get("Time", 0.0) for trigger in plan.get("Triggers", []))
    out(f"explain_{label}_trigger_ms", triggers)
    out(
        f"explain_{label}_jit_ms",
        (plan.get("JIT") or {}).get("Timing", {}).get("Total", 0.0),
    )
    nodes = sorted(plan_nodes(root), key=lambda item: -item[2])
    for cte, node, ms in nodes[:top]:
        what = node["Node Type"]
        for key in ("Relation Name", "CTE Name", "Index Name", "Sort Method"):
            if key in node:
                what += f" {node[key]}"
        if "Sort Space Type" in node:
            what += f" ({node['Sort Space Type']} {node.get('Sort Space Used')} kB)"
        rows = node.get("Actual Rows", 0) * (node.get("Actual Loops", 1) or 1)
        line(f"#   {label}: {ms:9.1f} ms  cte={cte or '-'}  {what}  rows={rows}")


def bench_explain(env, today, partner, explain_dir):
    """EXPLAIN (ANALYZE, BUFFERS) of the recompute statement: full run on no
    profile (cold), full run the next day (steady), one customer (the
    refresh that posting an invoice triggers)."""
    cases = [
        ("cold", today, None),
        ("steady", today + timedelta(days=1), None),
        ("one_customer", today, partner),
    ]
    for label, ref_date, partners in cases:
        env.cr.rollback()
        if label == "cold":
            # Transactional: the rollback below brings the profiles back.
            # Never evaluated: every customer's documents are aggregated.
            env.cr.execute(SQL("TRUNCATE crm_customer_profile CASCADE"))
            env.invalidate_all()
        plans = []
        with statement_hook(plans=plans):
            env["crm.customer.profile"].recompute(ref_date, partners=partners)
        env.cr.rollback()
        vacuum(env.cr.dbname, PROFILE_TABLES, analyze=False)
        if not plans:
            continue
        summarize_plan(label, plans[0])
        if explain_dir:
            path = Path(explain_dir) / f"{env.cr.dbname}_{label}.json"
            path.write_text(json.dumps(plans[0], indent=1))


# ----------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", "-c", required=True, help="Odoo config file")
    parser.add_argument("--db", required=True, help="database to measure")
    parser.add_argument(
        "--base-db", help="same data without crm_lifecycle: posting is compared"
    )
    parser.add_argument("--customers", type=int, default=10000)
    parser.add_argument("--invoices", type=int, default=100000)
    parser.add_argument(
        "--phases",
        default="load,recompute,post",
        help="comma-separated among load, recompute, post, explain",
    )
    parser.add_argument("--repeat", type=int, default=5, help="recompute runs")
    parser.add_argument("--posts", type=int, default=15, help="posts per database")
    parser.add_argument("--seed", type=float, default=0.42)
    parser.add_argument("--date", help="reference date (default today)")
    parser.add_argument("--explain-dir", help="where to save JSON plans")
    parser.add_argument("--log-level", default="warn")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    config.parse_config(
        ["-c", args.config, "-d", args.db, f"--log-level={args.log_level}"]
    )
    today = fields.Date.to_date(args.date) if args.date else date.today()
    phases = set(args.phases.split(","))
    out("db", args.db)
    out("customers", args.customers)
    out("invoices", args.invoices)
    with environment(args.db) as env:
        lifecycle = has_lifecycle(env)
        out("crm_lifecycle", int(lifecycle))
        if "load" in phases:
            out("load_s", load(env, args.customers, args.invoices, today, args.seed))
        if "recompute" in phases and lifecycle:
            bench_recompute(env, today, args.repeat)
            out("recompute_peak_rss_mib", peak_rss_mib())
        if "post" in phases:
            if args.base_db:
                with environment(args.base_db) as base_env:
                    if has_lifecycle(base_env):
                        sys.exit(f"{args.base_db} must not have crm_lifecycle")
                    both = [("", env), ("base_", base_env)]
                    bench_post(both, today, args.posts)
                    bench_post(
                        both,
                        today,
                        args.posts,
                        customer=typical_customer,
                        prefix="typical_",
                    )
            else:
                bench_post([("", env)], today, args.posts)
        if "explain" in phases and lifecycle:
            partner, _count = heavy_customer(env)
            bench_explain(env, today, partner, args.explain_dir)


if __name__ == "__main__":
    main()
