from psycopg2 import errors as pgerrors

from odoo import api, fields, models
from odoo.exceptions import UserError


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

    @api.model_create_multi
    def create(self, vals_list):
        """Saving writes the company one related field at a time: its tier
        shares and thresholds are checked together once all are written. A
        new value basis ranks the company's customers again at once: the
        cut-offs of its last ranking are in the old basis, among which a
        posted invoice would place a customer's new value."""
        company = self.env.company
        new_basis = any(
            vals.get("crm_value_basis", company.crm_value_basis)
            != company.crm_value_basis
            for vals in vals_list
        )
        settings = super(
            ResConfigSettings, self.with_context(crm_check_settings_later=True)
        ).create(vals_list)
        company._check_crm_analytics_settings()
        if new_basis:
            try:
                self.env["crm.customer.profile"]._rank_company(
                    company, fields.Date.context_today(self)
                )
            except (pgerrors.LockNotAvailable, pgerrors.SerializationFailure) as error:
                raise UserError(
                    self.env._(
                        "The customers of %(company)s are being updated right now "
                        "(an invoice posted, a ranking): save the value basis "
                        "again in a moment.",
                        company=company.name,
                    )
                ) from error
        return settings.with_env(self.env)
