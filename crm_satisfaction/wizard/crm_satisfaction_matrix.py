from odoo import api, fields, models

from ..models.crm_satisfaction_analysis import QUADRANT_SELECTION
from ..models.crm_satisfaction_result import KANO_CATEGORIES

# Figures per dimension that are None without the answers they need.
NUMBER_FIGURES = ("expectation", "perception", "importance", "ratio")


class CrmSatisfactionMatrix(models.TransientModel):
    """Satisfaction figures over a chosen set of responses: the indices, the
    importance–satisfaction matrix and the Kano table, all from
    ``crm.satisfaction.analysis.compute``."""

    _name = "crm.satisfaction.matrix"
    _description = "Satisfaction Analysis"

    survey_ids = fields.Many2many("survey.survey", string="Surveys")
    date_from = fields.Date(string="Invited From")
    date_to = fields.Date(string="Invited To")
    partner_ids = fields.Many2many("res.partner", string="Customers")
    user_ids = fields.Many2many("res.users", string="Salespeople")
    team_ids = fields.Many2many("crm.team", string="Sales Teams")
    computed = fields.Boolean(readonly=True)
    responses = fields.Integer(readonly=True)
    invited = fields.Integer(string="Invitations", readonly=True)
    response_rate = fields.Float(
        string="Response Rate (%)", digits=(16, 1), readonly=True
    )
    low_confidence = fields.Boolean(readonly=True)
    csi = fields.Float(string="CSI", digits=(16, 3), readonly=True)
    csat = fields.Float(string="CSAT (%)", digits=(16, 1), readonly=True)
    nps = fields.Float(string="NPS", digits=(16, 1), readonly=True)
    ces = fields.Float(string="CES", digits=(16, 2), readonly=True)
    index = fields.Float(string="Satisfaction Index", digits=(16, 1), readonly=True)
    has_csi = fields.Boolean(readonly=True)
    has_csat = fields.Boolean(readonly=True)
    has_nps = fields.Boolean(readonly=True)
    has_ces = fields.Boolean(readonly=True)
    has_index = fields.Boolean(readonly=True)
    line_ids = fields.One2many("crm.satisfaction.matrix.line", "matrix_id")
    has_controls = fields.Boolean(readonly=True)
    complaint_rate = fields.Float(
        string="Complaint Rate (%)", digits=(16, 1), readonly=True
    )
    omission_rate = fields.Float(
        string="Omission Rate (%)", digits=(16, 1), readonly=True
    )
    dissatisfaction_rate = fields.Float(
        string="Dissatisfaction Rate (%)", digits=(16, 1), readonly=True
    )
    chart = fields.Json(
        string="Importance–Satisfaction Matrix",
        readonly=True,
        help="The dimensions in the matrix and its quadrant lines.",
    )

    @api.depends_context("lang")
    def _compute_display_name(self):
        self.display_name = self.env._("Satisfaction Analysis")

    def _domain(self):
        self.ensure_one()
        domain = [("survey_id.question_and_page_ids.crm_measure", "!=", False)]
        if self.survey_ids:
            domain.append(("survey_id", "in", self.survey_ids.ids))
        if self.date_from:
            domain.append(("create_date", ">=", self.date_from))
        if self.date_to:
            domain.append(("create_date", "<", fields.Date.add(self.date_to, days=1)))
        if self.partner_ids:
            domain.append(("crm_partner_id", "in", self.partner_ids.ids))
        if self.user_ids:
            domain.append(("crm_user_id", "in", self.user_ids.ids))
        if self.team_ids:
            domain.append(("crm_team_id", "in", self.team_ids.ids))
        return domain

    def action_compute(self):
        self.ensure_one()
        Analysis = self.env["crm.satisfaction.analysis"]
        figures = Analysis.compute(self._domain())
        values = {
            "chart": Analysis._matrix_chart(figures),
            "computed": True,
            "responses": figures["responses"],
            "invited": figures["invited"],
            "response_rate": figures["response_rate"] or 0.0,
            "low_confidence": figures["low_confidence"],
            "line_ids": [(5, 0, 0)]
            + [
                (
                    0,
                    0,
                    {
                        "dimension_id": dimension_id,
                        "quadrant": dim["quadrant"],
                        "kano": dim["kano"],
                        "responses": dim["responses"],
                        # a figure without answers is empty, not 0
                        **{
                            key: dim[key] or 0.0
                            for key in (*NUMBER_FIGURES, "better", "worse")
                        },
                        **{
                            f"has_{key}": dim[key] is not None for key in NUMBER_FIGURES
                        },
                        "has_better_worse": dim["better"] is not None,
                    },
                )
                for dimension_id, dim in figures["dimensions"].items()
            ],
        }
        for key in ("csi", "csat", "nps", "ces", "index"):
            values[key] = figures[key] or 0.0
            values[f"has_{key}"] = figures[key] is not None
        if self.date_from and self.date_to:
            # The three service controls of the same period (and team).
            controls = self.env["crm.service.case"].service_controls(
                self.date_from,
                self.date_to,
                team=self.team_ids if len(self.team_ids) == 1 else None,
            )
            values["has_controls"] = True
            for key in ("complaint_rate", "omission_rate", "dissatisfaction_rate"):
                values[key] = controls[key] or 0.0
        self.write(values)
        # the form shows the new figures in place
        return False

    @api.model
    def action_open(self):
        """The analysis of the last 12 months' invitations, computed: the
        menu opens on its figures."""
        today = fields.Date.context_today(self)
        analysis = self.create(
            {
                "date_from": fields.Date.add(today, years=-1, days=1),
                "date_to": today,
            }
        )
        analysis.action_compute()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Satisfaction Analysis"),
            "res_model": self._name,
            "res_id": analysis.id,
            "view_mode": "form",
            "target": "current",
        }


class CrmSatisfactionMatrixLine(models.TransientModel):
    _name = "crm.satisfaction.matrix.line"
    _description = "Satisfaction Analysis per Dimension"
    _order = "quadrant, importance desc"

    matrix_id = fields.Many2one(
        "crm.satisfaction.matrix", required=True, ondelete="cascade", index=True
    )
    dimension_id = fields.Many2one("crm.satisfaction.dimension", readonly=True)
    expectation = fields.Float(digits=(16, 2), readonly=True)
    perception = fields.Float(
        string="Satisfaction (Perception)", digits=(16, 2), readonly=True
    )
    importance = fields.Float(digits=(16, 2), readonly=True)
    ratio = fields.Float(string="C = b / a", digits=(16, 3), readonly=True)
    quadrant = fields.Selection(QUADRANT_SELECTION, readonly=True)
    kano = fields.Selection(KANO_CATEGORIES, string="Kano Category", readonly=True)
    better = fields.Float(digits=(16, 2), readonly=True)
    worse = fields.Float(digits=(16, 2), readonly=True)
    responses = fields.Integer(readonly=True)
    has_expectation = fields.Boolean(readonly=True)
    has_perception = fields.Boolean(readonly=True)
    has_importance = fields.Boolean(readonly=True)
    has_ratio = fields.Boolean(readonly=True)
    has_better_worse = fields.Boolean(
        string="Has Better / Worse",
        readonly=True,
        help="Better and Worse need attractive, one-dimensional, must-be or "
        "indifferent Kano answers; without them they are empty.",
    )

    def action_view_answers(self):
        """The answers behind this dimension's figures."""
        self.ensure_one()
        # the answers the figures count: scale answers, not skipped, of the
        # completed responses of the analysis
        responses = [*self.matrix_id._domain(), ("state", "=", "done")]
        return {
            "type": "ir.actions.act_window",
            "name": self.dimension_id.display_name,
            "res_model": "survey.user_input.line",
            "views": [
                (
                    self.env.ref(
                        "crm_satisfaction.survey_user_input_line_view_list_crm_answers"
                    ).id,
                    "list",
                ),
                (False, "form"),
            ],
            "domain": [
                ("user_input_id", "any", responses),
                ("question_id.crm_dimension_id", "=", self.dimension_id.id),
                ("answer_type", "=", "scale"),
                ("skipped", "=", False),
            ],
        }
