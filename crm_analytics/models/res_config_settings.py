from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    crm_value_basis = fields.Selection(
        related="company_id.crm_value_basis", readonly=False
    )
    crm_tier_mode = fields.Selection(related="company_id.crm_tier_mode", readonly=False)
    crm_tier_vip_share = fields.Float(
        related="company_id.crm_tier_vip_share", readonly=False
    )
    crm_tier_key_share = fields.Float(
        related="company_id.crm_tier_key_share", readonly=False
    )
    crm_tier_ordinary_share = fields.Float(
        related="company_id.crm_tier_ordinary_share", readonly=False
    )
    crm_tier_small_share = fields.Float(
        related="company_id.crm_tier_small_share", readonly=False
    )
    crm_tier_vip_threshold = fields.Monetary(
        related="company_id.crm_tier_vip_threshold", readonly=False
    )
    crm_tier_key_threshold = fields.Monetary(
        related="company_id.crm_tier_key_threshold", readonly=False
    )
    crm_tier_ordinary_threshold = fields.Monetary(
        related="company_id.crm_tier_ordinary_threshold", readonly=False
    )
    crm_rfm_window_days = fields.Integer(
        related="company_id.crm_rfm_window_days", readonly=False
    )
    crm_clv_discount_rate = fields.Float(
        related="company_id.crm_clv_discount_rate", readonly=False
    )
    crm_clv_margin_rate = fields.Float(
        related="company_id.crm_clv_margin_rate", readonly=False
    )
    crm_roi_baseline_from = fields.Date(
        related="company_id.crm_roi_baseline_from", readonly=False
    )
    crm_roi_baseline_to = fields.Date(
        related="company_id.crm_roi_baseline_to", readonly=False
    )
    crm_case_priority_vip = fields.Selection(
        related="company_id.crm_case_priority_vip", readonly=False
    )
    crm_case_priority_key = fields.Selection(
        related="company_id.crm_case_priority_key", readonly=False
    )
    crm_case_priority_ordinary = fields.Selection(
        related="company_id.crm_case_priority_ordinary", readonly=False
    )
    crm_case_priority_small = fields.Selection(
        related="company_id.crm_case_priority_small", readonly=False
    )
    crm_cost_per_complaint = fields.Monetary(
        related="company_id.crm_cost_per_complaint", readonly=False
    )
    crm_cost_per_request = fields.Monetary(
        related="company_id.crm_cost_per_request", readonly=False
    )
    crm_cost_per_visit = fields.Monetary(
        related="company_id.crm_cost_per_visit", readonly=False
    )
