import itertools

from odoo import api, models


class CrmSelectionOrderMixin(models.AbstractModel):
    """Groups of a selection field in the order of its selection: lifecycle
    stages from prospect to won back, tiers from VIP down, in every view
    that groups (graph bars, pivot rows and columns, list and kanban
    group-bys, the search panel's counters).

    Odoo 18 orders the groups of ``read_group`` by what it groups by, a
    selection field by its key (``_read_group_orderby`` sorts on the grouped
    column): alphabetically. A field's ``group_expand`` would reorder them,
    but ``read_group`` applies it only when lazy (list, kanban, search
    panel); the graph (``web_read_group``) and the pivot (``read_group``)
    ask with ``lazy=False``, where Odoo never calls it. Hence this public
    ``read_group`` puts the groups it returns in order, whichever view asks:
    by each field the groups are ordered by (the group-bys, or the leading
    group-by fields of ``orderby``), ascending or descending as asked, the
    groups without a value last (first when descending), as PostgreSQL
    sorts NULL. An order by an aggregate (a list sorted by a measure) is
    kept. With ``limit``, only the groups of the page returned are sorted.
    Server code calling ``_read_group`` gets the database's order."""

    _name = "crm.selection.order.mixin"
    _description = "Selection Groups in Selection Order"

    @api.model
    def _selection_groups_in_order(self):
        """Names of the selection fields whose groups come in the order of
        their selection; extended by each model and addon."""
        return set()

    @api.model
    @api.readonly
    def read_group(
        self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True
    ):
        groups = super().read_group(
            domain,
            fields,
            groupby,
            offset=offset,
            limit=limit,
            orderby=orderby,
            lazy=lazy,
        )
        groupby = [groupby] if isinstance(groupby, str) else list(groupby)
        specs = groupby[:1] if lazy else groupby
        return self._groups_in_selection_order(groups, _order_levels(specs, orderby))

    @api.model
    def _groups_in_selection_order(self, groups, levels):
        """``groups`` (``read_group``'s) with those of one value of the first
        level's field together and, if it is an ordered selection, these
        blocks in the selection's order; each block ordered by the next
        levels in turn. ``levels``: [(group-by spec, descending)]."""
        if not levels:
            return groups
        (spec, descending), *rest = levels
        # The database ordered by this level before the next ones: the groups
        # of one value follow each other, the blocks in the database's order.
        blocks = [
            list(block)
            for _value, block in itertools.groupby(groups, lambda g: g[spec])
        ]
        if spec in self._selection_groups_in_order():
            keys = self._fields[spec].get_values(self.env)
            position = {key: index for index, key in enumerate(keys)}
            blocks.sort(
                key=lambda block: position.get(block[0][spec], len(keys)),
                reverse=descending,
            )
        return [
            group
            for block in blocks
            for group in self._groups_in_selection_order(block, rest)
        ]


def _order_levels(specs, orderby):
    """[(group-by spec, descending)]: what ``read_group`` orders the groups
    by, the group-bys ``specs`` when no ``orderby`` is given, else the
    group-bys leading ``orderby`` (up to its first aggregate)."""
    if not orderby:
        return [(spec, False) for spec in specs]
    levels = []
    for term in orderby.split(","):
        name, *direction = term.split() or [""]
        if name not in specs:
            break
        levels.append((name, bool(direction) and direction[0].lower() == "desc"))
    return levels
