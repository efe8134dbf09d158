from . import models
from . import report
from . import wizard


def uninstall_hook(env):
    """Drop what ``crm.customer.profile.init()`` created outside the ORM;
    the customers' records it created stay the company's (see
    ``crm_lifecycle.hooks``)."""
    from odoo.tools import SQL

    from odoo.addons.crm_lifecycle.hooks import keep_company_records

    keep_company_records(env, "crm_analytics")
    env.cr.execute(SQL("DROP FUNCTION IF EXISTS crm_analytics_place"))
