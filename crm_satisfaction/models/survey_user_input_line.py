from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class SurveyUserInputLine(models.Model):
    _inherit = "survey.user_input.line"

    crm_partner_id = fields.Many2one(related="user_input_id.crm_partner_id")

    @api.constrains("value_scale", "question_id", "skipped")
    def _check_crm_measure_answer(self):
        """A measured answer is on its question's scale, and an expectation
        is above 0 (satisfaction divides perception by it)."""
        for line in self:
            question = line.question_id
            if not question.crm_measure or line.skipped or line.answer_type != "scale":
                continue
            if not question.scale_min <= line.value_scale <= question.scale_max:
                raise ValidationError(
                    self.env._(
                        "Question '%(question)s': %(value)s is outside its scale "
                        "(%(min)s to %(max)s).",
                        question=question.title,
                        value=line.value_scale,
                        min=question.scale_min,
                        max=question.scale_max,
                    )
                )
            if question.crm_measure == "expectation" and line.value_scale <= 0:
                raise ValidationError(
                    self.env._(
                        "Question '%s': an expectation must be above 0, "
                        "satisfaction is perception divided by expectation.",
                        question.title,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._crm_check_answer_edit()
        return lines

    def write(self, vals):
        self._crm_check_answer_edit()
        res = super().write(vals)
        if "user_input_id" in vals:
            self._crm_check_answer_edit()
        return res

    def unlink(self):
        self._crm_check_answer_edit()
        return super().unlink()

    def _crm_check_answer_edit(self):
        """The respondent's answers to a satisfaction survey are recorded by
        the survey pages (as superuser) until the response is completed;
        after that they are evidence, which nobody changes. Other users
        change answers of responses in progress only if they may change the
        response itself."""
        if self.env.su:
            return
        # sudo: the survey's flag and the response's state decide, whatever
        # the caller may read of them
        lines = self.sudo().filtered("survey_id.crm_is_satisfaction")
        done = lines.filtered(lambda line: line.user_input_id.state == "done")[:1]
        if done:
            raise UserError(
                self.env._(
                    "The answers of a completed response to the satisfaction "
                    "survey '%s' are evidence, and cannot be changed.",
                    done.survey_id.title,
                )
            )
        self.browse(lines.ids).user_input_id._crm_check_response_edit()
