from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_lifecycle.const import LIFECYCLE_STAGES

from ..models.crm_customer_profile import VALUE_TIERS
from ..tools import document_sql
from .row_ids import company_month_id, salesperson_id, selection_position


class CrmRoiReport(models.Model):
    """Revenue and margin per company, month, value tier and lifecycle
    stage: each invoice line with the customer's latest snapshot at the end
    of its month, amounts in the current company's currency. Also per
    salesperson of the customers (their salesperson today, as on their
    profiles), so that "own documents" salespeople read the revenue and
    margin of their own customers."""

    _name = "crm.roi.report"
    _inherit = ["crm.selection.order.mixin"]
    _description = "Revenue and Margin by Tier and Stage"
    _auto = False
    _order = "month desc"
    _rec_name = "month"
    _depends = {
        "account.move.line": [
            "move_id", "balance", "quantity", "product_id", "display_type",
        ],
        "account.move": [
            "state", "move_type", "invoice_date", "company_id",
            "commercial_partner_id",
        ],
        "product.product": ["standard_price"],
        "crm.customer.snapshot.period": [
            "company_id", "partner_id", "date_from", "value_tier",
            "lifecycle_stage",
        ],
        "res.partner": ["user_id"],
        "res.users": ["sale_team_id"],
        "res.company": ["crm_revenue_source", "crm_clv_margin_rate", "currency_id"],
        "res.currency.rate": ["currency_id", "company_id", "name", "rate"],
    }  # fmt: skip

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    month = fields.Date(readonly=True)
    value_tier = fields.Selection(VALUE_TIERS, readonly=True)
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGES, readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    revenue = fields.Monetary(readonly=True)
    margin = fields.Monetary(readonly=True)

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"value_tier", "lifecycle_stage"}

    @api.depends_context("allowed_company_ids")
    def _compute_currency_id(self):
        self.currency_id = self.env.company.currency_id

    @property
    def _table_query(self):
        return SQL(
            "WITH %s %s %s %s",
            self._with(),
            self._select(),
            self._from(),
            self._group_by(),
        )

    @api.model
    def _with(self):
        """CTEs ``crm_company`` (the settings read), ``line`` (see
        ``document_sql.margin_lines``) and ``monthly``: revenue and margin per
        company, customer and month, in company currency."""
        return SQL(
            """
            crm_company AS NOT MATERIALIZED (
                SELECT id, crm_revenue_source AS source,
                       crm_clv_margin_rate::numeric AS margin_rate
                  FROM res_company
                 WHERE id = ANY(%(company_ids)s)
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
            """,
            company_ids=self.env.companies.ids,
            lines=document_sql.margin_lines(
                SQL("'1900-01-01'::date"), SQL("CURRENT_DATE")
            ),
        )

    @api.model
    def _select(self):
        # one row per company, month, tier, stage and salesperson: see row_ids
        return SQL(
            """
            SELECT %(id)s AS id,
                   m.company_id, m.month, s.value_tier, s.lifecycle_stage,
                   p.user_id, u.sale_team_id AS team_id,
                   sum(m.revenue * account_currency_table.rate) AS revenue,
                   sum(m.margin * account_currency_table.rate) AS margin
            """,
            id=salesperson_id(
                SQL(
                    "((%s * 10 + %s) * 10 + %s)",
                    company_month_id(SQL("m.company_id"), SQL("m.month")),
                    selection_position(SQL("s.value_tier"), VALUE_TIERS),
                    selection_position(SQL("s.lifecycle_stage"), LIFECYCLE_STAGES),
                ),
                SQL("p.user_id"),
            ),
        )

    @api.model
    def _from(self):
        return SQL(
            """
            FROM monthly m
            JOIN res_partner p ON p.id = m.partner_id
            LEFT JOIN res_users u ON u.id = p.user_id
            JOIN %(currency_table)s
              ON account_currency_table.company_id = m.company_id
            LEFT JOIN LATERAL (
                  SELECT sn.value_tier, sn.lifecycle_stage
                    FROM crm_customer_snapshot_period sn
                   WHERE sn.company_id = m.company_id
                     AND sn.partner_id = m.partner_id
                     AND sn.date_from < m.month + interval '1 month'
                ORDER BY sn.date_from DESC LIMIT 1) s ON TRUE
            """,
            currency_table=self.env["res.currency"]._get_simple_currency_table(
                self.env.companies
            ),
        )

    @api.model
    def _group_by(self):
        return SQL(
            "GROUP BY m.company_id, m.month, s.value_tier, s.lifecycle_stage,"
            " p.user_id, u.sale_team_id"
        )
