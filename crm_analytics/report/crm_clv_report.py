from odoo import api, fields, models
from odoo.tools import SQL

from ..models.crm_customer_profile import VALUE_TIERS


class CrmClvReport(models.Model):
    """Customer lifetime value per tier as of today; the same query as
    ``crm.customer.profile.clv()``."""

    _name = "crm.clv.report"
    _description = "Customer Lifetime Value per Tier"
    _auto = False
    _depends = {
        "crm.customer.snapshot.period": [
            "date_from",
            "partner_id",
            "company_id",
            "value_tier",
        ],
        "account.move": [
            "state",
            "move_type",
            "invoice_date",
            "commercial_partner_id",
            "company_id",
            "amount_untaxed_signed",
        ],
        "account.move.line": [
            "move_id",
            "balance",
            "quantity",
            "product_id",
            "display_type",
        ],
    }
    _rec_name = "value_tier"
    _order = "company_id, value_tier"

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    value_tier = fields.Selection(VALUE_TIERS, readonly=True)
    customers = fields.Integer(readonly=True)
    retention_base = fields.Integer(
        string="Customers a Year Ago",
        readonly=True,
        help="Customers in this tier one year ago (latest snapshot).",
    )
    retained = fields.Integer(
        string="Still Buying",
        readonly=True,
        help="Of the customers a year ago, those who bought in the last 365 days.",
    )
    retention = fields.Float(
        string="Retention Rate", readonly=True, digits=(16, 3), aggregator="avg"
    )
    margin_total = fields.Monetary(string="Yearly Margin", readonly=True)
    margin_avg = fields.Monetary(
        string="Yearly Margin per Customer", readonly=True, aggregator="avg"
    )
    margin_source = fields.Selection(
        [
            ("cost", "Product costs"),
            ("rate", "Default margin rate"),
            ("mixed", "Product costs and default rate"),
        ],
        readonly=True,
        help="Product costs where the invoiced product has a cost, else revenue "
        "× the default margin rate of the settings.",
    )
    clv = fields.Monetary(string="CLV per Customer", readonly=True, aggregator="avg")
    clv_total = fields.Monetary(string="CLV of the Tier", readonly=True)

    @property
    def _table_query(self):
        return self._query()

    @api.model
    def _query(self):
        return SQL(
            """
            SELECT row_number() OVER (ORDER BY q.company_id, q.value_tier) AS id, q.*
              FROM (%s) q
            """,
            self.env["crm.customer.profile"]._clv_query(
                SQL("CURRENT_DATE"), SQL("ARRAY(SELECT id FROM res_company)")
            ),
        )
