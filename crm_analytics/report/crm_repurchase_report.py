from odoo import fields, models
from odoo.tools import SQL


class CrmRepurchaseReport(models.Model):
    """Repurchase rate (回头率) per month: the share of the previous month's
    buyers who bought again this month. The current month, not over yet, is
    left out rather than shown at a rate that can only grow."""

    _name = "crm.repurchase.report"
    _inherit = ["crm.rate.mixin"]
    _description = "Repurchase Rate"
    _auto = False
    _order = "month desc"
    _rec_name = "month"
    _depends = {
        "account.move": [
            "state", "move_type", "invoice_date", "commercial_partner_id",
            "company_id",
        ],
    }  # fmt: skip

    company_id = fields.Many2one("res.company", readonly=True)
    month = fields.Date(readonly=True)
    buyers_previous = fields.Integer(string="Buyers Last Month", readonly=True)
    repeat_buyers = fields.Integer(string="Bought Again", readonly=True)
    repurchase_rate = fields.Float(
        string="Repurchase Rate (%)", digits=(16, 1), readonly=True, aggregator="sum"
    )

    _rate_counts = {"repurchase_rate": (["repeat_buyers"], ["buyers_previous"])}

    @property
    def _table_query(self):
        return SQL(
            """
            WITH %s
            SELECT row_number() OVER (ORDER BY b.company_id, b.month) AS id,
                   b.company_id,
                   (b.month + interval '1 month')::date AS month,
                   count(*) AS buyers_previous,
                   count(n.partner_id) AS repeat_buyers,
                   100.0 * count(n.partner_id) / count(*) AS repurchase_rate
              FROM buyer b
              LEFT JOIN buyer n
                ON n.company_id = b.company_id AND n.partner_id = b.partner_id
               AND n.month = b.month + interval '1 month'
             -- the current month is not over: its rate is left out
             WHERE b.month + interval '1 month' < date_trunc('month', CURRENT_DATE)
          GROUP BY b.company_id, b.month
            """,
            self.env["crm.customer.profile"]._document_ctes(),
        )
