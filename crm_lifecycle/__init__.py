from . import models
from . import wizard


def uninstall_hook(env):
    """Drop what ``crm.customer.profile.init()`` created outside the ORM;
    the demo customers, leads and invoices stay the company's (see
    ``crm_lifecycle.hooks``)."""
    from odoo.tools import SQL

    from .hooks import keep_company_records

    keep_company_records(env, "crm_lifecycle")
    env.cr.execute(
        SQL("DROP INDEX IF EXISTS account_move_crm_lifecycle_customer_index")
    )
