from markupsafe import Markup, escape

from odoo import api, fields, models

from ..models.crm_satisfaction_result import KANO_CATEGORIES

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 640, 420, 40
QUADRANT_SELECTION = [
    ("urgent", "Urgent improvement"),
    ("advantage", "Competitive advantage"),
    ("secondary", "Secondary improvement"),
    ("surplus", "Surplus"),
]
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
    response_rate = fields.Float(string="Response Rate (%)", readonly=True)
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
    chart = fields.Html(compute="_compute_chart", sanitize=False)

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
        figures = self.env["crm.satisfaction.analysis"].compute(self._domain())
        values = {
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
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    @api.depends("line_ids.importance", "line_ids.perception", "line_ids.quadrant")
    def _compute_chart(self):
        """The importance–satisfaction matrix as an SVG scatter chart with
        its four quadrants (importance right, satisfaction up)."""
        labels = dict(
            self.env["crm.satisfaction.matrix.line"]
            ._fields["quadrant"]
            ._description_selection(self.env)
        )
        for matrix in self:
            points = matrix.line_ids.filtered("quadrant")
            if not points:
                matrix.chart = False
                continue
            xs = points.mapped("importance")
            ys = points.mapped("perception")
            x_lo, x_hi = min(xs) - 0.5, max(xs) + 0.5
            y_lo, y_hi = min(ys) - 0.5, max(ys) + 0.5
            x_mid, y_mid = matrix._thresholds(points)
            width, height, pad = CHART_WIDTH, CHART_HEIGHT, CHART_PAD

            def px(x, lo=x_lo, hi=x_hi):
                return CHART_PAD + (x - lo) / (hi - lo) * (CHART_WIDTH - 2 * CHART_PAD)

            def py(y, lo=y_lo, hi=y_hi):
                return (
                    CHART_HEIGHT
                    - CHART_PAD
                    - (y - lo) / (hi - lo) * (CHART_HEIGHT - 2 * CHART_PAD)
                )

            parts = [
                Markup(
                    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" '
                    'class="o_crm_satisfaction_matrix" style="max-width: 100%%; '
                    'font-size: 12px;">'
                )
                % (width, height),
                Markup(
                    '<rect x="%s" y="%s" width="%s" height="%s" fill="none" '
                    'stroke="#999"/>'
                )
                % (pad, pad, width - 2 * pad, height - 2 * pad),
                Markup(
                    '<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#999" '
                    'stroke-dasharray="4"/>'
                )
                % (px(x_mid), pad, px(x_mid), height - pad),
                Markup(
                    '<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#999" '
                    'stroke-dasharray="4"/>'
                )
                % (pad, py(y_mid), width - pad, py(y_mid)),
            ]
            corners = {
                "urgent": (width - pad - 6, height - pad - 8, "end"),
                "advantage": (width - pad - 6, pad + 16, "end"),
                "secondary": (pad + 6, height - pad - 8, "start"),
                "surplus": (pad + 6, pad + 16, "start"),
            }
            for key, (x, y, anchor) in corners.items():
                parts.append(
                    Markup(
                        '<text x="%s" y="%s" text-anchor="%s" fill="#777" '
                        'font-weight="bold">%s</text>'
                    )
                    % (x, y, anchor, escape(labels[key]))
                )
            for line in points:
                x, y = px(line.importance), py(line.perception)
                parts.append(
                    Markup('<circle cx="%s" cy="%s" r="5" fill="#017e84"/>') % (x, y)
                )
                parts.append(
                    Markup('<text x="%s" y="%s">%s</text>')
                    % (x + 8, y + 4, escape(line.dimension_id.display_name))
                )
            parts.append(
                Markup('<text x="%s" y="%s" text-anchor="middle">%s</text>')
                % (width / 2, height - 8, escape(self.env._("Importance")))
            )
            parts.append(
                Markup(
                    '<text x="12" y="%s" transform="rotate(-90 12 %s)" '
                    'text-anchor="middle">%s</text>'
                )
                % (height / 2, height / 2, escape(self.env._("Satisfaction")))
            )
            parts.append(Markup("</svg>"))
            matrix.chart = Markup("").join(parts)

    def _thresholds(self, points):
        company = self.env.company
        if company.crm_matrix_threshold_mode == "fixed":
            return (
                company.crm_matrix_importance_mid,
                company.crm_matrix_satisfaction_mid,
            )
        return (
            sum(points.mapped("importance")) / len(points),
            sum(points.mapped("perception")) / len(points),
        )


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
        inputs = self.env["survey.user_input"].search(
            [*self.matrix_id._domain(), ("state", "=", "done")]
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.dimension_id.display_name,
            "res_model": "survey.user_input.line",
            "view_mode": "list,form",
            "domain": [
                ("user_input_id", "in", inputs.ids),
                ("question_id.crm_dimension_id", "=", self.dimension_id.id),
            ],
        }
