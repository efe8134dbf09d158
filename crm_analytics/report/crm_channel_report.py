from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_lifecycle.const import LIFECYCLE_STAGES

from ..const import VALUE_TIERS
from ..tools import document_sql
from .crm_touchpoint import CONTACT_CHANNELS, TOUCH_CHANNELS, CrmTouchpoint

# The channels a customer is reached through or reaches out by: the contacts
# that are not a document of the sale (opportunity, order, invoice, payment).
USED_CHANNELS = [
    "email", "phone", "meeting", "activity", "portal", "survey", "visit", "case",
]  # fmt: skip


def _merged(*depends):
    """The union of several ``_depends`` dictionaries."""
    merged = {}
    for depend in depends:
        for model, fnames in depend.items():
            merged[model] = sorted(set(merged.get(model, [])) | set(fnames))
    return merged


class CrmChannelReport(models.Model):
    """Customers by channel 按渠道分析客户: one row per customer profile,
    with the channels through which the customer was in contact over the
    last 12 months (the touchpoints of ``crm.touchpoint``), whether it bought
    again (DOMAIN §5's repurchase rate over two 365-day periods: the buyers
    of the year before the last 12 months, and who of them bought in the
    last 12 months) and its satisfaction responses of the last 12 months
    (satisfaction surveys only). Grouped by main channel, preferred inbound
    channel or a channel used, it compares the repurchase and satisfaction
    of the customers each contact reaches: which contact matters most. Each
    customer counts once, so totals are over customers."""

    _name = "crm.channel.report"
    _inherit = ["crm.rate.mixin", "crm.selection.order.mixin"]
    _description = "Customers by Channel"
    _auto = False
    _rec_name = "partner_id"
    _order = "partner_id, company_id"
    _depends = _merged(
        CrmTouchpoint._depends,
        {
            "crm.customer.profile": [
                "partner_id", "company_id", "user_id", "team_id", "value_tier",
                "lifecycle_stage",
            ],
            "account.move": [
                "state", "move_type", "invoice_date", "commercial_partner_id",
                "company_id", "amount_untaxed_signed",
            ],
            "sale.order": [
                "state", "date_order", "partner_id", "company_id",
                "amount_untaxed", "currency_rate",
            ],
            "survey.user_input": [
                "state", "survey_id", "crm_partner_id", "crm_company_id",
                "crm_csi", "crm_csat", "crm_nps", "end_datetime",
            ],
            "survey.survey": ["crm_is_satisfaction"],
            "res.company": ["crm_churn_days", "crm_revenue_source"],
        },
    )  # fmt: skip

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    value_tier = fields.Selection(VALUE_TIERS, string="Tier Today", readonly=True)
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGES, readonly=True)
    main_channel = fields.Selection(
        [(key, label) for key, label in TOUCH_CHANNELS if key in USED_CHANNELS],
        readonly=True,
        help="The channel of most contacts with the customer over the last 12 "
        "months (e-mails, calls, meetings, other activities, portal messages, "
        "surveys, after-sale visits, service cases); on a tie, the one with "
        "the most recent contact, then the one listed first. Empty: no "
        "contact.",
    )
    preferred_channel = fields.Selection(
        TOUCH_CHANNELS,
        string="Preferred Inbound Channel",
        readonly=True,
        help="The channel of most inbound touches over the last 12 months, as "
        "on the customer's 360° view.",
    )
    used_email = fields.Boolean(string="E-mail Used", readonly=True)
    used_phone = fields.Boolean(string="Phone Used", readonly=True)
    used_meeting = fields.Boolean(string="Meeting Used", readonly=True)
    used_activity = fields.Boolean(string="Other Activity Used", readonly=True)
    used_portal = fields.Boolean(string="Portal Used", readonly=True)
    used_survey = fields.Boolean(string="Survey Used", readonly=True)
    used_visit = fields.Boolean(string="After-sale Visit Used", readonly=True)
    used_case = fields.Boolean(string="Service Case Used", readonly=True)
    customer_count = fields.Integer(string="Customers", readonly=True)
    contact_count = fields.Integer(
        string="Contacts, Last 12 Months",
        readonly=True,
        help="Contacts through the channels above over the last 12 months.",
    )
    buyers_previous = fields.Integer(
        string="Bought the Year Before",
        readonly=True,
        help="Customers with a purchase between 729 and 365 days ago.",
    )
    repeat_buyers = fields.Integer(
        string="Bought Again",
        readonly=True,
        help="Of those, the customers with a purchase in the last 365 days.",
    )
    repurchase_rate = fields.Float(
        string="Repurchase Rate (%)",
        digits=(16, 1),
        readonly=True,
        aggregator="sum",
        help="Bought again / bought the year before; empty without buyers the "
        "year before.",
    )
    csi_responses = fields.Integer(
        string="Responses with CSI",
        readonly=True,
        help="Completed satisfaction responses of the last 12 months with a "
        "CSI (perception and expectation of a dimension answered).",
    )
    # the sum of the responses' CSI: the numerator of the CSI, not a measure
    csi_total = fields.Float(string="Sum of CSI", readonly=True, aggregator=None)
    csi = fields.Float(
        string="CSI",
        digits=(16, 3),
        readonly=True,
        aggregator="sum",
        help="Mean CSI of the responses with a CSI.",
    )
    csat_responses = fields.Integer(
        string="Responses with CSAT",
        readonly=True,
        help="Completed satisfaction responses of the last 12 months with an "
        "overall satisfaction answer.",
    )
    satisfied_responses = fields.Integer(
        readonly=True,
        help="Overall satisfaction in the top two points of the scale.",
    )
    csat = fields.Float(
        string="CSAT (%)",
        digits=(16, 1),
        readonly=True,
        aggregator="sum",
        help="Satisfied responses / responses with CSAT.",
    )
    nps_responses = fields.Integer(
        string="Responses with NPS",
        readonly=True,
        help="Completed satisfaction responses of the last 12 months with a "
        "recommendation answer (0-10).",
    )
    net_promoters = fields.Integer(
        string="Promoters − Detractors",
        readonly=True,
        help="Answers of 9 or 10 minus answers of 0 to 6.",
    )
    nps = fields.Float(
        string="NPS",
        digits=(16, 1),
        readonly=True,
        aggregator="sum",
        help="(Promoters − detractors) / responses with NPS × 100.",
    )

    _rate_counts = {
        "repurchase_rate": (["repeat_buyers"], ["buyers_previous"]),
        "csi": (["csi_total"], ["csi_responses"], 1),
        "csat": (["satisfied_responses"], ["csat_responses"]),
        "nps": (["net_promoters"], ["nps_responses"]),
    }

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {
            "main_channel",
            "preferred_channel",
            "value_tier",
            "lifecycle_stage",
        }

    @property
    def _table_query(self):
        return SQL(
            "WITH %s %s %s",
            SQL(", ").join([self._with_touches(), self._with_purchases_answers()]),
            self._select(),
            self._from(),
        )

    @api.model
    def _window(self):
        """(first day, last day) of the last 12 months, as the touchpoints'
        ``is_recent``."""
        today = fields.Date.context_today(self)
        return today - timedelta(days=364), today

    @api.model
    def _with_touches(self):
        """CTEs ``touch`` (per company, customer and channel: the contacts
        of the last 12 months, the inbound ones, the last of each), ``main``
        and ``preferred`` (the channel of most contacts, of most inbound
        touches; ties to the most recent, then the first listed) and
        ``used`` (the channels used, the contacts through them)."""
        channels = SQL(", ").join(SQL("%s", channel) for channel in USED_CHANNELS)

        def top(count, last, condition):
            return SQL(
                """
                SELECT DISTINCT ON (company_id, partner_id)
                       company_id, partner_id, channel
                  FROM touch
                 WHERE %(condition)s
              ORDER BY company_id, partner_id, %(count)s DESC, %(last)s DESC,
                       array_position(%(order)s::text[], channel)
                """,
                condition=condition,
                count=count,
                last=last,
                order=CONTACT_CHANNELS,
            )

        used = [
            SQL(
                "bool_or(channel = %s) AS %s",
                channel,
                SQL.identifier(f"used_{channel}"),
            )
            for channel in USED_CHANNELS
        ]
        return SQL(
            """
            touch AS (
                SELECT t.company_id, t.partner_id, t.channel,
                       count(*) AS contacts,
                       count(*) FILTER (WHERE t.direction = 'inbound') AS inbound,
                       max(t.date) AS last_date,
                       max(t.date) FILTER (WHERE t.direction = 'inbound')
                           AS last_inbound
                  FROM (%(touchpoints)s) t
                 WHERE t.is_contact AND t.is_recent
              GROUP BY 1, 2, 3
            ),
            main AS (%(main)s),
            preferred AS (%(preferred)s),
            used AS (
                SELECT company_id, partner_id, sum(contacts) AS contacts, %(used)s
                  FROM touch
                 WHERE channel IN (%(channels)s)
              GROUP BY 1, 2
            )
            """,
            touchpoints=self.env["crm.touchpoint"]._query(),
            main=top(
                SQL("contacts"), SQL("last_date"), SQL("channel IN (%s)", channels)
            ),
            preferred=top(SQL("inbound"), SQL("last_inbound"), SQL("inbound > 0")),
            used=SQL(", ").join(used),
            channels=channels,
        )

    @api.model
    def _with_purchases_answers(self):
        """CTEs ``crm_company`` and ``doc`` (the purchases and refunds up to
        today, see ``tools.document_sql``), ``bought`` (per company and
        customer: bought in the year before the last 12 months, in the last
        12 months) and ``answer`` (the satisfaction responses completed in
        the last 12 months)."""
        first, today = self._window()
        return SQL(
            """
            crm_company AS (
                SELECT id, crm_churn_days AS churn_days, crm_revenue_source AS source
                  FROM res_company
            ),
            doc AS (%(documents)s),
            bought AS (
                SELECT company_id, partner_id,
                       bool_or(date < %(first)s) AS previous,
                       bool_or(date >= %(first)s) AS recent
                  FROM doc
                 WHERE is_purchase AND date >= %(first)s::date - 365
              GROUP BY 1, 2
            ),
            answer AS (
                SELECT ui.crm_company_id AS company_id,
                       ui.crm_partner_id AS partner_id,
                       count(ui.crm_csi) AS csi_responses,
                       sum(ui.crm_csi) AS csi_total,
                       count(ui.crm_csat) AS csat_responses,
                       count(*) FILTER (WHERE ui.crm_csat = 100)
                           AS satisfied_responses,
                       count(ui.crm_nps) AS nps_responses,
                       coalesce(sum(sign(ui.crm_nps)), 0)::int AS net_promoters
                  FROM survey_user_input ui
                  JOIN survey_survey s ON s.id = ui.survey_id
                 WHERE ui.state = 'done' AND s.crm_is_satisfaction
                   AND ui.crm_partner_id IS NOT NULL
                   AND coalesce(ui.end_datetime, ui.create_date)::date
                       BETWEEN %(first)s AND %(today)s
              GROUP BY 1, 2
            )
            """,
            documents=document_sql.documents(SQL("%s::date", today)),
            first=first,
            today=today,
        )

    @api.model
    def _select(self):
        # one row per profile: its id
        used = [
            SQL(
                "coalesce(u.%s, FALSE) AS %s",
                SQL.identifier(name),
                SQL.identifier(name),
            )
            for name in (f"used_{channel}" for channel in USED_CHANNELS)
        ]
        return SQL(
            """
            SELECT pr.id, pr.partner_id, pr.company_id, pr.user_id, pr.team_id,
                   pr.value_tier, pr.lifecycle_stage,
                   m.channel AS main_channel, p.channel AS preferred_channel,
                   %(used)s,
                   1 AS customer_count,
                   coalesce(u.contacts, 0)::int AS contact_count,
                   coalesce(b.previous, FALSE)::int AS buyers_previous,
                   coalesce(b.previous AND b.recent, FALSE)::int AS repeat_buyers,
                   CASE WHEN b.previous THEN 100.0 * b.recent::int END
                       AS repurchase_rate,
                   coalesce(a.csi_responses, 0)::int AS csi_responses,
                   a.csi_total,
                   a.csi_total / NULLIF(a.csi_responses, 0) AS csi,
                   coalesce(a.csat_responses, 0)::int AS csat_responses,
                   coalesce(a.satisfied_responses, 0)::int
                       AS satisfied_responses,
                   100.0 * a.satisfied_responses / NULLIF(a.csat_responses, 0)
                       AS csat,
                   coalesce(a.nps_responses, 0)::int AS nps_responses,
                   coalesce(a.net_promoters, 0) AS net_promoters,
                   100.0 * a.net_promoters / NULLIF(a.nps_responses, 0) AS nps
            """,
            used=SQL(", ").join(used),
        )

    @api.model
    def _from(self):
        return SQL(
            """
            FROM crm_customer_profile pr
            LEFT JOIN main m
              ON m.company_id = pr.company_id AND m.partner_id = pr.partner_id
            LEFT JOIN preferred p
              ON p.company_id = pr.company_id AND p.partner_id = pr.partner_id
            LEFT JOIN used u
              ON u.company_id = pr.company_id AND u.partner_id = pr.partner_id
            LEFT JOIN bought b
              ON b.company_id = pr.company_id AND b.partner_id = pr.partner_id
            LEFT JOIN answer a
              ON a.company_id = pr.company_id AND a.partner_id = pr.partner_id
            """
        )
