from odoo import SUPERUSER_ID, api, fields


def migrate(cr, version):
    """The profiles' new potential date: the customers the potential big
    customers report lists today get today's date, without firing the
    playbooks (they were potential before the update, not identified now).
    The next full ranking then fires only for customers it finds anew."""
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    companies = env["res.company"].search([])
    env["crm.customer.profile"]._update_potential_dates(
        fields.Date.context_today(env.user), companies.ids
    )
