from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.crm_lifecycle.bounds import (
    COUNT,
    DELAY_DAYS,
    SCALE_POINT,
    WEIGHT,
    check_bounds,
)


class ResCompany(models.Model):
    _inherit = "res.company"

    crm_satisfaction_min_responses = fields.Integer(
        string="Minimum Responses",
        default=30,
        help="Below this many completed responses a satisfaction figure is "
        "flagged low-confidence.",
    )
    crm_index_weight_overall = fields.Float(
        string="Index Weight: Overall", default=1.0, digits=(4, 2)
    )
    crm_index_weight_perception = fields.Float(
        string="Index Weight: Perception", default=1.0, digits=(4, 2)
    )
    crm_index_weight_value = fields.Float(
        string="Index Weight: Value", default=1.0, digits=(4, 2)
    )
    crm_matrix_threshold_mode = fields.Selection(
        [("mean", "Mean of the dimensions shown"), ("fixed", "Fixed mid-points")],
        string="Matrix Thresholds",
        default="mean",
        required=True,
    )
    crm_matrix_importance_mid = fields.Float(
        string="Importance Mid-point", default=3.0, digits=(4, 2)
    )
    crm_matrix_satisfaction_mid = fields.Float(
        string="Satisfaction Mid-point", default=3.0, digits=(4, 2)
    )
    crm_survey_auto_send = fields.Boolean(
        string="Survey After Invoicing",
        help="Send a satisfaction survey to customers some days after an invoice "
        "is posted.",
    )
    crm_survey_auto_survey_id = fields.Many2one(
        "survey.survey", string="Survey to Send"
    )
    crm_survey_delay_days = fields.Integer(string="Days After Invoice", default=7)
    crm_survey_min_interval_days = fields.Integer(
        string="Ask a Customer at Most Every (days)",
        default=90,
        help="A customer invited to a satisfaction survey is not invited again "
        "before this many days.",
    )

    @api.constrains(
        "crm_satisfaction_min_responses",
        "crm_index_weight_overall",
        "crm_index_weight_perception",
        "crm_index_weight_value",
        "crm_survey_delay_days",
        "crm_survey_min_interval_days",
        "crm_survey_auto_send",
        "crm_survey_auto_survey_id",
        "crm_matrix_importance_mid",
        "crm_matrix_satisfaction_mid",
    )
    def _check_crm_satisfaction_settings(self):
        check_bounds(
            self,
            {
                "crm_satisfaction_min_responses": COUNT,
                "crm_index_weight_overall": WEIGHT,
                "crm_index_weight_perception": WEIGHT,
                "crm_index_weight_value": WEIGHT,
                "crm_matrix_importance_mid": SCALE_POINT,
                "crm_matrix_satisfaction_mid": SCALE_POINT,
                "crm_survey_delay_days": DELAY_DAYS,
                "crm_survey_min_interval_days": DELAY_DAYS,
            },
        )
        for company in self:
            weights = (
                company.crm_index_weight_overall,
                company.crm_index_weight_perception,
                company.crm_index_weight_value,
            )
            if not sum(weights):
                raise ValidationError(
                    self.env._(
                        "%(company)s: the index weights cannot be negative and "
                        "at least one must be positive.",
                        company=company.name,
                    )
                )
            if company.crm_survey_auto_send and not company.crm_survey_auto_survey_id:
                raise ValidationError(
                    self.env._(
                        "%(company)s: choose the survey to send after invoicing.",
                        company=company.name,
                    )
                )
