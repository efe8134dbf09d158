from odoo import api, fields, models
from odoo.tools import SQL


class CrmParetoReport(models.Model):
    """Cumulative revenue curve (二八法则): customers ranked by window revenue,
    largest first; per customer percentile, the share of revenue made by the
    customers up to it."""

    _name = "crm.pareto.report"
    _description = "Pareto Curve"
    _auto = False
    _depends = {
        "crm.customer.profile": ["partner_id", "company_id", "rfm_monetary"],
    }
    _rec_name = "partner_id"
    _order = "position"

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    position = fields.Integer(string="Rank", readonly=True, aggregator="max")
    customer_percentile = fields.Integer(
        string="Top Customers (%)",
        readonly=True,
        aggregator="max",
        help="The customer belongs to this top percentage of customers.",
    )
    rfm_monetary = fields.Monetary(string="Window Revenue", readonly=True)
    revenue_share_cumulative = fields.Float(
        string="Cumulative Revenue (%)",
        readonly=True,
        digits=(16, 2),
        aggregator="max",
    )

    @property
    def _table_query(self):
        return self._query()

    @api.model
    def _query(self):
        return SQL(
            """
            SELECT r.id, r.partner_id, r.company_id, r.position, r.rfm_monetary,
                   ceil(100.0 * r.position / r.n)::int AS customer_percentile,
                   100.0 * r.running / r.total AS revenue_share_cumulative
              FROM (
                SELECT pr.id, pr.partner_id, pr.company_id, pr.rfm_monetary,
                       row_number() OVER w AS position,
                       sum(pr.rfm_monetary) OVER w AS running,
                       count(*) OVER (PARTITION BY pr.company_id) AS n,
                       sum(pr.rfm_monetary) OVER (PARTITION BY pr.company_id)
                           AS total
                  FROM crm_customer_profile pr
                 WHERE pr.rfm_monetary > 0
                WINDOW w AS (PARTITION BY pr.company_id
                             ORDER BY pr.rfm_monetary DESC, pr.partner_id
                             ROWS UNBOUNDED PRECEDING)
              ) r
            """
        )
