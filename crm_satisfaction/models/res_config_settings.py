from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    crm_satisfaction_min_responses = fields.Integer(
        related="company_id.crm_satisfaction_min_responses", readonly=False
    )
    crm_index_weight_overall = fields.Float(
        related="company_id.crm_index_weight_overall", readonly=False
    )
    crm_index_weight_perception = fields.Float(
        related="company_id.crm_index_weight_perception", readonly=False
    )
    crm_index_weight_value = fields.Float(
        related="company_id.crm_index_weight_value", readonly=False
    )
    crm_matrix_threshold_mode = fields.Selection(
        related="company_id.crm_matrix_threshold_mode", readonly=False
    )
    crm_matrix_importance_mid = fields.Float(
        related="company_id.crm_matrix_importance_mid", readonly=False
    )
    crm_matrix_satisfaction_mid = fields.Float(
        related="company_id.crm_matrix_satisfaction_mid", readonly=False
    )
    crm_survey_auto_send = fields.Boolean(
        related="company_id.crm_survey_auto_send", readonly=False
    )
    crm_survey_auto_survey_id = fields.Many2one(
        related="company_id.crm_survey_auto_survey_id", readonly=False
    )
    crm_survey_delay_days = fields.Integer(
        related="company_id.crm_survey_delay_days", readonly=False
    )
    crm_survey_min_interval_days = fields.Integer(
        related="company_id.crm_survey_min_interval_days", readonly=False
    )
