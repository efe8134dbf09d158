from odoo import api, fields, models
from odoo.tools import SQL

from ..models.crm_customer_profile import VALUE_TIERS
from .row_ids import selection_position


class CrmClvReport(models.Model):
    """Customer lifetime value per company and tier as of today; the same
    query as ``crm.customer.profile.clv()``, amounts in the current
    company's currency, over the customers whose profile the reader may read
    (record rules: a salesperson limited to their own documents reads the
    lifetime value of their own customers, with their own retention).
    Retention, margin and CLV per customer are ratios: over several rows,
    the summed numerators over the summed denominators."""

    _name = "crm.clv.report"
    _inherit = ["crm.rate.mixin", "crm.selection.order.mixin"]
    _description = "Customer Lifetime Value per Tier"
    _auto = False
    _depends = {
        "crm.customer.profile": ["partner_id", "company_id", "user_id"],
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
        "product.product": ["standard_price"],
        "sale.order": [
            "state",
            "date_order",
            "partner_id",
            "company_id",
            "amount_untaxed",
            "currency_rate",
        ],
        "res.partner": ["commercial_partner_id"],
        "res.company": [
            "crm_churn_days",
            "crm_revenue_source",
            "crm_clv_discount_rate",
            "crm_clv_margin_rate",
            "currency_id",
        ],
        "res.currency.rate": ["currency_id", "company_id", "name", "rate"],
    }
    _rec_name = "value_tier"
    # the id is the company's × 10 + the tier's position (see _select): the
    # tiers of a company from the top of the pyramid down
    _order = "company_id, id"

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
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
        string="Retention Rate",
        readonly=True,
        digits=(16, 3),
        help="Still buying / customers a year ago.",
    )
    margin_total = fields.Monetary(string="Yearly Margin", readonly=True)
    margin_avg = fields.Monetary(
        string="Yearly Margin per Customer",
        readonly=True,
        help="Yearly margin / customers.",
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
    clv_customers = fields.Integer(
        string="Customers with a CLV",
        readonly=True,
        help="Customers of the tiers with a CLV: a retention rate (customers in "
        "the tier a year ago) and, with no discount rate, not every one of them "
        "kept (the formula then has no finite value).",
    )
    clv = fields.Monetary(
        string="CLV per Customer",
        readonly=True,
        help="CLV of the tier / customers with a CLV.",
    )
    clv_total = fields.Monetary(string="CLV of the Tier", readonly=True)

    _rate_counts = {
        "retention": (["retained"], ["retention_base"], 1),
        "margin_avg": (["margin_total"], ["customers"], 1),
        "clv": (["clv_total"], ["clv_customers"], 1),
    }

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"value_tier"}

    @api.depends_context("allowed_company_ids")
    def _compute_currency_id(self):
        self.currency_id = self.env.company.currency_id

    @property
    def _table_query(self):
        return self._query()

    @api.model
    def _query(self):
        return SQL("%s %s", self._select(), self._from())

    @api.model
    def _select(self):
        # one row per company and tier: its id is company × 10 + the tier's
        # position, the same on every read (see row_ids)
        return SQL(
            """
            SELECT q.company_id * 10 + %(tier)s AS id,
                   q.company_id, q.value_tier, q.customers, q.retention_base,
                   q.retained, q.retention,
                   q.margin_total * account_currency_table.rate AS margin_total,
                   q.margin_avg * account_currency_table.rate AS margin_avg,
                   q.margin_source,
                   CASE WHEN q.clv IS NOT NULL THEN q.customers ELSE 0 END
                       AS clv_customers,
                   q.clv * account_currency_table.rate AS clv,
                   q.clv_total * account_currency_table.rate AS clv_total
            """,
            tier=selection_position(SQL("q.value_tier"), VALUE_TIERS),
        )

    @api.model
    def _from(self):
        Profile = self.env["crm.customer.profile"]
        return SQL(
            """
            FROM (%(clv)s) q
            JOIN %(currency_table)s
              ON account_currency_table.company_id = q.company_id
            """,
            clv=Profile._clv_query(
                SQL("CURRENT_DATE"),
                SQL("%s", self.env.companies.ids),
                Profile._readable_customers(self.env.companies.ids),
            ),
            currency_table=self.env["res.currency"]._get_simple_currency_table(
                self.env.companies
            ),
        )
