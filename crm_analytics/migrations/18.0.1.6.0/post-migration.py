from odoo.tools import SQL


def migrate(cr, version):
    """The snapshot periods keep the window revenue beside the window value.
    A period started by a ranking by revenue (every ranking before the value
    basis) had its revenue as value. An open period started by a ranking on
    another basis takes the revenue of the customer's last ranking; the
    revenue of a closed one is not known.

    The migration matrix's "Window Revenue" is now the revenue again: its
    labels lose their translations, which the update loads again."""
    if not version:
        return
    cr.execute(
        SQL(
            """
            UPDATE crm_customer_snapshot_period p
               SET rfm_revenue = p.rfm_monetary
             WHERE NOT EXISTS (
                   SELECT 1 FROM crm_value_ranking r
                    WHERE r.company_id = p.company_id AND r.date = p.date_from
                      AND r.value_basis != 'revenue');
            UPDATE crm_customer_snapshot_period p
               SET rfm_revenue = pr.rfm_revenue
              FROM crm_customer_profile pr
             WHERE p.rfm_revenue IS NULL AND p.date_to IS NULL
               AND pr.partner_id = p.partner_id AND pr.company_id = p.company_id;
            UPDATE ir_model_fields
               SET field_description = jsonb_build_object(
                       'en_US', field_description -> 'en_US'),
                   help = CASE WHEN help IS NOT NULL
                               THEN jsonb_build_object('en_US', help -> 'en_US')
                          END
             WHERE model = 'crm.tier.migration.line' AND name = 'revenue';
            """
        )
    )
