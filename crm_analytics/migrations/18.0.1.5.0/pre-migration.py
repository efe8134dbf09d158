from odoo.tools import SQL


def migrate(cr, version):
    """The value basis: until now every company valued its customers by
    revenue. The profiles' window revenue and the rankings' basis and window
    value are that revenue; filled here, before the update creates the
    columns, so that the next ranking writes only the customers whose values
    move."""
    if not version:
        return
    cr.execute(
        SQL(
            """
            ALTER TABLE crm_customer_profile
                ADD COLUMN IF NOT EXISTS rfm_revenue numeric;
            UPDATE crm_customer_profile SET rfm_revenue = rfm_monetary;
            ALTER TABLE crm_value_ranking
                ADD COLUMN IF NOT EXISTS value_basis varchar,
                ADD COLUMN IF NOT EXISTS value_total numeric;
            UPDATE crm_value_ranking
               SET value_basis = 'revenue', value_total = revenue_total;
            """
        )
    )
