from . import models
from . import report
from . import wizard


def uninstall_hook(env):
    """Drop what ``crm.customer.profile.init()`` created outside the ORM."""
    from odoo.tools import SQL

    env.cr.execute(SQL("DROP FUNCTION IF EXISTS crm_analytics_place"))
