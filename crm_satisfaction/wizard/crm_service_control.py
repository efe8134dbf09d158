from dateutil.relativedelta import relativedelta

from odoo import fields, models


class CrmServiceControl(models.TransientModel):
    """The three service controls (三个控制) per sales team and month, each
    cell computed by ``crm.service.case.service_controls``."""

    _name = "crm.service.control"
    _description = "Service Controls"

    date_from = fields.Date(
        required=True,
        default=lambda self: (
            fields.Date.context_today(self).replace(day=1) - relativedelta(months=5)
        ),
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    team_ids = fields.Many2many(
        "crm.team", string="Sales Teams", help="Empty: the whole company."
    )
    line_ids = fields.One2many("crm.service.control.line", "control_id")

    def _scopes(self):
        """The rows of each month: [(their values, the arguments of
        ``crm.service.case._service_controls`` that count them)], a row per
        sales team chosen, or one for the whole company."""
        return [({"team_id": team.id}, {"team": team}) for team in self.team_ids] or [
            ({"team_id": False}, {})
        ]

    def action_compute(self):
        self.ensure_one()
        Case = self.env["crm.service.case"]
        scopes = self._scopes()
        lines = []
        month = self.date_from.replace(day=1)
        while month <= self.date_to:
            start = max(month, self.date_from)
            end = min(month + relativedelta(months=1, days=-1), self.date_to)
            for values, arguments in scopes:
                figures = Case._service_controls(start, end, **arguments)
                lines.append(
                    {
                        "month": month,
                        **values,
                        **{
                            key: figures[key] or 0.0
                            for key in (
                                "complaint_rate",
                                "omission_rate",
                                "dissatisfaction_rate",
                                "completeness_rate",
                                "completeness_in_time_rate",
                            )
                        },
                        **{
                            key: figures[key]
                            for key in (
                                "cases",
                                "cases_complete",
                                "cases_complete_in_time",
                                "complaints",
                                "customers_invoiced",
                                "cases_due",
                                "cases_missed",
                                "callbacks_due",
                                "callbacks_missed",
                                "responses",
                                "dissatisfied",
                            )
                        },
                    }
                )
            month += relativedelta(months=1)
        self.line_ids = [(5, 0, 0)] + [(0, 0, values) for values in lines]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Service Controls"),
            "res_model": "crm.service.control.line",
            "view_mode": "list,pivot,graph",
            "domain": [("control_id", "=", self.id)],
        }


class CrmServiceControlLine(models.TransientModel):
    _name = "crm.service.control.line"
    _inherit = ["crm.rate.mixin"]
    _description = "Service Controls per Team and Month"
    _order = "month, team_id"

    control_id = fields.Many2one(
        "crm.service.control", required=True, ondelete="cascade", index=True
    )
    month = fields.Date(readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    complaint_rate = fields.Float(
        string="Complaint Rate (%)", digits=(16, 2), readonly=True, aggregator="sum"
    )
    omission_rate = fields.Float(
        string="Omission Rate (%)", digits=(16, 2), readonly=True, aggregator="sum"
    )
    dissatisfaction_rate = fields.Float(
        string="Dissatisfaction Rate (%)",
        digits=(16, 2),
        readonly=True,
        aggregator="sum",
    )
    completeness_rate = fields.Float(
        string="Four No-Misses (%)",
        digits=(16, 2),
        readonly=True,
        aggregator="sum",
        help="Of the cases recorded in the month, the share closed with all four "
        "steps done: recorded, resolved, called back, fed back.",
    )
    completeness_in_time_rate = fields.Float(
        string="Four No-Misses in Time (%)",
        digits=(16, 2),
        readonly=True,
        aggregator="sum",
        help="Of the cases recorded in the month, the share closed with all four "
        "steps done and resolved by the deadline, never escalated.",
    )
    _rate_counts = {
        "complaint_rate": (["complaints"], ["customers_invoiced"]),
        "omission_rate": (
            ["cases_missed", "callbacks_missed"],
            ["cases_due", "callbacks_due"],
        ),
        "dissatisfaction_rate": (["dissatisfied"], ["responses"]),
        "completeness_rate": (["cases_complete"], ["cases"]),
        "completeness_in_time_rate": (["cases_complete_in_time"], ["cases"]),
    }
    cases = fields.Integer(string="Cases Recorded", readonly=True)
    cases_complete = fields.Integer(string="Closed, All Steps", readonly=True)
    cases_complete_in_time = fields.Integer(
        string="Closed, All Steps in Time", readonly=True
    )
    complaints = fields.Integer(readonly=True)
    customers_invoiced = fields.Integer(readonly=True)
    cases_due = fields.Integer(readonly=True)
    cases_missed = fields.Integer(string="Cases Past Deadline", readonly=True)
    callbacks_due = fields.Integer(readonly=True)
    callbacks_missed = fields.Integer(string="Callbacks Past Deadline", readonly=True)
    responses = fields.Integer(string="Completed Responses", readonly=True)
    dissatisfied = fields.Integer(readonly=True)
