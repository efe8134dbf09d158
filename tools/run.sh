#!/usr/bin/env bash
# `make run`: a demo database with the three addons, served on localhost:8069.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB="${DB:-crm_demo}"
PORT="${PORT:-8069}"
find_odoo_python
ensure_postgres
CONF="$STATE_DIR/run.conf"
write_config "$DB" "$CONF" "http_port = $PORT"

installed() {
    psql -d "$DB" -tAc "SELECT count(*) FROM ir_module_module
                        WHERE state = 'installed'
                          AND name IN ('crm_lifecycle', 'crm_satisfaction', 'crm_analytics')" \
        2>/dev/null | grep -qx 3
}

if installed; then
    say "Reusing database $DB (set DB=<name> for another one)."
    UPDATE=(-u "$ADDONS")
else
    say "Creating database $DB with demo data (a few minutes the first time)..."
    dropdb --if-exists "$DB"
    UPDATE=(-i "$ADDONS")
fi
$PY -m odoo -c "$CONF" "${UPDATE[@]}" --stop-after-init --log-level=warn

cat >&2 <<MSG

  Odoo is serving the demo database on http://localhost:$PORT
  Log in as admin / admin (Ctrl-C stops the server).

MSG
exec $PY -m odoo -c "$CONF" --log-level=info
