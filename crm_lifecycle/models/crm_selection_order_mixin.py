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
    sorts NULL (a ``NULLS FIRST/LAST`` of ``orderby`` is not followed). An
    order by an aggregate (a list sorted by a measure) is kept. With
    ``offset``/``limit`` on an ordered selection, every group is read, put
    in order, and the page cut from them (a selection has few values).
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
        groupby = [groupby] if isinstance(groupby, str) else list(groupby)
        specs = groupby[:1] if lazy else groupby
        levels = _order_levels(specs, orderby)
        # a page of groups ordered by a selection: cut from all of them
        paged = (
            (offset or limit)
            and levels
            and (levels[0][0] in self._selection_groups_in_order())
        )
        groups = super().read_group(
            domain,
            fields,
            groupby,
            offset=0 if paged else offset,
            limit=None if paged else limit,
            orderby=orderby,
            lazy=lazy,
        )
        groups = self._groups_in_selection_order(groups, levels)
        if paged:
            groups = groups[offset : offset + limit if limit else None]
        return groups

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
    by: the group-bys leading ``orderby`` (a field name stands for its
    ``field:granularity`` group-by), then, if ``orderby`` names group-bys
    only, the other group-bys ascending; up to an aggregate of ``orderby``,
    which orders the rest."""
    levels = []
    for term in (orderby or "").split(","):
        name, *direction = term.split() or [""]
        if not name:
            continue
        spec = next((s for s in specs if name in (s, s.split(":")[0])), None)
        if spec is None:
            return levels
        levels.append((spec, bool(direction) and direction[0].lower() == "desc"))
    named = {spec for spec, _descending in levels}
    return levels + [(spec, False) for spec in specs if spec not in named]
