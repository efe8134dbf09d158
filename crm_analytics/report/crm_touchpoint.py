from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_index

from odoo.addons.crm_lifecycle.const import LIFECYCLE_STAGES

from ..const import VALUE_TIERS

# The channels of a touch, contacts first (in the order the 360° summary
# lists them), then the events of the customer's record that are not a
# contact: a stage or tier change.
TOUCH_CHANNELS = [
    ("email", "E-mail"),
    ("phone", "Phone Call"),
    ("meeting", "Meeting"),
    ("activity", "Other Activity"),
    ("portal", "Portal"),
    ("survey", "Survey"),
    ("visit", "After-sale Visit"),
    ("case", "Service Case"),
    ("opportunity", "Opportunity"),
    ("order", "Sale Order"),
    ("invoice", "Invoice"),
    ("payment", "Payment"),
    ("stage", "Stage Change"),
    ("tier", "Tier Change"),
]
EVENT_CHANNELS = ("stage", "tier")
CONTACT_CHANNELS = [key for key, _label in TOUCH_CHANNELS if key not in EVENT_CHANNELS]
TOUCH_DIRECTIONS = [("inbound", "Inbound"), ("outbound", "Outbound")]
# Activity type categories (mail, calendar) read as their own channel.
ACTIVITY_CHANNELS = {"phonecall": "phone", "meeting": "meeting"}

# Row ids: (id in the source table × SOURCES + source index) × COMPANIES +
# company. A touch without company is a row per company where the customer
# has a profile, hence the company in the id.
SOURCES = 10
COMPANIES = 10000
# the documents whose chatter holds the customer's messages
MESSAGE_MODELS = (
    "res.partner",
    "crm.lead",
    "sale.order",
    "account.move",
    "crm.service.case",
)


class CrmTouchpoint(models.Model):
    """Every touch between the company and a customer (客户触点), one row per
    touch and customer profile: messages (incoming e-mails, portal
    messages, outgoing e-mails), done activities (phone calls, meetings,
    other activities), completed satisfaction surveys, service cases and
    after-sale visits, opportunities, confirmed sale orders, posted
    invoices and credit notes, customer payments, and the customer's stage
    and tier changes. The customer is the commercial partner. A message's company
    is its document's, else the one Odoo records on the message (the
    company of whoever posted it, for a message on the partner); a touch
    with neither counts in each company where the customer has a profile.
    Salesperson, team and tier are the profile's today, as in the other
    customer reports (and its record rules)."""

    _name = "crm.touchpoint"
    _inherit = ["crm.selection.order.mixin"]
    _description = "Customer Touchpoint"
    _auto = False
    _rec_name = "name"
    _order = "date desc, id desc"
    _depends = {
        "crm.customer.profile": [
            "partner_id", "company_id", "user_id", "team_id", "value_tier",
        ],
        "res.partner": ["commercial_partner_id", "name"],
        "res.users": ["partner_id"],
        "mail.message": [
            "model", "res_id", "message_type", "subtype_id", "is_internal",
            "author_id", "mail_activity_type_id", "date", "subject",
            "record_name", "record_company_id",
        ],
        "mail.message.subtype": ["internal"],
        "mail.activity.type": ["category", "name"],
        "crm.lead": ["partner_id", "company_id", "name", "user_id", "create_date"],
        "sale.order": ["partner_id", "company_id", "name", "state", "date_order",
                       "user_id"],
        "account.move": ["commercial_partner_id", "company_id", "name", "state",
                         "move_type", "invoice_date", "invoice_user_id"],
        "account.payment": ["partner_id", "company_id", "name", "state",
                            "payment_type", "partner_type", "date"],
        "crm.service.case": ["commercial_partner_id", "company_id", "reference",
                             "name", "case_type", "date_recorded", "user_id"],
        "survey.user_input": ["crm_partner_id", "crm_company_id", "state",
                              "end_datetime", "survey_id", "partner_id"],
        "survey.survey": ["title", "crm_is_satisfaction"],
        "crm.lifecycle.history": ["partner_id", "company_id", "date", "stage_to",
                                  "user_id"],
        "crm.customer.snapshot.period": ["partner_id", "company_id", "date_from",
                                         "date_to", "value_tier"],
    }  # fmt: skip

    date = fields.Datetime(readonly=True)
    channel = fields.Selection(TOUCH_CHANNELS, readonly=True)
    direction = fields.Selection(
        TOUCH_DIRECTIONS,
        string="Initiated By",
        readonly=True,
        help="Inbound: the customer reached out (an e-mail or portal message "
        "from the customer or a contact of it, a survey answered, a complaint "
        "or request). Outbound: the company did (an e-mail sent, an activity "
        "done, an after-sale visit). Empty for documents and events.",
    )
    is_contact = fields.Boolean(
        string="Contact Touch",
        readonly=True,
        help="Every touch but a stage or tier change.",
    )
    is_recent = fields.Boolean(
        string="Last 12 Months",
        readonly=True,
        help="Dated within the last 365 days (today included).",
    )
    name = fields.Char(string="Description", readonly=True)
    stage_to = fields.Selection(LIFECYCLE_STAGES, string="To Stage", readonly=True)
    tier_to = fields.Selection(VALUE_TIERS, string="To Tier", readonly=True)
    res_model = fields.Char(string="Document Model", readonly=True)
    res_id = fields.Many2oneReference(
        string="Document", model_field="res_model", readonly=True
    )
    author_id = fields.Many2one("res.partner", string="By", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    value_tier = fields.Selection(VALUE_TIERS, string="Tier Today", readonly=True)

    def init(self):
        # One customer's touches are read by its commercial partner: Odoo
        # has no index on a payment's partner, and the tier changes are
        # looked up per customer (the snapshots' own index leads with the
        # company). Invoices use crm_lifecycle's index on
        # account_move.commercial_partner_id.
        create_index(
            self.env.cr,
            "account_payment_crm_touchpoint_index",
            "account_payment",
            ["partner_id"],
            where="payment_type = 'inbound' AND partner_type = 'customer'",
        )
        create_index(
            self.env.cr,
            "crm_customer_snapshot_period_partner_index",
            "crm_customer_snapshot_period",
            ["partner_id", "company_id", "date_to"],
        )

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {
            "channel",
            "value_tier",
            "stage_to",
            "tier_to",
        }

    @property
    def _table_query(self):
        return self._query()

    @api.model
    def _query(self):
        """The touches of every source (each branch keyed by the commercial
        partner, so that a filter on the customer reaches every source's
        index), joined to the customer's profiles."""
        today = fields.Date.context_today(self)
        return SQL(
            """
            SELECT (t.src_id::bigint * %(sources)s + t.src) * %(companies)s
                       + pr.company_id AS id,
                   t.date, t.channel, t.direction,
                   t.channel NOT IN %(events)s AS is_contact,
                   (t.date::date > %(since)s AND t.date::date <= %(today)s)
                       AS is_recent,
                   t.name, t.stage_to, t.tier_to, t.res_model, t.res_id,
                   t.author_id,
                   pr.partner_id, pr.company_id, pr.user_id, pr.team_id,
                   pr.value_tier
              FROM (%(touches)s) t
              JOIN crm_customer_profile pr
                ON pr.partner_id = t.partner_id
               AND (t.company_id IS NULL OR pr.company_id = t.company_id)
            """,
            sources=SOURCES,
            companies=COMPANIES,
            events=EVENT_CHANNELS,
            since=today - timedelta(days=365),
            today=today,
            touches=SQL(" UNION ALL ").join(
                [
                    self._messages(),
                    self._sale_orders(),
                    self._invoices(),
                    self._payments(),
                    self._opportunities(),
                    self._service_cases(),
                    self._surveys(),
                    self._stage_changes(),
                    self._tier_changes(),
                ]
            ),
        )

    # Each source: src, src_id, partner_id (commercial), company_id (NULL:
    # every company), date, channel, direction, name, stage_to, tier_to,
    # res_model, res_id, author_id.

    @api.model
    def _lang_name(self, column):
        """SQL: the translated value of the jsonb ``column``."""
        return SQL(
            "coalesce(%(col)s ->> %(lang)s, %(col)s ->> 'en_US')",
            col=column,
            lang=self.env.lang or "en_US",
        )

    @api.model
    def _messages(self):
        """Messages in the chatter of the customer's documents (the partner
        and its contacts, opportunities, sale orders, posted invoices,
        service cases). A done activity is a touch by its type's category
        (phone call, meeting, other), internal note or not; otherwise only
        e-mails and messages that are not internal: from the customer or one
        of its contacts, or received from an unknown sender, an inbound
        e-mail (portal when posted as a comment), from anybody else an
        outbound e-mail. Internal notes, tracking and
        notifications are no touch."""
        activity_channel = SQL(
            "CASE at.category %s ELSE 'activity' END",
            SQL(" ").join(
                SQL("WHEN %s THEN %s", category, channel)
                for category, channel in ACTIVITY_CHANNELS.items()
            ),
        )
        return SQL(
            """
            SELECT 0 AS src, m.id AS src_id, d.partner_id,
                   coalesce(d.company_id, m.record_company_id) AS company_id,
                   m.date,
                   CASE WHEN m.mail_activity_type_id IS NOT NULL
                        THEN %(activity_channel)s
                        WHEN a.commercial_partner_id = d.partner_id
                             AND m.message_type = 'comment' THEN 'portal'
                        ELSE 'email' END AS channel,
                   CASE WHEN m.mail_activity_type_id IS NULL
                             AND (a.commercial_partner_id = d.partner_id
                                  OR (m.message_type = 'email'
                                      AND m.author_id IS NULL))
                        THEN 'inbound' ELSE 'outbound' END AS direction,
                   coalesce(nullif(m.subject, ''), %(type_name)s, m.record_name)
                       AS name,
                   NULL AS stage_to, NULL AS tier_to,
                   m.model AS res_model, m.res_id, m.author_id
              FROM (
                    SELECT 'res.partner' AS model, p.id AS res_id,
                           p.commercial_partner_id AS partner_id,
                           NULL::int AS company_id
                      FROM res_partner p
                     UNION ALL
                    SELECT 'crm.lead', l.id, lp.commercial_partner_id, l.company_id
                      FROM crm_lead l
                      JOIN res_partner lp ON lp.id = l.partner_id
                     UNION ALL
                    SELECT 'sale.order', so.id, sp.commercial_partner_id,
                           so.company_id
                      FROM sale_order so
                      JOIN res_partner sp ON sp.id = so.partner_id
                     UNION ALL
                    SELECT 'account.move', am.id, am.commercial_partner_id,
                           am.company_id
                      FROM account_move am
                     WHERE am.state = 'posted'
                       AND am.move_type IN ('out_invoice', 'out_refund')
                     UNION ALL
                    SELECT 'crm.service.case', c.id, c.commercial_partner_id,
                           c.company_id
                      FROM crm_service_case c
                   ) d
              JOIN mail_message m ON m.model = d.model AND m.res_id = d.res_id
              LEFT JOIN res_partner a ON a.id = m.author_id
              LEFT JOIN mail_message_subtype st ON st.id = m.subtype_id
              LEFT JOIN mail_activity_type at ON at.id = m.mail_activity_type_id
             WHERE m.mail_activity_type_id IS NOT NULL
                OR (m.message_type IN ('email', 'comment', 'email_outgoing')
                    AND NOT coalesce(m.is_internal, FALSE)
                    AND NOT coalesce(st.internal, FALSE))
            """,
            activity_channel=activity_channel,
            type_name=self._lang_name(SQL("at.name")),
        )

    @api.model
    def _sale_orders(self):
        """Confirmed sale orders, on their order date."""
        return SQL(
            """
            SELECT 1, so.id, sp.commercial_partner_id, so.company_id,
                   so.date_order, 'order', NULL, so.name, NULL, NULL,
                   'sale.order', so.id, u.partner_id
              FROM sale_order so
              JOIN res_partner sp ON sp.id = so.partner_id
              LEFT JOIN res_users u ON u.id = so.user_id
             WHERE so.state = 'sale'
            """
        )

    @api.model
    def _invoices(self):
        """Posted customer invoices and credit notes, on their invoice
        date."""
        return SQL(
            """
            SELECT 2, am.id, am.commercial_partner_id, am.company_id,
                   am.invoice_date::timestamp, 'invoice', NULL, am.name,
                   NULL, NULL, 'account.move', am.id, u.partner_id
              FROM account_move am
              LEFT JOIN res_users u ON u.id = am.invoice_user_id
             WHERE am.state = 'posted'
               AND am.move_type IN ('out_invoice', 'out_refund')
            """
        )

    @api.model
    def _payments(self):
        """Customer payments received (in process or paid), on their
        date."""
        return SQL(
            """
            SELECT 3, ap.id, pp.commercial_partner_id, ap.company_id,
                   ap.date::timestamp, 'payment', NULL, ap.name, NULL, NULL,
                   'account.payment', ap.id, NULL
              FROM account_payment ap
              JOIN res_partner pp ON pp.id = ap.partner_id
             WHERE ap.payment_type = 'inbound'
               AND ap.partner_type = 'customer'
               AND ap.state IN ('in_process', 'paid')
            """
        )

    @api.model
    def _opportunities(self):
        """Leads and opportunities of the customer, active or not (a lost
        opportunity was a contact), on their creation."""
        return SQL(
            """
            SELECT 4, l.id, lp.commercial_partner_id, l.company_id,
                   l.create_date, 'opportunity', NULL, l.name, NULL, NULL,
                   'crm.lead', l.id, u.partner_id
              FROM crm_lead l
              JOIN res_partner lp ON lp.id = l.partner_id
              LEFT JOIN res_users u ON u.id = l.user_id
            """
        )

    @api.model
    def _service_cases(self):
        """Service cases on their recording: an after-sale visit is the
        company's (outbound), a complaint or request the customer's
        (inbound)."""
        return SQL(
            """
            SELECT 5, c.id, c.commercial_partner_id, c.company_id,
                   c.date_recorded,
                   CASE WHEN c.case_type = 'visit' THEN 'visit' ELSE 'case' END,
                   CASE WHEN c.case_type = 'visit' THEN 'outbound'
                        ELSE 'inbound' END,
                   concat_ws(' ', c.reference, c.name), NULL, NULL,
                   'crm.service.case', c.id, u.partner_id
              FROM crm_service_case c
              LEFT JOIN res_users u ON u.id = c.user_id
            """
        )

    @api.model
    def _surveys(self):
        """Completed responses of the customer to satisfaction surveys
        (inbound), on their completion: certifications and quizzes are no
        contact (DOMAIN §5: other surveys never count)."""
        return SQL(
            """
            SELECT 6, ui.id, ui.crm_partner_id, ui.crm_company_id,
                   coalesce(ui.end_datetime, ui.create_date), 'survey',
                   'inbound', %(title)s, NULL, NULL,
                   'survey.user_input', ui.id, ui.partner_id
              FROM survey_user_input ui
              JOIN survey_survey s ON s.id = ui.survey_id
             WHERE ui.state = 'done' AND ui.crm_partner_id IS NOT NULL
               AND s.crm_is_satisfaction
            """,
            title=self._lang_name(SQL("s.title")),
        )

    @api.model
    def _stage_changes(self):
        """The lifecycle history: one event per stage change."""
        return SQL(
            """
            SELECT 7, h.id, h.partner_id, h.company_id, h.date::timestamp,
                   'stage', NULL, NULL, h.stage_to, NULL,
                   'crm.lifecycle.history', h.id, u.partner_id
              FROM crm_lifecycle_history h
              LEFT JOIN res_users u ON u.id = h.user_id
            """
        )

    @api.model
    def _tier_changes(self):
        """The tier history: a snapshot period whose tier differs from the
        customer's previous period (the one ending where it starts), or the
        first period with a tier."""
        return SQL(
            """
            SELECT 8, sp.id, sp.partner_id, sp.company_id,
                   sp.date_from::timestamp, 'tier', NULL, NULL, NULL,
                   sp.value_tier, 'crm.customer.snapshot.period', sp.id, NULL
              FROM crm_customer_snapshot_period sp
              LEFT JOIN crm_customer_snapshot_period prev
                ON prev.partner_id = sp.partner_id
               AND prev.company_id = sp.company_id
               AND prev.date_to = sp.date_from
             WHERE prev.value_tier IS DISTINCT FROM sp.value_tier
               AND (prev.id IS NOT NULL OR sp.value_tier IS NOT NULL)
            """
        )

    def action_open_document(self):
        """The document of the touch, in a form."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
