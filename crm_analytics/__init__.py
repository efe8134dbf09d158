from . import models
from . import report
from . import wizard
from . import tools


def uninstall_hook(env):
    """The customers' records the addon created stay the company's (see
    ``crm_lifecycle.hooks``); drop the index ``crm.touchpoint.init()``
    created on Odoo's payments; the service levels of a tier go with the
    tiers, and the levels' unique key is crm_satisfaction's again."""
    from odoo.tools import SQL

    from odoo.addons.crm_lifecycle.hooks import keep_company_records

    keep_company_records(env, "crm_analytics")
    env.cr.execute(SQL("DROP INDEX IF EXISTS account_payment_crm_touchpoint_index"))
    env["crm.service.sla"].search([("value_tier", "!=", False)]).unlink()
    env.cr.execute(
        SQL(
            """ALTER TABLE crm_service_sla
                   DROP CONSTRAINT IF EXISTS crm_service_sla_company_priority_uniq,
                   ADD CONSTRAINT crm_service_sla_company_priority_uniq
                       UNIQUE (company_id, priority)"""
        )
    )
