from datetime import timedelta

from odoo import api, fields, models

from ..report.crm_touchpoint import CONTACT_CHANNELS, TOUCH_CHANNELS

# Invoicing users read the profiles but not the touchpoints.
ANALYTICS_USER = "crm_analytics.group_analytics_user"


class CrmCustomerProfile(models.Model):
    """The 360° summary of a customer's touchpoints (客户触点) on its profile:
    contacts per channel over the last 12 months, the preferred inbound
    channel and the last touch."""

    _inherit = "crm.customer.profile"

    touch_count_12m = fields.Integer(
        string="Touches, Last 12 Months",
        compute="_compute_touch_summary",
        groups=ANALYTICS_USER,
        help="Contacts of the last 365 days (today included): every touchpoint "
        "but stage and tier changes.",
    )
    touch_count_email = fields.Integer(
        string="E-mails", compute="_compute_touch_summary", groups=ANALYTICS_USER
    )
    touch_count_phone = fields.Integer(
        string="Phone Calls", compute="_compute_touch_summary", groups=ANALYTICS_USER
    )
    touch_count_meeting = fields.Integer(
        string="Meetings", compute="_compute_touch_summary", groups=ANALYTICS_USER
    )
    touch_count_activity = fields.Integer(
        string="Other Activities",
        compute="_compute_touch_summary",
        groups=ANALYTICS_USER,
    )
    touch_count_portal = fields.Integer(
        string="Portal Messages",
        compute="_compute_touch_summary",
        groups=ANALYTICS_USER,
    )
    touch_count_survey = fields.Integer(
        string="Surveys", compute="_compute_touch_summary", groups=ANALYTICS_USER
    )
    touch_count_visit = fields.Integer(
        string="After-sale Visits",
        compute="_compute_touch_summary",
        groups=ANALYTICS_USER,
    )
    touch_count_case = fields.Integer(
        string="Service Cases", compute="_compute_touch_summary", groups=ANALYTICS_USER
    )
    touch_count_opportunity = fields.Integer(
        string="Opportunities", compute="_compute_touch_summary", groups=ANALYTICS_USER
    )
    touch_count_order = fields.Integer(
        string="Sale Orders", compute="_compute_touch_summary", groups=ANALYTICS_USER
    )
    touch_count_invoice = fields.Integer(
        string="Invoices", compute="_compute_touch_summary", groups=ANALYTICS_USER
    )
    touch_count_payment = fields.Integer(
        string="Payments", compute="_compute_touch_summary", groups=ANALYTICS_USER
    )
    touch_preferred_channel = fields.Selection(
        TOUCH_CHANNELS,
        string="Preferred Inbound Channel",
        compute="_compute_touch_summary",
        groups=ANALYTICS_USER,
        help="The channel of most inbound touches over the last 12 months; on "
        "a tie, the one with the most recent touch, then the one listed first.",
    )
    touch_last_date = fields.Datetime(
        string="Last Touch", compute="_compute_touch_summary", groups=ANALYTICS_USER
    )
    touch_last_channel = fields.Selection(
        TOUCH_CHANNELS,
        string="Last Touch Channel",
        compute="_compute_touch_summary",
        groups=ANALYTICS_USER,
    )

    @api.depends_context("tz", "allowed_company_ids")
    def _compute_touch_summary(self):
        """One grouped read of the touchpoints of every profile in self (up
        to today): per customer, company, channel, direction and whether in
        the last 12 months, the count and the last date."""
        counts = {profile: dict.fromkeys(CONTACT_CHANNELS, 0) for profile in self}
        inbound = {profile: {} for profile in self}
        last = {}
        tomorrow = fields.Date.context_today(self) + timedelta(days=1)
        profiles = {
            (profile.partner_id, profile.company_id): profile for profile in self
        }
        groups = self.env["crm.touchpoint"]._read_group(
            [
                ("partner_id", "in", self.partner_id.ids),
                ("company_id", "in", self.company_id.ids),
                ("is_contact", "=", True),
                ("date", "<", fields.Datetime.to_datetime(tomorrow)),
            ],
            ["partner_id", "company_id", "channel", "direction", "is_recent"],
            ["__count", "date:max"],
        )
        for partner, company, channel, direction, recent, count, date in groups:
            profile = profiles.get((partner, company))
            if not profile:
                continue
            if recent:
                counts[profile][channel] += count
                if direction == "inbound":
                    seen = inbound[profile].get(channel, (0, date))
                    inbound[profile][channel] = (seen[0] + count, max(seen[1], date))
            if profile not in last or date > last[profile][0]:
                last[profile] = (date, channel)
        order = {channel: i for i, channel in enumerate(CONTACT_CHANNELS)}
        for profile in self:
            for channel, count in counts[profile].items():
                profile[f"touch_count_{channel}"] = count
            profile.touch_count_12m = sum(counts[profile].values())
            profile.touch_preferred_channel = max(
                inbound[profile],
                key=lambda ch, p=profile: (*inbound[p][ch], -order[ch]),
                default=False,
            )
            profile.touch_last_date, profile.touch_last_channel = last.get(
                profile, (False, False)
            )

    def action_open_touchpoints(self):
        """The customer's touchpoints in this profile's company, newest
        first."""
        self.ensure_one()
        return self.partner_id._touchpoints_action(
            [("company_id", "=", self.company_id.id)]
        )

    def action_open_tier_history(self):
        """The customer's tier history (its snapshot periods) in this
        profile's company."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_analytics.crm_customer_snapshot_action"
        )
        action["domain"] = [
            ("partner_id", "=", self.partner_id.id),
            ("company_id", "=", self.company_id.id),
        ]
        action["context"] = {}
        return action
