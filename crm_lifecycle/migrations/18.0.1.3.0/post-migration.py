from odoo.tools import SQL

from odoo.addons.crm_lifecycle.tools import reasons


def migrate(cr, version):
    """Each profile's reason quotes the figures of its rule: take them from
    the profile's stored facts and its company's current settings (the next
    evaluation writes them afresh; a "manual override expired" prefix of the
    last evaluation is not kept)."""
    if not version:
        return
    cr.execute(
        SQL(
            """
            UPDATE crm_customer_profile pr
               SET stage_reason_figures = %(figures)s
              FROM (
                    SELECT pr.id,
                           pr.last_purchase_date AS last_date,
                           pr.first_purchase_date AS first_date,
                           pr.last_return_date,
                           pr.revenue_12m,
                           pr.revenue_prev_12m,
                           pr.avg_purchase_interval AS avg_interval,
                           c.crm_churn_days AS churn_days,
                           c.crm_winback_days AS winback_days,
                           c.crm_new_days AS new_days,
                           c.crm_growth_rate::numeric AS growth
                      FROM crm_customer_profile pr
                      JOIN res_company c ON c.id = pr.company_id
                   ) e
             WHERE e.id = pr.id
            """,
            figures=reasons.stored_figures(SQL("pr.stage_rule"), SQL("FALSE")),
        )
    )
