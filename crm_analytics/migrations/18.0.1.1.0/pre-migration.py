from odoo.tools import SQL


def migrate(cr, version):
    """Snapshots were a table of one row per customer and ranking date; they
    are now a view over ``crm_customer_snapshot_period``. Keep the old rows
    aside (the view takes the name) for the post-migration to turn into
    periods."""
    if not version:
        return
    cr.execute(
        SQL(
            """SELECT 1 FROM pg_class
                WHERE relname = 'crm_customer_snapshot' AND relkind = 'r'"""
        )
    )
    if cr.fetchone():
        cr.execute(
            SQL(
                """ALTER TABLE crm_customer_snapshot
                     RENAME TO crm_customer_snapshot_legacy"""
            )
        )
