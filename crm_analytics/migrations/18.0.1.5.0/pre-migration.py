from odoo.tools import SQL

# The module's translatable texts: (table, column, model of its xmlids).
TEXTS = [
    ("ir_model_fields", "field_description", "ir.model.fields"),
    ("ir_model_fields", "help", "ir.model.fields"),
    ("ir_model_fields_selection", "name", "ir.model.fields.selection"),
    ("ir_ui_view", "arch_db", "ir.ui.view"),
    ("ir_act_window", "help", "ir.actions.act_window"),
]


def migrate(cr, version):
    """The value basis: until now every company valued its customers by
    revenue. The profiles' window revenue and the rankings' basis and window
    value are that revenue; filled here, before the update creates the
    columns, so that the next ranking writes only the customers whose values
    move.

    The labels of the window's value change (Window Revenue → Window Value…):
    the module's English texts are kept aside, so that the post-migration
    can drop the translations of those that change (see there)."""
    if not version:
        return
    cr.execute(SQL("SELECT to_regclass('crm_value_ranking') IS NOT NULL"))
    if cr.fetchone()[0]:
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
    cr.execute(
        SQL(
            """DROP TABLE IF EXISTS crm_analytics_old_texts;
               CREATE TABLE crm_analytics_old_texts (
                   tbl varchar, col varchar, res_id int, en text)"""
        )
    )
    for table, column, model in TEXTS:
        cr.execute(
            SQL(
                """INSERT INTO crm_analytics_old_texts
                   SELECT %(table)s, %(column)s, t.id, t.%(col)s ->> 'en_US'
                     FROM %(tbl)s t
                     JOIN ir_model_data d
                       ON d.model = %(model)s AND d.res_id = t.id
                      AND d.module = 'crm_analytics'""",
                table=table,
                column=column,
                col=SQL.identifier(column),
                tbl=SQL.identifier(table),
                model=model,
            )
        )
