#!/usr/bin/env bash
# `make test`: a fresh database with the three addons, then every test
# (the addons' own and tests/) through pytest-odoo, browser tours included.
# Fails when a test fails or when the install or a test logs a WARNING/ERROR.
# Without arguments, then runs tools/check_uninstall.sh and
# tools/check_upgrade.sh (on the databases "${TEST_DB}_uninstall" and
# "${TEST_DB}_upgrade"). TEST_DB and HTTP_PORT choose another database and
# port.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB="${TEST_DB:-crm_test}"
find_odoo_python
ensure_postgres

# Test tools in Odoo's interpreter: pytest-odoo, and websocket-client without
# which Odoo silently skips every browser tour.
if ! $PY -c 'import pytest_odoo, websocket, phonenumbers' >/dev/null 2>&1; then
    say "Installing the test requirements into $PY"
    $PY -m pip install -q -r "$ROOT/requirements-test.txt"
fi
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
LOG="$STATE_DIR/install.log"
mkdir -p "$STATE_DIR"
: >"$LOG" # Odoo appends to --logfile: start from an empty log
dropdb --if-exists "$DB"
say "Installing $ADDONS into a fresh database $DB..."
start=$(date +%s)
if ! $PY -m odoo -c "$CONF" -i "$ADDONS" --stop-after-init \
    --log-level=warn --logfile="$LOG"; then
    cat "$LOG" >&2
    die "the install failed"
fi
if grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (WARNING|ERROR|CRITICAL) ' "$LOG" >&2; then
    die "the install logged the warnings or errors above"
fi
say "Installed in $(( $(date +%s) - start )) s."

cd "$ROOT"
set +e
$PY -m pytest -p no:cacheprovider \
    --odoo-config="$CONF" --odoo-database="$DB" --odoo-log-level=warn --odoo-http \
    crm_lifecycle crm_satisfaction crm_analytics tests "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
    die "pytest collected no test"
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
