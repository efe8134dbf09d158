from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_lifecycle.const import LIFECYCLE_STAGES
from odoo.addons.crm_lifecycle.tools import arguments

from ..models.crm_customer_profile import VALUE_TIERS
from ..tools import document_sql
from .row_ids import company_month_id, salesperson_id, selection_position


class CrmRoiReport(models.Model):
    """Revenue and margin per company, month, value tier and lifecycle
    stage: each invoice line with the customer's latest snapshot at the end
    of its month, amounts in the current company's currency. Also per
    salesperson of the customers (their salesperson today, as on their
    profiles), so that "own documents" salespeople read the revenue and
    margin of their own customers. ``roi()``: the CRM return on investment
    of a period, which the ROI wizard shows."""

    _name = "crm.roi.report"
    _inherit = ["crm.selection.order.mixin"]
    _description = "Revenue and Margin by Tier and Stage"
    _auto = False
    _order = "month desc"
    _rec_name = "month"
    _depends = {
        "account.move.line": [
            "move_id", "balance", "quantity", "product_id", "product_uom_id",
            "display_type", "sale_line_ids",
        ],
        "account.move": [
            "state", "move_type", "invoice_date", "company_id",
            "commercial_partner_id",
        ],
        "product.product": ["standard_price", "product_tmpl_id"],
        "product.template": ["uom_id"],
        "uom.uom": ["factor"],
        "sale.order.line": ["order_id", "purchase_price", "product_uom"],
        "sale.order": ["currency_rate"],
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
                self.env, SQL("'1900-01-01'::date"), SQL("CURRENT_DATE")
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

    @api.model
    def _period_figures(self, date_from, date_to):
        """Margin, revenue and retention of the current company over
        [date_from, date_to]: retention = customers active at the start (a
        purchase within the churn period before it) who bought during the
        period, over those active."""
        company = self.env.company
        [row] = self.env.execute_query_dict(
            SQL(
                """
                WITH crm_company AS NOT MATERIALIZED (
                    SELECT id, crm_churn_days AS churn_days,
                           crm_revenue_source AS source,
                           crm_clv_margin_rate::numeric AS margin_rate
                      FROM res_company WHERE id = %(company)s
                ),
                doc AS (%(sources)s),
                active AS (
                    SELECT DISTINCT d.partner_id
                      FROM doc d JOIN crm_company c ON c.id = d.company_id
                     WHERE d.is_purchase AND d.date < %(date_from)s
                       AND d.date >= %(date_from)s::date - c.churn_days
                ),
                buying AS (
                    SELECT DISTINCT d.partner_id FROM doc d
                     WHERE d.is_purchase AND d.date >= %(date_from)s
                ),
                line AS (%(lines)s)
                SELECT (SELECT count(*) FROM active) AS active,
                       (SELECT count(*) FROM active a
                          JOIN buying b ON b.partner_id = a.partner_id) AS retained,
                       (SELECT coalesce(sum(d.amount), 0) FROM doc d
                         WHERE d.date >= %(date_from)s) AS revenue,
                       (SELECT coalesce(sum(coalesce(
                                   l.cost_margin, l.revenue * c.margin_rate)), 0)
                          FROM line l JOIN crm_company c ON c.id = l.company_id)
                           +
                       (SELECT coalesce(sum(d.amount * c.margin_rate), 0)
                          FROM doc d
                          JOIN crm_company c
                            ON c.id = d.company_id AND c.source = 'sale_order'
                         WHERE d.date >= %(date_from)s) AS margin
                """,
                company=company.id,
                date_from=date_from,
                sources=document_sql.documents(SQL("%s::date", date_to)),
                lines=document_sql.margin_lines(
                    self.env, SQL("%s::date - 1", date_from), SQL("%s::date", date_to)
                ),
            )
        )
        row["retention"] = (
            100.0 * row["retained"] / row["active"] if row["active"] else None
        )
        return row

    @api.model
    @api.readonly
    def roi(self, date_from, date_to):
        """CRM return on investment of the current company over
        [date_from, date_to] against the baseline period of the settings:

        - retention uplift = retention of the period − of the baseline
          (percentage points);
        - incremental margin = margin of the period − margin of the baseline
          scaled to the period's length;
        - ROI = (incremental margin − CRM costs of the period) / those costs.

        A figure that cannot be computed is None, never 0, and ``missing``
        lists why, translated: no baseline period in the settings (baseline
        figures, uplift, incremental margin, ROI), no CRM costs recorded in
        the period (costs, ROI), no customer active at the start of the
        period or of the baseline (retention figures).

        The figures are the company's (its CRM costs, every customer): for
        those who use the ROI screen (analytics administrators) only, an
        AccessError for the others, salespeople included.
        """
        self.env["crm.customer.profile"].check_access("read")
        self.env["crm.roi.wizard"].check_access("create")
        date_from, date_to = arguments.check_period(self.env, date_from, date_to)
        company = self.env.company
        self.env.flush_all()
        period = self._period_figures(date_from, date_to)
        [(cost,)] = self.env.execute_query(
            SQL(
                """SELECT sum(amount) FROM crm_cost_entry
                    WHERE company_id = %s AND date >= %s AND date <= %s""",
                company.id,
                date_from,
                date_to,
            )
        )
        result = {
            "revenue": float(period["revenue"]),
            "margin": float(period["margin"]),
            "retention": period["retention"],
            "cost": None if cost is None else float(cost),
            "baseline_margin": None,
            "baseline_retention": None,
            "retention_uplift": None,
            "incremental_margin": None,
            "roi": None,
            "missing": [],
        }
        missing = result["missing"]
        if period["retention"] is None:
            missing.append(
                self.env._("No customer was active at the start of this period.")
            )
        if not cost:
            missing.append(self.env._("No CRM costs are recorded in this period."))
        start, end = company.crm_roi_baseline_from, company.crm_roi_baseline_to
        if not (start and end):
            missing.append(self.env._("No baseline period is set in the settings."))
            return result
        baseline = self._period_figures(start, end)
        scale = ((date_to - date_from).days + 1) / ((end - start).days + 1)
        baseline_margin = float(baseline["margin"]) * scale
        incremental = result["margin"] - baseline_margin
        result.update(
            baseline_margin=baseline_margin,
            baseline_retention=baseline["retention"],
            incremental_margin=incremental,
        )
        if baseline["retention"] is None:
            missing.append(
                self.env._(
                    "No customer was active at the start of the baseline period."
                )
            )
        elif period["retention"] is not None:
            result["retention_uplift"] = period["retention"] - baseline["retention"]
        if cost:
            result["roi"] = (incremental - float(cost)) / float(cost)
        return result
