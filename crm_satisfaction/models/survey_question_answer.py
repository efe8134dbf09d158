from odoo import api, models


class SurveyQuestionAnswer(models.Model):
    _inherit = "survey.question.answer"

    @api.model_create_multi
    def create(self, vals_list):
        answers = super().create(vals_list)
        answers._crm_surveys()._crm_check_survey_edit()
        return answers

    def write(self, vals):
        self._crm_surveys()._crm_check_survey_edit()
        res = super().write(vals)
        if {"question_id", "matrix_question_id"} & vals.keys():
            self._crm_surveys()._crm_check_survey_edit()
        return res

    def unlink(self):
        self._crm_surveys()._crm_check_survey_edit()
        return super().unlink()

    def _crm_surveys(self):
        """The surveys of these choices, as rows or columns of a matrix."""
        return (self.question_id | self.matrix_question_id).survey_id
