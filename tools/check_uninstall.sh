#!/usr/bin/env bash
# `make check-uninstall`: uninstalling the addons never deletes customers'
# data. On a scratch database (UNINSTALL_DB, default crm_uninstall_check):
# install the three addons with demo data, count the core records (partners,
# posted invoices, surveys, their questions, survey responses and answers,
# activity types, leads, sale orders), uninstall crm_analytics,
# crm_satisfaction then crm_lifecycle, count again, check that none of their
# tables, views, parameters, crons or partner columns is left, and reinstall
# them.
# Fails when a count changed, a step failed or Odoo logged an ERROR; every
# step runs, so that one run shows every difference.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB="${UNINSTALL_DB:-crm_uninstall_check}"
find_odoo_python
ensure_postgres
ensure_test_requirements

CONF="$STATE_DIR/uninstall_check.conf"
write_config "$DB" "$CONF"
LOG="$STATE_DIR/uninstall_check.log"
STEP_LOG="$STATE_DIR/uninstall_check_step.log"
mkdir -p "$STATE_DIR"
: >"$LOG"
: >"$STEP_LOG"
start=$(date +%s)

odoo() {
    $PY -m odoo "$@" -c "$CONF" -d "$DB" --no-http --log-level=warn --logfile="$STEP_LOG"
}

failed=0
fail() { say "FAILED: $*"; failed=1; }

# The log of the step just run must hold no ERROR (or CRITICAL): checklog-odoo
# shows its WARNINGs without failing; each step starts a new log, appended to
# the full one.
check_log() { # step
    cat "$STEP_LOG" >>"$LOG"
    if ! check_odoo_log "$STEP_LOG" --ignore '\A[0-9-]+ [0-9:,]+ [0-9]+ WARNING '; then
        fail "$1 logged the errors above (full log: $LOG)"
    fi
    : >"$STEP_LOG"
}

counts() {
    psql -d "$DB" -XtA -F ' ' <<'SQL'
SELECT 'partners', count(*) FROM res_partner
UNION ALL SELECT 'posted_invoices', count(*) FROM account_move
 WHERE state = 'posted' AND move_type IN ('out_invoice', 'out_refund')
UNION ALL SELECT 'posted_invoices_total', coalesce(sum(amount_total_signed), 0)
  FROM account_move
 WHERE state = 'posted' AND move_type IN ('out_invoice', 'out_refund')
UNION ALL SELECT 'surveys', count(*) FROM survey_survey
UNION ALL SELECT 'survey_questions', count(*) FROM survey_question
UNION ALL SELECT 'survey_responses', count(*) FROM survey_user_input
UNION ALL SELECT 'survey_answers', count(*) FROM survey_user_input_line
UNION ALL SELECT 'activity_types', count(*) FROM mail_activity_type
UNION ALL SELECT 'leads', count(*) FROM crm_lead
UNION ALL SELECT 'sale_orders', count(*) FROM sale_order
ORDER BY 1
SQL
}

module_state() { # module
    psql -d "$DB" -XtAc "SELECT state FROM ir_module_module WHERE name = '$1'"
}

dropdb --if-exists "$DB"
say "Installing $ADDONS with demo data into $DB..."
if ! odoo -i "$ADDONS" --stop-after-init; then
    cat "$STEP_LOG" >&2
    die "the install failed"
fi
check_log "the install"
before="$(counts)"
# The addons' own tables (models no other module defines or extends) and
# their stored fields on other models, configuration parameters and crons:
# gone afterwards.
own_tables="$(psql -d "$DB" -XtAc "
    SELECT string_agg(replace(m.model, '.', '_'), ' ' ORDER BY m.model)
      FROM ir_model m
     WHERE EXISTS (SELECT 1 FROM ir_model_data d
                    WHERE d.model = 'ir.model' AND d.res_id = m.id
                      AND d.module IN ('crm_lifecycle', 'crm_satisfaction', 'crm_analytics'))
       AND NOT EXISTS (SELECT 1 FROM ir_model_data d
                        WHERE d.model = 'ir.model' AND d.res_id = m.id
                          AND d.module NOT IN ('crm_lifecycle', 'crm_satisfaction', 'crm_analytics'))")"
[ -n "$own_tables" ] || fail "no model of the addons found"
# their stored fields on other modules' models (e.g. the partner's stage)
own_columns="$(psql -d "$DB" -XtAc "
    SELECT string_agg(replace(f.model, '.', '_') || '.' || f.name, ' ' ORDER BY f.model, f.name)
      FROM ir_model_fields f
     WHERE f.store AND f.ttype NOT IN ('one2many', 'many2many')
       AND EXISTS (SELECT 1 FROM ir_model_data d
                    WHERE d.model = 'ir.model.fields' AND d.res_id = f.id
                      AND d.module IN ('crm_lifecycle', 'crm_satisfaction', 'crm_analytics'))
       AND NOT EXISTS (SELECT 1 FROM ir_model_data d
                        WHERE d.model = 'ir.model.fields' AND d.res_id = f.id
                          AND d.module NOT IN ('crm_lifecycle', 'crm_satisfaction', 'crm_analytics'))
       AND replace(f.model, '.', '_') <> ALL (string_to_array('$own_tables', ' '))")"
[ -n "$own_columns" ] || fail "no field of the addons on other models found"
say "Records:" $before

for module in crm_analytics crm_satisfaction crm_lifecycle; do
    say "Uninstalling $module..."
    echo "env['ir.module.module'].search([('name', '=', '$module')]).button_immediate_uninstall()" \
        | odoo shell >/dev/null || fail "uninstalling $module raised an error"
    [ "$(module_state "$module")" = uninstalled ] || fail "$module is still installed"
    check_log "uninstalling $module"
    after="$(counts)"
    if [ "$before" != "$after" ]; then
        diff <(echo "$before") <(echo "$after") >&2 || true
        fail "uninstalling $module deleted or changed the records above"
        before="$after"
    fi
done

for table in $own_tables; do
    [ "$(psql -d "$DB" -XtAc "SELECT to_regclass('$table') IS NULL")" = t ] \
        || fail "the table or view $table is left after the uninstall"
done
leftovers="$(psql -d "$DB" -XtAc "
    SELECT string_agg(what, ', ') FROM (
        SELECT 'parameter ' || key AS what FROM ir_config_parameter
         WHERE key ~ '^crm_(lifecycle|satisfaction|analytics)\.'
        UNION ALL
        SELECT 'cron ' || c.cron_name FROM ir_cron c
         WHERE NOT EXISTS (SELECT 1 FROM ir_act_server a
                            JOIN ir_model m ON m.id = a.model_id
                           WHERE a.id = c.ir_actions_server_id)
        UNION ALL
        SELECT 'column ' || table_name || '.' || column_name
          FROM information_schema.columns
         WHERE table_name || '.' || column_name = ANY (string_to_array('$own_columns', ' '))
    ) AS leftover")"
[ -z "$leftovers" ] || fail "left after the uninstall: $leftovers"

say "Reinstalling $ADDONS..."
odoo -i "$ADDONS" --stop-after-init || fail "the reinstall raised an error"
check_log "the reinstall"
for module in ${ADDONS//,/ }; do
    [ "$(module_state "$module")" = installed ] || fail "$module did not reinstall"
done
[ "$failed" = 0 ] || die "the uninstall check failed (log: $LOG)"
say "Uninstall check passed in $(( $(date +%s) - start )) s."
