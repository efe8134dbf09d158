from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL


class CrmSalespersonScorecard(models.TransientModel):
    """Salesperson scorecard over a period (DOMAIN §2): per salesperson, the
    customers, their retention, churn and win-back, satisfaction and
    complaints, and revenue — the basis for paying part of a commission only
    once the customer is still satisfied a year later."""

    _name = "crm.salesperson.scorecard"
    _description = "Salesperson Scorecard"

    date_from = fields.Date(
        required=True,
        default=lambda self: (
            fields.Date.context_today(self) - relativedelta(years=1, days=-1)
        ),
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    line_ids = fields.One2many("crm.salesperson.scorecard.line", "scorecard_id")

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for scorecard in self:
            if scorecard.date_from > scorecard.date_to:
                raise ValidationError(
                    self.env._("The period must start on or before its end.")
                )

    @api.model
    def _scorecard_rows(self, date_from, date_to, company):
        """One row per salesperson of ``company`` (one query): see the
        fields of ``crm.salesperson.scorecard.line``. The retention compares
        the period with the one of the same length just before it."""
        self.env.flush_all()
        length = (date_to - date_from).days + 1
        previous_from = date_from - relativedelta(days=length)
        return self.env.execute_query_dict(
            SQL(
                """
                WITH customer AS (
                    SELECT pr.partner_id, pr.user_id
                      FROM crm_customer_profile pr
                     WHERE pr.company_id = %(company)s
                       AND pr.user_id IS NOT NULL
                       AND pr.lifecycle_stage IS NOT NULL
                       AND pr.lifecycle_stage != 'prospect'
                ),
                invoice AS (
                    SELECT m.commercial_partner_id AS partner_id, m.invoice_date,
                           m.move_type, m.amount_untaxed_signed
                      FROM account_move m
                     WHERE m.company_id = %(company)s AND m.state = 'posted'
                       AND m.move_type IN ('out_invoice', 'out_refund')
                       AND m.invoice_date >= %(previous_from)s
                       AND m.invoice_date <= %(date_to)s
                ),
                buying AS (
                    SELECT c.user_id, c.partner_id,
                           bool_or(i.move_type = 'out_invoice'
                                   AND i.invoice_date < %(date_from)s) AS before,
                           bool_or(i.move_type = 'out_invoice'
                                   AND i.invoice_date >= %(date_from)s) AS during,
                           coalesce(sum(i.amount_untaxed_signed) FILTER (
                               WHERE i.invoice_date >= %(date_from)s), 0) AS revenue
                      FROM customer c
                      JOIN invoice i ON i.partner_id = c.partner_id
                  GROUP BY c.user_id, c.partner_id
                ),
                moves AS (
                    SELECT c.user_id,
                           count(*) FILTER (WHERE h.stage_to = 'churned') AS churned,
                           count(*) FILTER (WHERE h.stage_to = 'won_back') AS won_back
                      FROM crm_lifecycle_history h
                      JOIN customer c ON c.partner_id = h.partner_id
                     WHERE h.company_id = %(company)s
                       AND h.date >= %(date_from)s AND h.date <= %(date_to)s
                  GROUP BY c.user_id
                ),
                satisfaction AS (
                    SELECT c.user_id, avg(i.crm_csi) AS csi, avg(i.crm_nps) AS nps
                      FROM survey_user_input i
                      JOIN customer c ON c.partner_id = i.crm_partner_id
                     WHERE i.state = 'done' AND i.crm_company_id = %(company)s
                       AND i.end_datetime >= %(date_from)s
                       AND i.end_datetime < %(date_to)s::date + 1
                  GROUP BY c.user_id
                ),
                complaint AS (
                    SELECT c.user_id, count(*) AS complaints
                      FROM crm_service_case s
                      JOIN customer c ON c.partner_id = s.commercial_partner_id
                     WHERE s.company_id = %(company)s AND s.case_type = 'complaint'
                       AND s.date_recorded >= %(date_from)s
                       AND s.date_recorded < %(date_to)s::date + 1
                  GROUP BY c.user_id
                ),
                per_user AS (
                    SELECT c.user_id,
                           count(*) AS customers,
                           count(b.partner_id) FILTER (WHERE b.before)
                               AS bought_before,
                           count(b.partner_id) FILTER (WHERE b.before AND b.during)
                               AS retained,
                           count(b.partner_id) FILTER (WHERE b.during) AS invoiced,
                           coalesce(sum(b.revenue), 0) AS revenue
                      FROM customer c
                      LEFT JOIN buying b
                        ON b.user_id = c.user_id AND b.partner_id = c.partner_id
                  GROUP BY c.user_id
                )
                SELECT u.user_id, u.customers, u.bought_before, u.retained,
                       100.0 * u.retained / NULLIF(u.bought_before, 0)
                           AS retention_rate,
                       coalesce(m.churned, 0) AS churned,
                       coalesce(m.won_back, 0) AS won_back,
                       s.csi, s.nps,
                       coalesce(k.complaints, 0) AS complaints,
                       u.invoiced,
                       100.0 * coalesce(k.complaints, 0) / NULLIF(u.invoiced, 0)
                           AS complaint_rate,
                       u.revenue
                  FROM per_user u
                  LEFT JOIN moves m ON m.user_id = u.user_id
                  LEFT JOIN satisfaction s ON s.user_id = u.user_id
                  LEFT JOIN complaint k ON k.user_id = u.user_id
                """,
                company=company.id,
                date_from=date_from,
                date_to=date_to,
                previous_from=previous_from,
            )
        )

    def action_compute(self):
        self.ensure_one()
        self.env["crm.customer.profile"].check_access("read")
        rows = self._scorecard_rows(self.date_from, self.date_to, self.env.company)
        self.line_ids = [(5, 0, 0)] + [
            (
                0,
                0,
                {
                    key: (float(value) if value is not None else 0.0)
                    if key
                    in ("retention_rate", "csi", "nps", "complaint_rate", "revenue")
                    else value
                    for key, value in row.items()
                },
            )
            for row in rows
        ]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Salesperson Scorecard"),
            "res_model": "crm.salesperson.scorecard.line",
            "view_mode": "list,pivot,graph",
            "domain": [("scorecard_id", "=", self.id)],
        }


class CrmSalespersonScorecardLine(models.TransientModel):
    _name = "crm.salesperson.scorecard.line"
    _description = "Salesperson Scorecard Line"
    _order = "revenue desc"

    scorecard_id = fields.Many2one(
        "crm.salesperson.scorecard", required=True, ondelete="cascade", index=True
    )
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    customers = fields.Integer(readonly=True)
    bought_before = fields.Integer(
        string="Buyers of the Previous Period", readonly=True
    )
    retained = fields.Integer(string="Bought Again", readonly=True)
    retention_rate = fields.Float(
        string="Retention (%)", digits=(16, 1), readonly=True, aggregator="avg"
    )
    churned = fields.Integer(readonly=True)
    won_back = fields.Integer(readonly=True)
    csi = fields.Float(
        string="Mean CSI", digits=(16, 3), readonly=True, aggregator="avg"
    )
    nps = fields.Float(string="NPS", digits=(16, 1), readonly=True, aggregator="avg")
    complaints = fields.Integer(readonly=True)
    invoiced = fields.Integer(string="Customers Invoiced", readonly=True)
    complaint_rate = fields.Float(
        string="Complaint Rate (%)", digits=(16, 1), readonly=True, aggregator="avg"
    )
    revenue = fields.Float(digits="Account", readonly=True)
