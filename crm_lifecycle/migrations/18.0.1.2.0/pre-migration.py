from odoo.tools import SQL


def migrate(cr, version):
    """The evaluation no longer keeps code in the database, a cron cursor nor
    the companies' evaluation dates: drop the functions, the system parameter
    and the columns of 18.0.1.1.0. Every profile
    is then evaluated again by the next daily run (its facts date is cleared,
    the progress of the new cron)."""
    if not version:
        return
    cr.execute(
        SQL(
            "DROP FUNCTION IF EXISTS crm_lifecycle_refresh; "
            "DROP FUNCTION IF EXISTS crm_lifecycle_refresh_due"
        )
    )
    cr.execute(
        SQL(
            "DELETE FROM ir_config_parameter WHERE key = %s",
            "crm_lifecycle.cron_cursor",
        )
    )
    cr.execute(
        SQL(
            "ALTER TABLE res_company DROP COLUMN IF EXISTS crm_lifecycle_date, "
            "DROP COLUMN IF EXISTS crm_lifecycle_evaluated_at"
        )
    )
    cr.execute(SQL("UPDATE crm_customer_profile SET facts_date = NULL"))
