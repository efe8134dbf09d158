from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.crm_lifecycle.const import LIFECYCLE_STAGES

from ..models.crm_customer_profile import VALUE_TIERS


class CrmRoiReport(models.Model):
    """Revenue and margin per month, value tier and lifecycle stage: each
    invoice line with the customer's latest snapshot at the end of its
    month."""

    _name = "crm.roi.report"
    _description = "Revenue and Margin by Tier and Stage"
    _auto = False
    _order = "month desc"
    _rec_name = "month"
    _depends = {
        "account.move.line": ["move_id", "balance", "quantity", "product_id"],
        "account.move": ["state", "move_type", "invoice_date", "company_id"],
        "crm.customer.snapshot.period": [
            "date_from",
            "value_tier",
            "lifecycle_stage",
        ],
    }

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    month = fields.Date(readonly=True)
    value_tier = fields.Selection(VALUE_TIERS, readonly=True)
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGES, readonly=True)
    revenue = fields.Monetary(readonly=True)
    margin = fields.Monetary(readonly=True)

    @property
    def _table_query(self):
        return SQL(
            """
            WITH crm_company AS NOT MATERIALIZED (
                SELECT id, crm_churn_days AS churn_days,
                       crm_revenue_source AS source,
                       crm_clv_margin_rate::numeric AS margin_rate
                  FROM res_company
            ),
            line AS (%(lines)s),
            monthly AS (
                SELECT l.company_id, l.partner_id,
                       date_trunc('month', l.invoice_date)::date AS month,
                       sum(l.revenue) AS revenue,
                       sum(coalesce(l.cost_margin, l.revenue * c.margin_rate))
                           AS margin
                  FROM line l JOIN crm_company c ON c.id = l.company_id
              GROUP BY 1, 2, 3
            )
            SELECT row_number() OVER (ORDER BY m.company_id, m.month) AS id,
                   m.company_id, m.month, s.value_tier, s.lifecycle_stage,
                   sum(m.revenue) AS revenue, sum(m.margin) AS margin
              FROM monthly m
              LEFT JOIN LATERAL (
                    SELECT sn.value_tier, sn.lifecycle_stage
                      FROM crm_customer_snapshot_period sn
                     WHERE sn.company_id = m.company_id
                       AND sn.partner_id = m.partner_id
                       AND sn.date_from < m.month + interval '1 month'
                  ORDER BY sn.date_from DESC LIMIT 1) s ON TRUE
          GROUP BY m.company_id, m.month, s.value_tier, s.lifecycle_stage
            """,
            lines=self.env["crm.customer.profile"]._margin_line_query(
                SQL("'1900-01-01'::date"), SQL("CURRENT_DATE")
            ),
        )
