from odoo import api, models
from odoo.exceptions import ValidationError


class SurveyUserInputLine(models.Model):
    _inherit = "survey.user_input.line"

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
