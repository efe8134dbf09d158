from . import models
from . import report
from . import wizard
from . import tools


def uninstall_hook(env):
    """The customers' records the addon created stay the company's (see
    ``crm_lifecycle.hooks``); drop the index ``crm.touchpoint.init()``
    created on Odoo's payments."""
    from odoo.tools import SQL

    from odoo.addons.crm_lifecycle.hooks import keep_company_records

    keep_company_records(env, "crm_analytics")
    env.cr.execute(SQL("DROP INDEX IF EXISTS account_payment_crm_touchpoint_index"))
