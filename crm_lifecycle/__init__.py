from . import models
from . import wizard


def uninstall_hook(env):
    """Drop what ``crm.customer.profile.init()`` created outside the ORM."""
    from odoo.tools import SQL

    env.cr.execute(
        SQL(
            "DROP FUNCTION IF EXISTS crm_lifecycle_refresh; "
            "DROP FUNCTION IF EXISTS crm_lifecycle_refresh_due; "
            "DROP INDEX IF EXISTS account_move_crm_lifecycle_customer_index"
        )
    )
