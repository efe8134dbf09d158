from odoo.tools import SQL


def stored_figures_set(records, fnames):
    """{record id: (bool per field of ``fnames``)}: whether each stored float
    figure is set. Odoo reads an empty (NULL) float as 0, so screens need
    these flags to tell "not asked" from 0. New records: no entry."""
    stored = records.filtered("id")
    if not stored:
        return {}
    stored.flush_recordset(fnames)
    rows = records.env.execute_query(
        SQL(
            "SELECT id, %s FROM %s WHERE id = ANY(%s)",
            SQL(", ").join(SQL("%s IS NOT NULL", SQL.identifier(f)) for f in fnames),
            SQL.identifier(records._table),
            stored.ids,
        )
    )
    return {row[0]: row[1:] for row in rows}
