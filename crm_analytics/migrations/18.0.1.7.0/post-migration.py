from odoo.tools import SQL

# Labels and help texts whose English changed when the cost of goods sold
# booked by stock valuation became the first source: (model, field).
CHANGED = [
    ("crm.customer.profitability.report", "cogs"),
    ("crm.customer.profitability.report", "cogs_order"),
    ("crm.customer.profitability.report", "cogs_source"),
    ("crm.clv.report", "margin_source"),
]


def migrate(cr, version):
    """The changed labels, help texts and selection values lose their
    translations, which the update then loads again (it keeps the
    translations it finds)."""
    if not version:
        return
    models, names = zip(*CHANGED, strict=True)
    cr.execute(
        SQL(
            """
            WITH changed AS (
                SELECT f.id
                  FROM ir_model_fields f
                  JOIN unnest(%(models)s::varchar[], %(names)s::varchar[])
                         AS c(model, name)
                    ON c.model = f.model AND c.name = f.name
            ),
            fields AS (
                UPDATE ir_model_fields f
                   SET field_description = jsonb_build_object(
                           'en_US', f.field_description -> 'en_US'),
                       help = CASE WHEN f.help IS NOT NULL
                                   THEN jsonb_build_object('en_US', f.help -> 'en_US')
                              END
                  FROM changed c
                 WHERE f.id = c.id
            )
            UPDATE ir_model_fields_selection s
               SET name = jsonb_build_object('en_US', s.name -> 'en_US')
              FROM changed c
             WHERE s.field_id = c.id
            """,
            models=list(models),
            names=list(names),
        )
    )
