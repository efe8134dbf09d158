from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

CHURN_RISK_BANDS = [("low", "Low"), ("medium", "Medium"), ("high", "High")]


def risk_band(risk):
    if risk is None:
        return False
    return "high" if risk >= 67 else "medium" if risk >= 34 else "low"


class CrmCustomerProfile(models.Model):
    _inherit = "crm.customer.profile"

    churn_risk = fields.Integer(
        compute="_compute_churn_risk",
        search="_search_churn_risk",
        help="0-100: days since the last purchase against the customer's own "
        "mean purchase interval (100 at twice the interval, when the customer "
        "turns declining), or against the churn period for a customer with a "
        "single purchase.",
    )
    churn_risk_band = fields.Selection(
        CHURN_RISK_BANDS,
        compute="_compute_churn_risk",
        search="_search_churn_risk_band",
        help="Low below 34, medium below 67, high from 67.",
    )
    share_of_wallet = fields.Float(
        string="Share of Wallet (%)",
        compute="_compute_share_of_wallet",
        digits=(16, 1),
        help="Revenue of the last 12 months against the customer's estimated "
        "yearly potential spend (钱夹份额).",
    )

    @api.model
    def _churn_risk_sql(self, today):
        """SQL expression of the churn risk of profile ``pr`` joined with its
        company ``c`` (one formula for the field, its search and reports)."""
        return SQL(
            """LEAST(100, round(CASE
                   WHEN pr.last_purchase_date IS NULL THEN NULL
                   WHEN pr.avg_purchase_interval > 0
                       THEN 50.0 * (%(today)s::date - pr.last_purchase_date)
                            / pr.avg_purchase_interval
                   ELSE 100.0 * (%(today)s::date - pr.last_purchase_date)
                        / c.crm_churn_days
               END))::int""",
            today=today,
        )

    def _churn_risks(self, domain_sql=None):
        """{profile id: risk} for ``self`` (or the profiles ``domain_sql``
        selects), in one query."""
        today = fields.Date.context_today(self)
        self.flush_model(["last_purchase_date", "avg_purchase_interval"])
        where = domain_sql or SQL("pr.id = ANY(%s)", self.ids)
        rows = self.env.execute_query(
            SQL(
                """SELECT pr.id, %s
                     FROM crm_customer_profile pr
                     JOIN res_company c ON c.id = pr.company_id
                    WHERE %s""",
                self._churn_risk_sql(today),
                where,
            )
        )
        return dict(rows)

    def _compute_churn_risk(self):
        risks = self._churn_risks() if self.ids else {}
        for profile in self:
            risk = risks.get(profile.id)
            profile.churn_risk = risk or 0
            profile.churn_risk_band = risk_band(risk)

    def _search_churn_risk(self, operator, value):
        if operator not in ("=", "!=", "<", "<=", ">", ">=") or not isinstance(
            value, int
        ):
            raise UserError(self.env._("Unsupported search on the churn risk."))
        risks = self._churn_risks(SQL("pr.last_purchase_date IS NOT NULL"))
        compare = {
            "=": lambda r: r == value,
            "!=": lambda r: r != value,
            "<": lambda r: r < value,
            "<=": lambda r: r <= value,
            ">": lambda r: r > value,
            ">=": lambda r: r >= value,
        }[operator]
        return [("id", "in", [pid for pid, risk in risks.items() if compare(risk)])]

    def _search_churn_risk_band(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(self.env._("Unsupported search on the churn risk band."))
        bands = {value} if isinstance(value, str) else set(value or [])
        risks = self._churn_risks(SQL("pr.last_purchase_date IS NOT NULL"))
        ids = [pid for pid, risk in risks.items() if risk_band(risk) in bands]
        return [("id", "in" if operator in ("=", "in") else "not in", ids)]

    @api.depends("revenue_12m", "partner_id")
    @api.depends_context("company")
    def _compute_share_of_wallet(self):
        for profile in self:
            potential = profile.partner_id.with_company(
                profile.company_id
            ).crm_potential_spend
            profile.share_of_wallet = (
                100.0 * profile.revenue_12m / potential if potential else 0.0
            )
