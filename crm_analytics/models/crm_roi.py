from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from odoo.addons.crm_lifecycle.models.crm_customer_profile import LIFECYCLE_STAGES

from .crm_customer_profile import VALUE_TIERS


class CrmCostEntry(models.Model):
    """What the CRM costs a company in a month (people, tools, campaigns):
    the denominator of the CRM return on investment."""

    _name = "crm.cost.entry"
    _description = "CRM Cost"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Description", required=True)
    date = fields.Date(
        string="Month", required=True, default=fields.Date.context_today, index=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount = fields.Monetary(required=True)

    @api.constrains("amount")
    def _check_amount(self):
        for entry in self:
            if entry.amount < 0:
                raise ValidationError(self.env._("A CRM cost cannot be negative."))


class ResCompany(models.Model):
    _inherit = "res.company"

    crm_roi_baseline_from = fields.Date(
        string="ROI Baseline From",
        help="Start of the period before the CRM, against which retention and "
        "margin are compared.",
    )
    crm_roi_baseline_to = fields.Date(string="ROI Baseline To")

    @api.constrains("crm_roi_baseline_from", "crm_roi_baseline_to")
    def _check_crm_roi_baseline(self):
        for company in self:
            start, end = company.crm_roi_baseline_from, company.crm_roi_baseline_to
            if bool(start) != bool(end) or (start and start > end):
                raise ValidationError(
                    self.env._(
                        "%(company)s: the ROI baseline needs a start and an end, "
                        "the start first.",
                        company=company.name,
                    )
                )


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    crm_roi_baseline_from = fields.Date(
        related="company_id.crm_roi_baseline_from", readonly=False
    )
    crm_roi_baseline_to = fields.Date(
        related="company_id.crm_roi_baseline_to", readonly=False
    )


class CrmCustomerProfile(models.Model):
    _inherit = "crm.customer.profile"

    @api.model
    def _period_figures(self, date_from, date_to):
        """Margin, revenue and retention of the current company over
        [date_from, date_to]: retention = customers active at the start (a
        purchase within the churn period before it) who bought during the
        period, over those active."""
        company = self.env.company

        def no_filter(_column):
            return SQL()

        sources = self._source_queries(SQL("%s::date", date_to), no_filter)
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
                sources=SQL("\nUNION ALL\n").join(sources),
                lines=self._margin_line_query(
                    SQL("%s::date - 1", date_from), SQL("%s::date", date_to)
                ),
            )
        )
        row["retention"] = (
            100.0 * row["retained"] / row["active"] if row["active"] else None
        )
        return row

    @api.model
    def roi(self, date_from, date_to):
        """CRM return on investment of the current company over
        [date_from, date_to] against the baseline period of the settings:

        - retention uplift = retention of the period − of the baseline
          (percentage points);
        - incremental margin = margin of the period − margin of the baseline
          scaled to the period's length;
        - ROI = (incremental margin − CRM costs of the period) / those costs
          (None without costs or without a baseline).
        """
        self.check_access("read")
        date_from = fields.Date.to_date(date_from)
        date_to = fields.Date.to_date(date_to)
        company = self.env.company
        self.env.flush_all()
        period = self._period_figures(date_from, date_to)
        [(cost,)] = self.env.execute_query(
            SQL(
                """SELECT coalesce(sum(amount), 0) FROM crm_cost_entry
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
            "cost": float(cost),
            "baseline_margin": None,
            "baseline_retention": None,
            "retention_uplift": None,
            "incremental_margin": None,
            "roi": None,
        }
        start, end = company.crm_roi_baseline_from, company.crm_roi_baseline_to
        if not (start and end):
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
        if period["retention"] is not None and baseline["retention"] is not None:
            result["retention_uplift"] = period["retention"] - baseline["retention"]
        if cost:
            result["roi"] = (incremental - float(cost)) / float(cost)
        return result


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
        "crm.customer.snapshot": ["date", "value_tier", "lifecycle_stage"],
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
                      FROM crm_customer_snapshot sn
                     WHERE sn.company_id = m.company_id
                       AND sn.partner_id = m.partner_id
                       AND sn.date < m.month + interval '1 month'
                  ORDER BY sn.date DESC LIMIT 1) s ON TRUE
          GROUP BY m.company_id, m.month, s.value_tier, s.lifecycle_stage
            """,
            lines=self.env["crm.customer.profile"]._margin_line_query(
                SQL("'1900-01-01'::date"), SQL("CURRENT_DATE")
            ),
        )


class CrmRoiWizard(models.TransientModel):
    _name = "crm.roi.wizard"
    _description = "CRM Return on Investment"

    date_from = fields.Date(
        required=True,
        default=lambda self: fields.Date.context_today(self) - timedelta(days=364),
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    computed = fields.Boolean(readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, readonly=True
    )
    revenue = fields.Monetary(readonly=True)
    margin = fields.Monetary(readonly=True)
    baseline_margin = fields.Monetary(string="Baseline Margin (scaled)", readonly=True)
    incremental_margin = fields.Monetary(readonly=True)
    cost = fields.Monetary(string="CRM Costs", readonly=True)
    retention = fields.Float(string="Retention (%)", digits=(16, 1), readonly=True)
    baseline_retention = fields.Float(
        string="Baseline Retention (%)", digits=(16, 1), readonly=True
    )
    retention_uplift = fields.Float(
        string="Retention Uplift (points)", digits=(16, 1), readonly=True
    )
    roi = fields.Float(string="ROI", digits=(16, 2), readonly=True)
    has_roi = fields.Boolean(readonly=True)

    def action_compute(self):
        self.ensure_one()
        figures = self.env["crm.customer.profile"].roi(self.date_from, self.date_to)
        self.write(
            {
                "computed": True,
                "has_roi": figures["roi"] is not None,
                **{
                    key: figures[key] or 0.0
                    for key in (
                        "revenue",
                        "margin",
                        "baseline_margin",
                        "incremental_margin",
                        "cost",
                        "retention",
                        "baseline_retention",
                        "retention_uplift",
                        "roi",
                    )
                },
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
