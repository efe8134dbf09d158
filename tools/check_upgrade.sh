#!/usr/bin/env bash
# `make check-upgrade`: a database of the previous release upgrades cleanly.
#
# Installs the three addons with their demo data from the git ref
# UPGRADE_FROM (default 1c7fb3f, the last commit of 18.0.1.1.0) into the
# scratch database UPGRADE_DB (default crm_upgrade_check), updates them with
# this tree, and fails unless:
#   - the update logs no WARNING or ERROR;
#   - nothing of the old design is left: the database functions, the cron
#     cursor parameter, the companies' evaluation dates, the snapshots' view
#     and model;
#   - every profile's reason has its figures;
#   - partners, posted invoices, profiles and history rows are unchanged;
#   - after the daily cron, every customer is in the stage the old release
#     gave it (the rules did not change), with no new history row.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB="${UPGRADE_DB:-crm_upgrade_check}"
FROM="${UPGRADE_FROM:-1c7fb3f}"
ADDONS=crm_lifecycle,crm_satisfaction,crm_analytics
find_odoo_python
ensure_postgres
ensure_test_requirements

OLD="$STATE_DIR/upgrade_from"
rm -rf "$OLD" && mkdir -p "$OLD"
git -C "$ROOT" archive "$FROM" crm_lifecycle crm_satisfaction crm_analytics \
    | tar -x -C "$OLD"
OLD_CONF="$STATE_DIR/upgrade_old.conf"
NEW_CONF="$STATE_DIR/upgrade_new.conf"
(ROOT="$OLD" && write_config "$DB" "$OLD_CONF")
write_config "$DB" "$NEW_CONF"
LOG="$STATE_DIR/upgrade.log"

state() { # the records an upgrade must keep, one line each
    psql -X -q -A -t -d "$DB" -c "
        SELECT 'partners', count(*) FROM res_partner
        UNION ALL SELECT 'posted invoices', count(*) FROM account_move
         WHERE state = 'posted' AND move_type IN ('out_invoice', 'out_refund')
        UNION ALL SELECT 'profiles', count(*) FROM crm_customer_profile
        UNION ALL SELECT 'history rows', count(*) FROM crm_lifecycle_history"
    psql -X -q -A -t -d "$DB" -c "
        SELECT partner_id, company_id, lifecycle_stage
          FROM crm_customer_profile ORDER BY partner_id, company_id"
}

dropdb --if-exists "$DB"
say "Installing $ADDONS of $FROM into $DB..."
: >"$LOG"
$PY -m odoo -c "$OLD_CONF" -i "$ADDONS" --stop-after-init --log-level=warn \
    --logfile="$LOG" || { cat "$LOG" >&2; die "the install of $FROM failed"; }
before="$(state)"

say "Updating them with this tree..."
: >"$LOG"
$PY -m odoo -c "$NEW_CONF" -u "$ADDONS" --stop-after-init --log-level=warn \
    --logfile="$LOG" || { cat "$LOG" >&2; die "the update failed"; }
if ! check_odoo_log "$LOG"; then
    die "the update logged the warnings or errors above"
fi
leftovers="$(psql -X -q -A -t -d "$DB" -c "
    SELECT 'function ' || proname FROM pg_proc
     WHERE proname IN ('crm_lifecycle_refresh', 'crm_lifecycle_refresh_due',
                       'crm_analytics_place')
    UNION ALL SELECT 'parameter ' || key FROM ir_config_parameter
     WHERE key = 'crm_lifecycle.cron_cursor'
    UNION ALL SELECT 'column ' || column_name FROM information_schema.columns
     WHERE table_name = 'res_company'
       AND column_name IN ('crm_lifecycle_date', 'crm_lifecycle_evaluated_at')
    UNION ALL SELECT 'view ' || relname FROM pg_class
     WHERE relname = 'crm_customer_snapshot'
    UNION ALL SELECT 'model ' || model FROM ir_model
     WHERE model = 'crm.customer.snapshot'")"
[ -z "$leftovers" ] || die "left over by the upgrade: $leftovers"
# reasons are a rule and its figures now: every one of them can be read
unreadable="$(psql -X -q -A -t -d "$DB" -c "
    SELECT count(*) FROM crm_customer_profile
     WHERE stage_reason_figures IS NULL AND stage_rule IS DISTINCT FROM 'manual'")"
[ "$unreadable" = 0 ] || die "$unreadable profiles without the figures of their reason"

say "Running the daily cron..."
: >"$LOG"
$PY -m odoo shell -c "$NEW_CONF" --log-level=warn --logfile="$LOG" >/dev/null <<'PYTHON'
Profile = env["crm.customer.profile"].with_context(ir_cron_progress_id=False)
while Profile._cron_recompute():
    pass
env.cr.commit()
PYTHON
if ! check_odoo_log "$LOG"; then
    die "the daily cron logged the warnings or errors above"
fi
after="$(state)"
if [ "$before" != "$after" ]; then
    diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") >&2 || true
    die "the upgrade changed the records above"
fi
say "Upgrade from $FROM: clean log, nothing left over, records ($(printf '%s\n' "$after" \
    | head -4 | tr '|' ' ' | paste -sd ',')) unchanged."
