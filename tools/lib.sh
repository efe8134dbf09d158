# Shared by the project's commands (sourced, not run).
# Finds the Python that has Odoo 18, and makes sure PostgreSQL runs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ADDONS="crm_lifecycle,crm_satisfaction,crm_analytics"
STATE_DIR="$ROOT/.odoo"

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# The interpreter that imports Odoo: $ODOO_PYTHON if set, else the one the
# `odoo` command on PATH runs with, else python3.
find_odoo_python() {
    local candidates=() odoo_bin shebang
    [ -n "${ODOO_PYTHON:-}" ] && candidates+=("$ODOO_PYTHON")
    if odoo_bin="$(command -v odoo 2>/dev/null)"; then
        shebang="$(head -n 1 "$(readlink -f "$odoo_bin")" 2>/dev/null || true)"
        case "$shebang" in
            "#!"*python*) candidates+=("${shebang#\#!}") ;;
        esac
    fi
    candidates+=(python3 python)
    local py
    for py in "${candidates[@]}"; do
        # shellcheck disable=SC2086
        if $py -c 'import odoo, sys; sys.exit(0 if odoo.release.version_info[0] == 18 else 1)' \
            >/dev/null 2>&1; then
            PY="$py"
            return 0
        fi
    done
    die "Odoo 18 is not importable (tried: ${candidates[*]}). Install Odoo 18 so that \`import odoo\` works, or set ODOO_PYTHON to the Python that has it."
}

# Start PostgreSQL (installing Debian's package if it is missing) and give
# the current OS user a role that may create databases.
ensure_postgres() {
    if ! command -v pg_lsclusters >/dev/null 2>&1; then
        say "PostgreSQL is not installed: installing Debian's postgresql package"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    local cluster
    cluster="$(pg_lsclusters -h | head -n 1)"
    if [ -z "$cluster" ]; then
        local version
        version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
        as_root pg_createcluster "$version" main >/dev/null
        cluster="$(pg_lsclusters -h | head -n 1)"
    fi
    read -r pg_version pg_name _port pg_status _rest <<<"$cluster"
    if [ "$pg_status" != "online" ]; then
        as_root pg_ctlcluster "$pg_version" "$pg_name" start
    fi
    local me
    me="$(id -un)"
    if ! as_root su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname = '$me'\"" | grep -q 1; then
        as_root su postgres -c "createuser --superuser '$me'"
    fi
}

write_config() { # db_name config_path [extra lines]
    local db="$1" conf="$2"
    mkdir -p "$(dirname "$conf")"
    local odoo_addons
    odoo_addons="$($PY -c 'import os, odoo; print(",".join(p for p in odoo.addons.__path__ + [os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "addons")] if os.path.isdir(p)))')"
    cat >"$conf" <<CONF
[options]
addons_path = $odoo_addons,$ROOT
db_name = $db
dbfilter = ^$db\$
data_dir = $STATE_DIR/data
list_db = False
${3:-}
CONF
}

# The test tools of requirements-test.txt (pytest-odoo, checklog-odoo, ...)
# in Odoo's interpreter.
ensure_test_requirements() {
    if ! $PY -c 'import pytest_odoo, websocket, phonenumbers, checklog_odoo' >/dev/null 2>&1; then
        say "Installing the test requirements into $PY"
        $PY -m pip install -q -r "$ROOT/requirements-test.txt"
    fi
}

# Fails, printing them with their tracebacks, when the Odoo log holds a
# record of level WARNING or above (checklog-odoo) that the ignore patterns of
# checklog-odoo.cfg do not match. An empty log passes. Further arguments are
# checklog-odoo options: `--ignore REGEX` (repeatable) replaces the patterns
# of checklog-odoo.cfg.
check_odoo_log() { # log_file [checklog-odoo options]
    local log="$1"
    shift
    (cd "$ROOT" && $PY -m checklog_odoo --config "$ROOT/checklog-odoo.cfg" \
        --no-err-if-empty "$@" "$log") >&2
}
