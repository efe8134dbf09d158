from . import controllers
from . import models
from . import wizard


def uninstall_hook(env):
    """The shipped surveys, the callback activity type and the demo
    responses stay the company's (see ``crm_lifecycle.hooks``)."""
    from odoo.addons.crm_lifecycle.hooks import keep_company_records

    keep_company_records(env, "crm_satisfaction")
