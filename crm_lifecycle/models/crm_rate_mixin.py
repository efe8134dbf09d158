from odoo import models
from odoo.tools import SQL


class CrmRateMixin(models.AbstractModel):
    """Rates whose total is the ratio of the summed counts, never a mean of
    rates: in a pivot, a graph or ``read_group``, ``<rate>:sum`` of a field
    of ``_rate_counts`` is 100 × Σ numerators ÷ Σ denominators (empty when
    they sum to 0), as purchase_stock's ``vendor.delay.report`` totals its
    on-time rate. The counts are stored beside the rate. A third element
    in ``_rate_counts`` replaces the factor 100 (1 for a ratio shown as a
    fraction, or an amount per customer)."""

    _name = "crm.rate.mixin"
    _description = "Rates Totalled as Ratios of Sums"

    # rate field: (numerator fields, denominator fields[, factor]), each list
    # summed; the factor is 100 unless given
    _rate_counts = {}

    def _read_group_select(self, aggregate_spec, query):
        fname, __, func = aggregate_spec.partition(":")
        if func == "sum" and fname in self._rate_counts:
            numerators, denominators, *factor = self._rate_counts[fname]

            def total(names):
                return SQL(" + ").join(
                    SQL("SUM(%s)", self._field_to_sql(self._table, name, query))
                    for name in names
                )

            return SQL(
                "%s * (%s)::numeric / NULLIF(%s, 0)",
                factor[0] if factor else 100,
                total(numerators),
                total(denominators),
            )
        return super()._read_group_select(aggregate_spec, query)
