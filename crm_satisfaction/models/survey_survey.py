from odoo import api, fields, models
from odoo.exceptions import AccessError


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

    def write(self, vals):
        self._crm_check_survey_edit()
        return super().write(vals)

    def unlink(self):
        self._crm_check_survey_edit()
        return super().unlink()

    @api.model
    def _crm_is_satisfaction_manager(self):
        """Whether the current user may change satisfaction surveys and
        their responses: satisfaction administrators, and code running as
        superuser (the survey pages record the respondents' answers so).
        Survey officers are not enough: every new user is one by default."""
        return self.env.su or self.env.user.has_group(
            "crm_satisfaction.group_satisfaction_manager"
        )

    def _crm_check_survey_edit(self):
        """Refuse to change a satisfaction survey (its settings, questions,
        measures or choices) unless the user is a satisfaction administrator:
        the indices compare responses to the same questions."""
        if self._crm_is_satisfaction_manager():
            return
        # sudo: the flag decides, whatever the caller may read of the survey
        survey = self.sudo().filtered("crm_is_satisfaction")[:1]
        if survey:
            raise AccessError(
                self.env._(
                    "The survey '%s' measures customer satisfaction: only "
                    "satisfaction administrators can change it, its questions "
                    "and their measures.",
                    survey.title,
                )
            )
