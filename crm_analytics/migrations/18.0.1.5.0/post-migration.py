from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The window's M is now a value (revenue, gross margin or
    contribution): its labels changed (Window Revenue → Window Value,
    Revenue thresholds → Value thresholds…). An update keeps the translations
    of the old labels, so the module's own translations are loaded again
    over them."""
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    langs = [code for code, _name in env["res.lang"].get_installed() if code != "en_US"]
    env["ir.module.module"]._load_module_terms(["crm_analytics"], langs, overwrite=True)
