from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.crm_lifecycle.bounds import AMOUNT, PERIOD_DAYS, RATE, check_bounds
from odoo.addons.crm_satisfaction.models.crm_service_sla import CASE_PRIORITIES

from ..const import VALUE_BASES


class ResCompany(models.Model):
    _inherit = "res.company"

    crm_value_basis = fields.Selection(
        VALUE_BASES,
        string="Value Basis",
        default="revenue",
        required=True,
        help="What a customer's value over the RFM window (the M of RFM) "
        "measures, and so the value tiers, the Pareto curve and the potential "
        "big customers: net revenue; gross margin (revenue minus the cost of "
        "goods sold); or contribution (gross margin minus the cost to serve: "
        "service cases, done activities and each month's CRM costs shared by "
        "that month's revenue), as the Customer Profitability report computes "
        "them.",
    )
    crm_tier_mode = fields.Selection(
        [
            ("share", "Share of customers"),
            ("thresholds", "Value thresholds"),
        ],
        string="Value Tier Mode",
        default="share",
        required=True,
        help="Share of customers: tiers by rank of the window value (the "
        "largest first). Value thresholds: a fixed minimum window value per "
        "tier.",
    )
    crm_tier_vip_share = fields.Float(
        string="VIP Share (%)", default=5.0, digits=(5, 2)
    )
    crm_tier_key_share = fields.Float(
        string="Key Share (%)", default=15.0, digits=(5, 2)
    )
    crm_tier_ordinary_share = fields.Float(
        string="Ordinary Share (%)", default=30.0, digits=(5, 2)
    )
    crm_tier_small_share = fields.Float(
        string="Small Share (%)", default=50.0, digits=(5, 2)
    )
    crm_tier_vip_threshold = fields.Monetary(
        string="VIP From",
        currency_field="currency_id",
        default=100000.0,
        help="Minimum window value of a VIP customer (value thresholds mode).",
    )
    crm_tier_key_threshold = fields.Monetary(
        string="Key From", currency_field="currency_id", default=20000.0
    )
    crm_tier_ordinary_threshold = fields.Monetary(
        string="Ordinary From", currency_field="currency_id", default=5000.0
    )
    crm_rfm_window_days = fields.Integer(
        string="RFM Window (days)",
        default=365,
        help="Frequency and monetary value count the invoices of this many days "
        "before the reference date.",
    )
    crm_clv_discount_rate = fields.Float(
        string="CLV Discount Rate",
        default=0.10,
        digits=(4, 3),
        help="Yearly discount rate d of the lifetime value margin x r / (1 + d - r).",
    )
    crm_clv_margin_rate = fields.Float(
        string="Default Margin Rate",
        default=0.30,
        digits=(4, 3),
        help="Share of revenue taken as margin on invoice lines whose product has "
        "no cost.",
    )

    crm_roi_baseline_from = fields.Date(
        string="ROI Baseline From",
        help="Start of the period before the CRM, against which retention and "
        "margin are compared.",
    )
    crm_roi_baseline_to = fields.Date(string="ROI Baseline To")
    # service by value: the priority of a new case, per tier of its customer
    crm_case_priority_vip = fields.Selection(
        CASE_PRIORITIES, string="VIP Case Priority", required=True, default="2"
    )
    crm_case_priority_key = fields.Selection(
        CASE_PRIORITIES, string="Key Case Priority", required=True, default="1"
    )
    crm_case_priority_ordinary = fields.Selection(
        CASE_PRIORITIES, string="Ordinary Case Priority", required=True, default="1"
    )
    crm_case_priority_small = fields.Selection(
        CASE_PRIORITIES, string="Small Case Priority", required=True, default="1"
    )

    # cost to serve (customer profitability), one per service case type
    # (const.CASE_TYPE_COST_FIELDS)
    crm_cost_per_complaint = fields.Monetary(
        string="Cost per Complaint",
        currency_field="currency_id",
        help="What handling one complaint costs, charged to the customer's "
        "cost to serve in the month the case is recorded.",
    )
    crm_cost_per_request = fields.Monetary(
        string="Cost per Request",
        currency_field="currency_id",
        help="What handling one service request costs.",
    )
    crm_cost_per_visit = fields.Monetary(
        string="Cost per After-sale Visit",
        currency_field="currency_id",
        help="What one after-sale visit costs.",
    )

    @api.constrains(
        "crm_tier_vip_share",
        "crm_tier_key_share",
        "crm_tier_ordinary_share",
        "crm_tier_small_share",
        "crm_tier_vip_threshold",
        "crm_tier_key_threshold",
        "crm_tier_ordinary_threshold",
        "crm_rfm_window_days",
        "crm_clv_discount_rate",
        "crm_clv_margin_rate",
        "crm_cost_per_complaint",
        "crm_cost_per_request",
        "crm_cost_per_visit",
    )
    def _check_crm_analytics_settings(self):
        if self.env.context.get("crm_check_settings_later"):
            # the settings screen writes them one by one, then checks them
            return
        check_bounds(
            self,
            {
                "crm_tier_vip_threshold": AMOUNT,
                "crm_tier_key_threshold": AMOUNT,
                "crm_tier_ordinary_threshold": AMOUNT,
                "crm_rfm_window_days": PERIOD_DAYS,
                "crm_clv_discount_rate": RATE,
                "crm_clv_margin_rate": RATE,
                "crm_cost_per_complaint": AMOUNT,
                "crm_cost_per_request": AMOUNT,
                "crm_cost_per_visit": AMOUNT,
            },
        )
        for company in self:
            shares = (
                company.crm_tier_vip_share,
                company.crm_tier_key_share,
                company.crm_tier_ordinary_share,
                company.crm_tier_small_share,
            )
            if any(share <= 0 for share in shares):
                raise ValidationError(
                    self.env._(
                        "%(company)s: every value tier needs a positive share of "
                        "customers.",
                        company=company.name,
                    )
                )
            if not shares[0] < shares[1] < shares[2] < shares[3]:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the shares of customers must increase from "
                        "VIP to small customers (a pyramid), e.g. 5, 15, 30, 50.",
                        company=company.name,
                    )
                )
            if round(sum(shares), 2) != 100:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the shares of the four value tiers add up to "
                        "%(total)s%%, they must add up to 100%%.",
                        company=company.name,
                        total=round(sum(shares), 2),
                    )
                )
            thresholds = (
                company.crm_tier_vip_threshold,
                company.crm_tier_key_threshold,
                company.crm_tier_ordinary_threshold,
            )
            if not thresholds[0] > thresholds[1] > thresholds[2]:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the value thresholds must decrease from VIP "
                        "to key to ordinary customers.",
                        company=company.name,
                    )
                )

    @api.constrains("crm_roi_baseline_from", "crm_roi_baseline_to")
    def _check_crm_roi_baseline(self):
        for company in self:
            start, end = company.crm_roi_baseline_from, company.crm_roi_baseline_to
            if bool(start) != bool(end) or (start and start > end):
                raise ValidationError(
                    self.env._(
                        "%(company)s: the ROI baseline needs a start and an end, "
                        "the start first.",
                        company=company.name,
                    )
                )
