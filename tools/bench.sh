#!/usr/bin/env bash
# `make bench`: the crm_lifecycle benchmark of tests/bench/bench_lifecycle.py.
#
# Two fresh databases per size, loaded identically: $BENCH_DB with
# crm_lifecycle, $BENCH_BASE_DB with only crm, sale_management and account.
# For every "customers:invoices" pair of BENCH_SIZES (default
# "10000:100000 100000:1000000") it prints the full recompute against the bare
# SQL aggregate and the posting of one invoice with and without the addon,
# then a summary table with the targets:
#   recompute <= 3 x the bare aggregate, invoice post <= 1.10 x without.
# Settings: BENCH_SIZES, BENCH_REPEAT (recompute runs, default 5),
# BENCH_POSTS (posts per database, default 15), BENCH_STRICT=1 (exit 1 when a
# target is missed), BENCH_DB / BENCH_BASE_DB / BENCH_TIERS_DB (database names).
# For each size it also installs crm_analytics on a copy of the data and
# prints the full value-tier ranking against a bare SQL ranking (target 1.5 x)
# and the dashboard's data RPC against the equivalent raw SQL (target 2 x),
# the profitability figures of every customer over the last 12 months, as the
# pivot of tests/bench/bench_profitability.py reads them, against a bare SQL
# GROUP BY over the same invoice lines (target 2 x), and posting an invoice
# there (the three addons) against the same base; then the three addons
# installed on a copy of the base (the same data) with their first full
# recompute, against installing them on an empty database (BENCH_INSTALL_DB).
# Last, the load check of tests/bench/bench_load.py on that copy and the base:
# BENCH_LOAD_THREADS (default 4) threads post for BENCH_LOAD_SECONDS (default
# 30) while the crons run (nothing may fail or be lost; throughput printed).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LC_DB="${BENCH_DB:-bench_lc}"
TIERS_DB="${BENCH_TIERS_DB:-bench_tiers}"
BASE_DB="${BENCH_BASE_DB:-bench_base}"
SIZES="${BENCH_SIZES:-10000:100000 100000:1000000}"
REPEAT="${BENCH_REPEAT:-5}"
POSTS="${BENCH_POSTS:-15}"
RECOMPUTE_TARGET=3
TIERS_TARGET=1.5
POST_TARGET=1.10
SCRIPT="$ROOT/tests/bench/bench_lifecycle.py"
TIERS_SCRIPT="$ROOT/tests/bench/bench_tiers.py"
DASHBOARD_SCRIPT="$ROOT/tests/bench/bench_dashboard.py"
DASHBOARD_TARGET=2
INVOICE_ANALYSIS_TARGET=0.33
PROFIT_SCRIPT="$ROOT/tests/bench/bench_profitability.py"
PROFIT_TARGET=2
# Then the three addons installed on the base database with the same data,
# and their first full recompute (tests/bench/bench_install.py), against
# installing them on an empty database plus the bare aggregate (target 3 x);
# the peak RSS of the processes that evaluate, rank and install (target
# 1024 MiB).
INSTALL_SCRIPT="$ROOT/tests/bench/bench_install.py"
INSTALL_DB="${BENCH_INSTALL_DB:-bench_install}"
INSTALL_TARGET=3
RSS_TARGET=1024
LOAD_SCRIPT="$ROOT/tests/bench/bench_load.py"
LOAD_THREADS="${BENCH_LOAD_THREADS:-4}"
LOAD_SECONDS="${BENCH_LOAD_SECONDS:-30}"
OUT="$STATE_DIR/bench"
FILESTORE="$STATE_DIR/data/filestore"

find_odoo_python
ensure_postgres
mkdir -p "$OUT"
write_config "$LC_DB" "$STATE_DIR/bench_lc.conf"
write_config "$BASE_DB" "$STATE_DIR/bench_base.conf"
write_config "$TIERS_DB" "$STATE_DIR/bench_tiers.conf"
write_config "$INSTALL_DB" "$STATE_DIR/bench_install.conf"

bench_start=$(date +%s)

# Wait for background jobs "pid:what" and fail, with its log, if one failed.
wait_all() {
    local job pid what failed=0
    for job in "$@"; do
        pid="${job%%:*}"
        what="${job#*:}"
        if ! wait "$pid"; then
            say "$what failed; its log:"
            tail -n 40 "$OUT/$what.log" >&2 || true
            failed=1
        fi
    done
    [ "$failed" = 0 ] || die "see the logs above"
}

drop_db() {
    dropdb --if-exists "$1"
    rm -rf "${FILESTORE:?}/$1"
}

clone_db() { # template target
    drop_db "$2"
    createdb -T "$1" "$2"
    if [ -d "$FILESTORE/$1" ]; then
        cp -a "$FILESTORE/$1" "$FILESTORE/$2"
    fi
}

# Fresh installs once, as templates: each size starts from a copy of them.
say "Installing the bench databases (crm_lifecycle; crm,sale_management,account)..."
step=$(date +%s)
drop_db "${LC_DB}_tpl"
drop_db "${BASE_DB}_tpl"
$PY -m odoo -c "$STATE_DIR/bench_lc.conf" -d "${LC_DB}_tpl" -i crm_lifecycle \
    --without-demo=all --stop-after-init --log-level=warn \
    --logfile="$OUT/install_lc.log" &
lc_job="$!:install_lc"
$PY -m odoo -c "$STATE_DIR/bench_base.conf" -d "${BASE_DB}_tpl" \
    -i crm,sale_management,account --without-demo=all --stop-after-init \
    --log-level=warn --logfile="$OUT/install_base.log" &
base_job="$!:install_base"
wait_all "$lc_job" "$base_job"
say "Installed in $(($(date +%s) - step)) s."

# Install the three addons on database $1 (log $OUT/$2.log); print the
# seconds it took.
timed_install() { # db log_name
    local start
    start=$(date +%s.%N)
    if ! $PY -m odoo -c "$STATE_DIR/bench_install.conf" -d "$1" -i crm_analytics \
        --without-demo=all --stop-after-init --log-level=warn \
        --logfile="$OUT/$2.log"; then
        cat "$OUT/$2.log" >&2
        die "installing the addons in $1 failed"
    fi
    awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.3f", e - s }'
}

# "name=value" lines of a result file, as a lookup.
value() { # file key
    sed -n "s/^$2=//p" "$1" | tail -n 1
}

results=()
for size in $SIZES; do
    customers="${size%%:*}"
    invoices="${size##*:}"
    [[ "$customers" =~ ^[0-9]+$ && "$invoices" =~ ^[0-9]+$ ]] \
        || die "BENCH_SIZES: '$size' is not customers:invoices"
    result="$OUT/result_${customers}_${invoices}.txt"
    say "== $customers customers, $invoices invoices =="
    step=$(date +%s)
    clone_db "${LC_DB}_tpl" "$LC_DB"
    clone_db "${BASE_DB}_tpl" "$BASE_DB"
    # Both loads at once: they write to different databases.
    $PY "$SCRIPT" -c "$STATE_DIR/bench_lc.conf" --db "$LC_DB" \
        --customers "$customers" --invoices "$invoices" --phases load \
        >"$OUT/load_lc.log" 2>&1 &
    lc_job="$!:load_lc"
    $PY "$SCRIPT" -c "$STATE_DIR/bench_base.conf" --db "$BASE_DB" \
        --customers "$customers" --invoices "$invoices" --phases load \
        >"$OUT/load_base.log" 2>&1 &
    base_job="$!:load_base"
    wait_all "$lc_job" "$base_job"
    say "Loaded in $(($(date +%s) - step)) s ($(value "$OUT/load_lc.log" load_s) s of SQL)."
    # Measured alone, the two databases interleaved in one process.
    step=$(date +%s)
    $PY "$SCRIPT" -c "$STATE_DIR/bench_lc.conf" --db "$LC_DB" --base-db "$BASE_DB" \
        --customers "$customers" --invoices "$invoices" \
        --phases recompute,post,explain --repeat "$REPEAT" --posts "$POSTS" \
        --explain-dir "$OUT" | tee "$result"
    say "Measured in $(($(date +%s) - step)) s."
    # Value tiers: crm_analytics on a copy of the same data.
    step=$(date +%s)
    clone_db "$LC_DB" "$TIERS_DB"
    if ! $PY -m odoo -c "$STATE_DIR/bench_tiers.conf" -d "$TIERS_DB" -i crm_analytics \
        --without-demo=all --stop-after-init --log-level=warn \
        --logfile="$OUT/install_tiers.log"; then
        cat "$OUT/install_tiers.log" >&2
        die "installing crm_analytics in $TIERS_DB failed"
    fi
    $PY "$TIERS_SCRIPT" -c "$STATE_DIR/bench_tiers.conf" --db "$TIERS_DB" \
        --repeat "$REPEAT" | tee -a "$result"
    $PY "$DASHBOARD_SCRIPT" -c "$STATE_DIR/bench_tiers.conf" --db "$TIERS_DB" \
        --repeat "$REPEAT" | grep '^dashboard_' | tee -a "$result"
    $PY "$PROFIT_SCRIPT" -c "$STATE_DIR/bench_tiers.conf" --db "$TIERS_DB" \
        --repeat "$REPEAT" | grep '^profitability_' | tee -a "$result"
    # Posting with the three addons (lifecycle refresh and tier placement).
    $PY "$SCRIPT" -c "$STATE_DIR/bench_tiers.conf" --db "$TIERS_DB" --base-db "$BASE_DB" \
        --phases post --posts "$POSTS" | grep 'post_' | sed 's/^/all_addons_/' \
        | tee -a "$result"
    say "Tiers, dashboard and profitability measured in $(($(date +%s) - step)) s."
    # The addons installed on the loaded base database, first recompute
    # included, against installing them on an empty one.
    step=$(date +%s)
    clone_db "${BASE_DB}_tpl" "$INSTALL_DB"
    empty_s=$(timed_install "$INSTALL_DB" install_empty)
    clone_db "$BASE_DB" "$INSTALL_DB"
    loaded_s=$(timed_install "$INSTALL_DB" install_loaded)
    {
        echo "install_empty_s=$empty_s"
        echo "install_loaded_s=$loaded_s"
        $PY "$INSTALL_SCRIPT" -c "$STATE_DIR/bench_install.conf" --db "$INSTALL_DB"
    } | tee -a "$result"
    awk -v e="$empty_s" -v l="$loaded_s" \
        -v f="$(value "$result" install_first_evaluation_s)" \
        -v b="$(value "$result" bare_aggregate_s)" \
        'BEGIN { printf "install_ratio=%.4f\n", (l + f) / (e + b) }' | tee -a "$result"
    drop_db "$INSTALL_DB"
    say "Installation measured in $(($(date +%s) - step)) s."
    # Concurrent postings while the crons run (commits: the databases change).
    step=$(date +%s)
    $PY "$LOAD_SCRIPT" -c "$STATE_DIR/bench_tiers.conf" --db "$TIERS_DB" \
        --base-db "$BASE_DB" --threads "$LOAD_THREADS" --seconds "$LOAD_SECONDS" \
        | tee -a "$result"
    say "Load checked in $(($(date +%s) - step)) s."
    results+=("$result")
done
drop_db "${LC_DB}_tpl"
drop_db "${BASE_DB}_tpl"

# Summary: one row per size, both targets.
verdict() { # value target
    awk -v v="$1" -v t="$2" 'BEGIN { print (v != "" && v + 0 <= t + 0) ? "met" : "MISSED" }'
}
missed=0
printf '\n%-16s %9s %9s %9s %7s %7s %-8s %9s %9s %7s %9s %-8s %7s\n' \
    "customers:inv" "bare_s" "cold_s" "steady_s" "r_cold" "r_stdy" "<=$RECOMPUTE_TARGET" \
    "post_ms" "base_ms" "ratio" "queries" "<=$POST_TARGET" "typical"
for result in "${results[@]}"; do
    r_cold="$(value "$result" ratio_cold)"
    r_steady="$(value "$result" ratio_steady)"
    recompute_ok="$(verdict "$(value "$result" ratio)" "$RECOMPUTE_TARGET")"
    post_ok="$(verdict "$(value "$result" post_ratio)" "$POST_TARGET")"
    [ "$recompute_ok" = met ] && [ "$post_ok" = met ] || missed=1
    printf '%-16s %9.3f %9.3f %9.3f %7.2f %7.2f %-8s %9.1f %9.1f %7.2f %4s/%-4s %-8s %7.2f\n' \
        "$(value "$result" customers):$(value "$result" invoices)" \
        "$(value "$result" bare_aggregate_s)" "$(value "$result" recompute_cold_s)" \
        "$(value "$result" recompute_steady_s)" "$r_cold" "$r_steady" "$recompute_ok" \
        "$(value "$result" post_ms)" "$(value "$result" base_post_ms)" \
        "$(value "$result" post_ratio)" "$(value "$result" post_queries)" \
        "$(value "$result" base_post_queries)" "$post_ok" \
        "$(value "$result" typical_post_ratio)"
done
printf '\n%-16s %9s %9s %7s %-8s %9s %7s %9s %9s %9s %11s %11s\n' "customers:inv" \
    "bare_s" "tiers_s" "ratio" "<=$TIERS_TARGET" "w_eval_s" "ratio" "written" \
    "snapshots" "periods" "post_all" "typical_all"
for result in "${results[@]}"; do
    tiers_ok="$(verdict "$(value "$result" tiers_ratio)" "$TIERS_TARGET")"
    [ "$tiers_ok" = met ] || missed=1
    printf '%-16s %9.3f %9.3f %7.2f %-8s %9.3f %7.2f %9s %9s %9s %11.2f %11.2f\n' \
        "$(value "$result" customers):$(value "$result" invoices)" \
        "$(value "$result" tiers_bare_ranking_s)" "$(value "$result" tiers_ranking_s)" \
        "$(value "$result" tiers_ratio)" "$tiers_ok" \
        "$(value "$result" tiers_with_evaluation_s)" \
        "$(value "$result" tiers_with_evaluation_ratio)" \
        "$(value "$result" tiers_profiles_written)" "$(value "$result" tiers_snapshots)" \
        "$(value "$result" tiers_snapshot_periods_written)" \
        "$(value "$result" all_addons_post_ratio)" \
        "$(value "$result" all_addons_typical_post_ratio)"
done
printf '\n%-16s %9s %9s %7s %-8s %9s %7s %-8s\n' "customers:inv" "raw_s" "rpc_s" \
    "ratio" "<=$DASHBOARD_TARGET" "invoice_s" "ratio" "<=$INVOICE_ANALYSIS_TARGET"
for result in "${results[@]}"; do
    dashboard_ok="$(verdict "$(value "$result" dashboard_ratio)" "$DASHBOARD_TARGET")"
    invoice_ok="$(verdict "$(value "$result" dashboard_invoice_ratio)" \
        "$INVOICE_ANALYSIS_TARGET")"
    [ "$dashboard_ok" = met ] && [ "$invoice_ok" = met ] || missed=1
    printf '%-16s %9.3f %9.3f %7.2f %-8s %9.3f %7.2f %-8s\n' \
        "$(value "$result" customers):$(value "$result" invoices)" \
        "$(value "$result" dashboard_raw_sql_s)" "$(value "$result" dashboard_rpc_s)" \
        "$(value "$result" dashboard_ratio)" "$dashboard_ok" \
        "$(value "$result" dashboard_invoice_analysis_s)" \
        "$(value "$result" dashboard_invoice_ratio)" "$invoice_ok"
done
printf '\n%-16s %9s %9s %7s %-8s %9s %9s %9s\n' "customers:inv" "bare_s" \
    "report_s" "ratio" "<=$PROFIT_TARGET" "rg_s" "customers" "differ"
for result in "${results[@]}"; do
    profit_ok="$(verdict "$(value "$result" profitability_ratio)" "$PROFIT_TARGET")"
    [ "$profit_ok" = met ] && [ "$(value "$result" profitability_customers_differing)" = 0 ] \
        || missed=1
    printf '%-16s %9.3f %9.3f %7.2f %-8s %9.3f %9s %9s\n' \
        "$(value "$result" customers):$(value "$result" invoices)" \
        "$(value "$result" profitability_bare_s)" "$(value "$result" profitability_report_s)" \
        "$(value "$result" profitability_ratio)" "$profit_ok" \
        "$(value "$result" profitability_read_group_s)" \
        "$(value "$result" profitability_customers)" \
        "$(value "$result" profitability_customers_differing)"
done
printf '\n%-16s %9s %9s %9s %7s %-8s %9s %9s %9s %-8s\n' "customers:inv" \
    "empty_s" "loaded_s" "first_s" "ratio" "<=$INSTALL_TARGET" "rss_eval" "rss_rank" \
    "rss_inst" "<=$RSS_TARGET"
for result in "${results[@]}"; do
    install_ok="$(verdict "$(value "$result" install_ratio)" "$INSTALL_TARGET")"
    rss_max="$(printf '%s\n' "$(value "$result" recompute_peak_rss_mib)" \
        "$(value "$result" tiers_peak_rss_mib)" \
        "$(value "$result" install_peak_rss_mib)" | sort -g | tail -n 1)"
    rss_ok="$(verdict "$rss_max" "$RSS_TARGET")"
    [ "$install_ok" = met ] && [ "$rss_ok" = met ] || missed=1
    printf '%-16s %9.1f %9.1f %9.1f %7.2f %-8s %9.0f %9.0f %9.0f %-8s\n' \
        "$(value "$result" customers):$(value "$result" invoices)" \
        "$(value "$result" install_empty_s)" "$(value "$result" install_loaded_s)" \
        "$(value "$result" install_first_evaluation_s)" \
        "$(value "$result" install_ratio)" "$install_ok" \
        "$(value "$result" recompute_peak_rss_mib)" \
        "$(value "$result" tiers_peak_rss_mib)" \
        "$(value "$result" install_peak_rss_mib)" "$rss_ok"
done
printf '\n%-16s %9s %9s %7s %9s %9s %9s %9s %-8s\n' "customers:inv" "attempted" \
    "committed" "failed" "ser_errs" "cron_fail" "differ" "thruput" ">=0.90"
for result in "${results[@]}"; do
    failed="$(value "$result" load_failed)"
    lost="$(value "$result" load_profiles_differing_from_full_evaluation)"
    [ "$failed" = 0 ] && [ "$(value "$result" load_cron_failures)" = 0 ] \
        && [ "$lost" = 0 ] || missed=1
    throughput="$(value "$result" load_throughput_ratio)"
    throughput_ok="$(awk -v v="$throughput" 'BEGIN { print (v != "" && v + 0 >= 0.9) ? "met" : "MISSED" }')"
    [ "$throughput_ok" = met ] || missed=1
    printf '%-16s %9s %9s %7s %9s %9s %9s %9.2f %-8s\n' \
        "$(value "$result" customers):$(value "$result" invoices)" \
        "$(value "$result" load_attempted)" "$(value "$result" load_committed)" \
        "$failed" "$(value "$result" load_serialization_errors)" \
        "$(value "$result" load_cron_failures)" "$lost" "$throughput" \
        "$throughput_ok"
done
say ""
say "Load check: postings failed, cron failures and profiles differing from a" \
    "full evaluation must be 0; thruput = postings committed with the addons" \
    "and their crons / without the addons (target >= 0.90)."
say "Targets: recompute (cold and steady) <= $RECOMPUTE_TARGET x the bare aggregate;" \
    "invoice post <= $POST_TARGET x without crm_lifecycle (post_ms: the customer" \
    "with the most invoices; typical: post ratio for the median customer);" \
    "full value-tier ranking <= $TIERS_TARGET x a bare SQL ranking" \
    "(tiers_s: the tiers' daily cron after the lifecycle's; w_eval_s:" \
    "recompute() evaluating the day's customers too, no target; post_all," \
    "typical_all: posting with the three addons, no target);" \
    "dashboard data RPC <= $DASHBOARD_TARGET x the equivalent raw SQL and" \
    "<= $INVOICE_ANALYSIS_TARGET x Invoicing's Invoice Analysis (invoice_s: its" \
    "read_group by month, as its menu opens it);" \
    "profitability of every customer over 12 months, as the pivot reads it" \
    "(report_s) <= $PROFIT_TARGET x a bare SQL GROUP BY of the same invoice" \
    "lines (rg_s: its _read_group alone; differ: customers whose revenue" \
    "differs, must be 0); the three addons installed on the loaded data" \
    "(loaded_s) plus their first full recompute (first_s) <= $INSTALL_TARGET x" \
    "installing them on an empty database (empty_s) plus the bare aggregate;" \
    "peak RSS (MiB) of the processes evaluating, ranking and making the first" \
    "recompute <= $RSS_TARGET."
say "Results and EXPLAIN plans: $OUT. Databases $LC_DB, $BASE_DB and $TIERS_DB are kept."
say "make bench took $(($(date +%s) - bench_start)) s."
if [ "$missed" = 1 ] && [ "${BENCH_STRICT:-0}" = 1 ]; then
    die "a target was missed"
fi
