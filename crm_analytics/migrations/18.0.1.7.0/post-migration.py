from odoo.tools import SQL

# Help texts whose English changed when the cost of goods sold booked by
# stock valuation became the first source: (model, field).
CHANGED_HELP = [
    ("crm.customer.profitability.report", "cogs"),
    ("crm.customer.profitability.report", "cogs_order"),
    ("crm.customer.profitability.report", "cogs_source"),
    ("crm.clv.report", "margin_source"),
]


def migrate(cr, version):
    """The changed help texts and the CLV's "cost" margin source lose their
    Chinese, which the update then loads again (it keeps the translations it
    finds)."""
    if not version:
        return
    models, names = zip(*CHANGED_HELP, strict=True)
    cr.execute(
        SQL(
            """
            UPDATE ir_model_fields f
               SET help = f.help - 'zh_CN'
              FROM unnest(%(models)s::varchar[], %(names)s::varchar[])
                     AS c(model, name)
             WHERE f.model = c.model AND f.name = c.name AND f.help IS NOT NULL;
            UPDATE ir_model_fields_selection s
               SET name = s.name - 'zh_CN'
              FROM ir_model_fields f
             WHERE f.id = s.field_id AND f.model = 'crm.clv.report'
               AND f.name = 'margin_source' AND s.value = 'cost'
            """,
            models=list(models),
            names=list(names),
        )
    )
