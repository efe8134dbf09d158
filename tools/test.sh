#!/usr/bin/env bash
# `make test`: a fresh database with the three addons (and stock_account),
# then every test
# (the addons' own and tests/) through pytest-odoo, browser tours included.
# Fails when a test fails or when the install or a test logs a WARNING/ERROR.
# Without arguments, then runs Odoo's own tests of the apps we extend on the
# same database (CORE_TESTS=0 skips them, CORE_TESTS=1 runs them with
# arguments too), tools/check_uninstall.sh and tools/check_upgrade.sh (on the
# databases "${TEST_DB}_uninstall" and "${TEST_DB}_upgrade"). TEST_DB and
# HTTP_PORT choose another database and
# port.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB="${TEST_DB:-crm_test}"
find_odoo_python
ensure_postgres

# Test tools in Odoo's interpreter: pytest-odoo, checklog-odoo, and
# websocket-client without which Odoo silently skips every browser tour.
ensure_test_requirements
# Browser tours run in Debian's Chromium.
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 \
    && ! command -v google-chrome >/dev/null 2>&1; then
    say "Chromium is missing: installing Debian's chromium package"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

CONF="$STATE_DIR/test.conf"
# HTTP_PORT: another port for the tours' server (8069 by default), so that
# two test runs can share the machine.
write_config "$DB" "$CONF" "http_port = ${HTTP_PORT:-8069}"
# stock_account beside the addons: crm_analytics' tests read the cost of goods
# sold that its automated valuation books on invoices.
MODULES="$ADDONS,stock_account"
LOG="$STATE_DIR/install.log"
mkdir -p "$STATE_DIR"
: >"$LOG" # Odoo appends to --logfile: start from an empty log
dropdb --if-exists "$DB"
say "Installing $MODULES into a fresh database $DB..."
start=$(date +%s)
if ! $PY -m odoo -c "$CONF" -i "$MODULES" --stop-after-init \
    --log-level=warn --logfile="$LOG"; then
    cat "$LOG" >&2
    die "the install failed"
fi
if ! check_odoo_log "$LOG"; then
    die "the install logged the warnings or errors above"
fi
say "Installed in $(( $(date +%s) - start )) s."

# Odoo's own tests of the apps we extend, on the test database with the three
# addons installed; fails if one fails, errs or logs a warning.
CORE_MODULES=(crm survey sale_management)
CORE_ACCOUNT_CLASSES=(TestAccountMoveOutInvoiceOnchanges TestAccountMoveOutRefundOnchanges TestInvoiceTaxes)
run_core_tests() {
    local failed=() start core_paths tags module class odoo_status summary
    # 1. at_install tests. Odoo runs them while it installs their module,
    #    before any module that depends on it; on an installed database it
    #    runs them while loading the registry module by module, without the
    #    modules loaded later (survey's tests then fail on account's NOT NULL
    #    columns of res_partner, with or without our addons). pytest-odoo runs
    #    them in the full registry.
    readarray -t core_paths < <($PY -c '
import sys, odoo
from odoo.modules.module import get_module_path
odoo.tools.config.parse_config(["-c", sys.argv[1]])
print("\n".join(get_module_path(module) + "/tests" for module in sys.argv[2:]))
' "$CONF" "${CORE_MODULES[@]}")
    if [ "${#core_paths[@]}" != "${#CORE_MODULES[@]}" ]; then
        say "error: the tests of ${CORE_MODULES[*]} were not found"
        return 1
    fi
    say "Odoo's own at_install tests of ${CORE_MODULES[*]}, with every addon loaded..."
    start=$(date +%s)
    if ! $PY -m pytest -p no:cacheprovider -p conftest --rootdir="$ROOT" -c "$ROOT/pyproject.toml" \
        --odoo-config="$CONF" --odoo-database="$DB" --odoo-log-level=warn --odoo-http \
        --odoo-position=at_install -q "${core_paths[@]}"; then
        failed+=("at_install tests")
    fi
    say "Odoo's at_install tests: $(( $(date +%s) - start )) s."

    # 2. post_install tests, through Odoo's own runner, as Odoo runs them
    #    after an install: crm, survey, sale_management, account's invoice
    #    classes.
    tags="-at_install"
    for module in "${CORE_MODULES[@]}"; do tags+=",/$module"; done
    for class in "${CORE_ACCOUNT_CLASSES[@]}"; do tags+=",/account:$class"; done
    CORE_LOG="$STATE_DIR/core-tests.log"
    : >"$CORE_LOG"
    say "Odoo's own post_install tests ($tags)..."
    start=$(date +%s)
    set +e
    $PY -m odoo -c "$CONF" -d "$DB" --test-tags="$tags" --stop-after-init \
        --log-level=info --logfile="$CORE_LOG"
    odoo_status=$?
    set -e
    # The runner's verdict: "N failed, N error(s) of N tests when loading database"
    summary="$(grep -oE '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$CORE_LOG" | tail -n 1)"
    # Each WARNING/ERROR/CRITICAL with its traceback.
    if ! check_odoo_log "$CORE_LOG"; then
        failed+=("post_install tests (the log lines above; $CORE_LOG)")
    elif [ "$odoo_status" != 0 ] || ! [[ "$summary" =~ ^0\ failed,\ 0\ error ]]; then
        failed+=("post_install tests (exit code $odoo_status, ${summary:-no summary}; $CORE_LOG)")
    fi
    say "Odoo's post_install tests: ${summary:-no summary}, $(( $(date +%s) - start )) s."
    if [ "${#failed[@]}" != 0 ]; then
        say "error: Odoo's own tests failed with the addons installed: ${failed[*]}"
        return 1
    fi
}

cd "$ROOT"
start=$(date +%s)
set +e
$PY -m pytest -p no:cacheprovider \
    --odoo-config="$CONF" --odoo-database="$DB" --odoo-log-level=warn --odoo-http \
    crm_lifecycle crm_satisfaction crm_analytics tests "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
    die "pytest collected no test"
fi
say "Project tests: $(( $(date +%s) - start )) s."
if [ "${CORE_TESTS:-$([ "$#" = 0 ] && echo 1 || echo 0)}" = 1 ]; then
    if ! run_core_tests; then
        status=1
    fi
fi
# A full run (no pytest argument) also uninstalls the addons from a scratch
# database and checks that no customer data went with them (about 1.5 min),
# and upgrades a database of the previous release (about 1.5 min).
if [ "$#" = 0 ]; then
    if ! UNINSTALL_DB="${UNINSTALL_DB:-${DB}_uninstall}" bash "$ROOT/tools/check_uninstall.sh"; then
        status=1
    fi
    if ! UPGRADE_DB="${UPGRADE_DB:-${DB}_upgrade}" bash "$ROOT/tools/check_upgrade.sh"; then
        status=1
    fi
fi
exit "$status"
