from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import document_sql
from .row_ids import company_month_id, salesperson_id


class CrmRepurchaseReport(models.Model):
    """Repurchase rate (回头率) per month: the share of the previous month's
    buyers who bought again this month. The current month, not over yet, is
    left out rather than shown at a rate that can only grow. One row per
    company, month and salesperson of the customers (their salesperson today,
    as on their profiles): the rows of a month add up to the company's."""

    _name = "crm.repurchase.report"
    _inherit = ["crm.rate.mixin"]
    _description = "Repurchase Rate"
    _auto = False
    _order = "month desc"
    _rec_name = "month"
    # the documents of tools.document_sql.document_ctes()
    _depends = {
        "account.move": [
            "state", "move_type", "invoice_date", "commercial_partner_id",
            "company_id", "amount_untaxed_signed",
        ],
        "sale.order": [
            "state", "date_order", "partner_id", "company_id", "amount_untaxed",
            "currency_rate",
        ],
        "res.partner": ["commercial_partner_id", "user_id"],
        "res.users": ["sale_team_id"],
        "res.company": ["crm_churn_days", "crm_revenue_source"],
    }  # fmt: skip

    company_id = fields.Many2one("res.company", readonly=True)
    month = fields.Date(readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    buyers_previous = fields.Integer(string="Buyers Last Month", readonly=True)
    repeat_buyers = fields.Integer(string="Bought Again", readonly=True)
    repurchase_rate = fields.Float(
        string="Repurchase Rate (%)", digits=(16, 1), readonly=True, aggregator="sum"
    )

    _rate_counts = {"repurchase_rate": (["repeat_buyers"], ["buyers_previous"])}

    @property
    def _table_query(self):
        return SQL(
            "WITH %s %s %s %s %s",
            self._with(),
            self._select(),
            self._from(),
            self._where(),
            self._group_by(),
        )

    @api.model
    def _with(self):
        return document_sql.document_ctes()

    @api.model
    def _select(self):
        # one row per company, month and salesperson: see row_ids
        return SQL(
            """
            SELECT %(id)s AS id,
                   b.company_id,
                   (b.month + interval '1 month')::date AS month,
                   p.user_id, u.sale_team_id AS team_id,
                   count(*) AS buyers_previous,
                   count(n.partner_id) AS repeat_buyers,
                   100.0 * count(n.partner_id) / count(*) AS repurchase_rate
            """,
            id=salesperson_id(
                company_month_id(
                    SQL("b.company_id"), SQL("(b.month + interval '1 month')")
                ),
                SQL("p.user_id"),
            ),
        )

    @api.model
    def _from(self):
        """Each month's buyers (``b``), their salesperson (``p``, ``u``) and
        who of them bought the month after (``n``)."""
        return SQL(
            """
            FROM buyer b
            JOIN res_partner p ON p.id = b.partner_id
            LEFT JOIN res_users u ON u.id = p.user_id
            LEFT JOIN buyer n
              ON n.company_id = b.company_id AND n.partner_id = b.partner_id
             AND n.month = b.month + interval '1 month'
            """
        )

    @api.model
    def _where(self):
        # the current month is not over: its rate is left out
        return SQL(
            "WHERE b.month + interval '1 month' < date_trunc('month', CURRENT_DATE)"
        )

    @api.model
    def _group_by(self):
        return SQL("GROUP BY b.company_id, b.month, p.user_id, u.sale_team_id")
