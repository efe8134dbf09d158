from odoo import api, fields, models
from odoo.exceptions import ValidationError

CRM_MEASURES = [
    ("expectation", "Expectation"),
    ("perception", "Perception"),
    ("importance", "Importance"),
    ("overall", "Overall satisfaction"),
    ("value", "Perceived value"),
    ("recommend", "Likelihood to recommend (NPS)"),
    ("effort", "Customer effort (CES)"),
    ("kano_functional", "Kano: functional (feature present)"),
    ("kano_dysfunctional", "Kano: dysfunctional (feature absent)"),
]
# Measures that belong to a dimension.
DIMENSION_MEASURES = {
    "expectation",
    "perception",
    "importance",
    "kano_functional",
    "kano_dysfunctional",
}
KANO_MEASURES = {"kano_functional", "kano_dysfunctional"}


class SurveyQuestion(models.Model):
    _inherit = "survey.question"

    crm_measure = fields.Selection(
        CRM_MEASURES,
        string="Satisfaction Measure",
        help="What the answer measures in the satisfaction indices. Works with "
        "scale questions: their minimum and maximum give the scale.",
    )
    crm_dimension_id = fields.Many2one(
        "crm.satisfaction.dimension",
        string="Satisfaction Dimension",
        ondelete="restrict",
        help="Required for expectation, perception, importance and Kano answers.",
    )

    @api.constrains(
        "crm_measure", "crm_dimension_id", "question_type", "scale_min", "scale_max"
    )
    def _check_crm_measure(self):
        for question in self.filtered("crm_measure"):
            if question.question_type != "scale":
                raise ValidationError(
                    self.env._(
                        "Question '%s': a satisfaction measure needs a scale "
                        "question (a numeric answer between a minimum and a "
                        "maximum).",
                        question.title,
                    )
                )
            if question.crm_measure == "recommend" and (
                question.scale_min,
                question.scale_max,
            ) != (0, 10):
                raise ValidationError(
                    self.env._(
                        "Question '%s': the likelihood to recommend is asked on a "
                        "0 to 10 scale.",
                        question.title,
                    )
                )
            if question.crm_measure in KANO_MEASURES and (
                question.scale_min,
                question.scale_max,
            ) != (1, 5):
                raise ValidationError(
                    self.env._(
                        "Question '%s': Kano answers are asked on a 1 to 5 scale "
                        "(1 like, 2 must-be, 3 neutral, 4 live-with, 5 dislike).",
                        question.title,
                    )
                )
            if (
                question.crm_measure in DIMENSION_MEASURES
                and not question.crm_dimension_id
            ):
                raise ValidationError(
                    self.env._(
                        "Question '%s': choose the satisfaction dimension it measures.",
                        question.title,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        questions = super().create(vals_list)
        # checked once created: a question with a measure makes its survey a
        # satisfaction survey
        questions.survey_id._crm_check_survey_edit()
        return questions

    def write(self, vals):
        self.survey_id._crm_check_survey_edit()
        res = super().write(vals)
        if {"survey_id", "crm_measure"} & vals.keys():
            # moved to a satisfaction survey, or made its survey one
            self.survey_id._crm_check_survey_edit()
        return res

    def unlink(self):
        self.survey_id._crm_check_survey_edit()
        return super().unlink()
