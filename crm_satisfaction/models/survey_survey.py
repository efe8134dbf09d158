from odoo import api, fields, models


class SurveySurvey(models.Model):
    _inherit = "survey.survey"

    crm_is_satisfaction = fields.Boolean(
        string="Satisfaction Survey",
        compute="_compute_crm_is_satisfaction",
        store=True,
        help="At least one question carries a satisfaction measure: the "
        "responses count in the satisfaction indices and stay within their "
        "company. Certifications, quizzes and other surveys are left alone.",
    )

    @api.depends("question_and_page_ids.crm_measure")
    def _compute_crm_is_satisfaction(self):
        """Stored so that record rules and searches filter responses on it
        without joining every question of their survey."""
        for survey in self:
            survey.crm_is_satisfaction = any(
                survey.question_and_page_ids.mapped("crm_measure")
            )
