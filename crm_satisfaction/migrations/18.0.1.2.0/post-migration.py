from odoo import SUPERUSER_ID, api
from odoo.tools import SQL


def migrate(cr, version):
    """Escalations used to be To-Do activities ("Overdue case: <reference>",
    in English or Chinese) left open after the case was resolved: make them
    "Overdue Case" activities, and mark done those of cases that are no
    longer open, as resolving or closing a case now does."""
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    todo = env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
    escalation = env.ref(
        "crm_satisfaction.mail_activity_type_escalation", raise_if_not_found=False
    )
    if not todo or not escalation:
        return
    rows = env.execute_query(
        SQL(
            """
            UPDATE mail_activity a
               SET activity_type_id = %(escalation)s
              FROM crm_service_case c
             WHERE a.res_model = 'crm.service.case'
               AND a.res_id = c.id
               AND a.activity_type_id = %(todo)s
               AND c.date_escalated IS NOT NULL
               AND (a.summary LIKE %(english)s OR a.summary LIKE %(chinese)s)
         RETURNING c.id, c.state
            """,
            escalation=escalation.id,
            todo=todo.id,
            english="Overdue case: %",
            chinese="逾期案例：%",
        )
    )
    env["mail.activity"].invalidate_model()
    cases = env["crm.service.case"].browse(
        case_id for case_id, state in rows if state not in ("recorded", "in_progress")
    )
    cases._close_escalation(env._("The case was resolved."))
