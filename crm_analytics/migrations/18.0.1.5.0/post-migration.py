from odoo.tools import SQL


def migrate(cr, version):
    """An update keeps the translations of a text whose English changes
    (Window Revenue → Window Value…): they would show the old label. Drop
    the other languages of the module's texts whose English changed (kept
    aside by the pre-migration); the update then loads their translations
    from the module's files. Texts that did not change keep theirs, custom
    translations included."""
    if not version:
        return
    cr.execute(SQL("SELECT DISTINCT tbl, col FROM crm_analytics_old_texts"))
    for table, column in cr.fetchall():
        cr.execute(
            SQL(
                """UPDATE %(tbl)s t
                      SET %(col)s = jsonb_build_object('en_US', t.%(col)s -> 'en_US')
                     FROM crm_analytics_old_texts o
                    WHERE o.tbl = %(table)s AND o.col = %(column)s
                      AND o.res_id = t.id AND t.%(col)s IS NOT NULL
                      AND o.en IS DISTINCT FROM t.%(col)s ->> 'en_US'""",
                tbl=SQL.identifier(table),
                col=SQL.identifier(column),
                table=table,
                column=column,
            )
        )
    cr.execute(SQL("DROP TABLE crm_analytics_old_texts"))
