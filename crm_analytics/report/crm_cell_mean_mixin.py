from odoo import models
from odoo.tools import SQL


class CrmCellMeanMixin(models.AbstractModel):
    """Counts taken at an instant, split per salesperson: customers active
    at a month's start, a cohort's size. They add up over the salespeople of
    a cell (a company's month, a cohort's month since its first), not over
    cells: in a pivot, a graph or ``read_group``, ``<field>:avg`` of a field
    of ``_cell_means`` is Σ field ÷ the number of cells in the group, the
    mean per cell of the cell's total, whatever the number of salespeople in
    each cell."""

    _name = "crm.cell.mean.mixin"
    _description = "Counts Totalled per Cell"

    # field: the fields whose values make a cell
    _cell_means = {}

    def _read_group_select(self, aggregate_spec, query):
        fname, __, func = aggregate_spec.partition(":")
        if func == "avg" and fname in self._cell_means:
            cell = SQL(", ").join(
                self._field_to_sql(self._table, key, query)
                for key in self._cell_means[fname]
            )
            return SQL(
                "SUM(%s)::numeric / NULLIF(COUNT(DISTINCT (%s)), 0)",
                self._field_to_sql(self._table, fname, query),
                cell,
            )
        return super()._read_group_select(aggregate_spec, query)
