from odoo.tools import SQL


def migrate(cr, version):
    """Customers are placed in their tier by a plain statement: drop the
    PL/pgSQL function ``crm_analytics_place`` of 18.0.1.1.0."""
    if not version:
        return
    cr.execute(SQL("DROP FUNCTION IF EXISTS crm_analytics_place"))
