from odoo import SUPERUSER_ID, api
from odoo.tools import SQL


def migrate(cr, version):
    """Escalations no longer carry a summary written in the cron's language
    ("Overdue case: <reference>", or the type's default "Overdue case", in
    English or Chinese): clear it, so that they show their type's name in the
    reader's language, and clear the type's default summary, unless someone
    changed it. Runs after the 18.0.1.2.0 script, which retypes the older
    To-Do escalations by that summary."""
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    escalation = env.ref(
        "crm_satisfaction.mail_activity_type_escalation", raise_if_not_found=False
    )
    if not escalation:
        return
    env.execute_query(
        SQL(
            """
            UPDATE mail_activity_type
               SET summary = NULL
             WHERE id = %(escalation)s
               AND summary->>'en_US' = %(default)s
            """,
            escalation=escalation.id,
            default="Overdue case",
        )
    )
    # done escalations (kept, archived) too
    env.execute_query(
        SQL(
            """
            UPDATE mail_activity
               SET summary = NULL
             WHERE res_model = 'crm.service.case'
               AND activity_type_id = %(escalation)s
               AND (summary LIKE %(english)s OR summary LIKE %(chinese)s
                    OR summary IN %(defaults)s)
            """,
            escalation=escalation.id,
            english="Overdue case: %",
            chinese="逾期案例：%",
            defaults=("Overdue case", "逾期案例"),
        )
    )
    env["mail.activity.type"].invalidate_model(["summary"])
    env["mail.activity"].invalidate_model(["summary"])
