from odoo.tools import SQL


def migrate(cr, version):
    """Profiles stored before ``purchase_count_12m`` existed have none: make
    their stored facts untrusted, so that the next run aggregates every
    customer's documents again (no invoice posting or daily run builds on
    them meanwhile) and fills in the new fact."""
    if not version:
        return
    cr.execute(SQL("UPDATE crm_customer_profile SET facts_date = NULL"))
    cr.execute(
        SQL(
            """UPDATE res_company
                  SET crm_lifecycle_date = NULL, crm_lifecycle_evaluated_at = NULL"""
        )
    )
