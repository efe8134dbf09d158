from datetime import datetime

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import AnalyticsCommon


@tagged("post_install", "-at_install")
@freeze_time(AnalyticsCommon.REF)
class TestTouchpoints(AnalyticsCommon):
    """The 360° view of a customer: its touchpoints per channel and
    direction, the profile's summary of the last 12 months (REF − 365 <
    date ≤ REF), and the report over all customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Touch = cls.env["crm.touchpoint"]
        cls.colleague = new_test_user(
            cls.env,
            login="tp_colleague",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.acme = cls.customer("Acme", email="info@acme.test")
        cls.ann = cls.env["res.partner"].create(
            {"name": "Ann of Acme", "parent_id": cls.acme.id, "email": "ann@acme.test"}
        )
        cls.beta = cls.customer(
            "Beta", user_id=cls.colleague.id, email="info@beta.test"
        )
        cls.docs = cls._touch(cls.acme, cls.ann)
        # Beta: a customer (churned) since an invoice of 2023
        cls.invoice(cls.beta, "2023-01-10", 100)
        # Beta: as many inbound e-mails as surveys, the survey more recent
        cls._message(cls.beta, "email", cls.beta, "2025-05-01 10:00:00", "Beta asks")
        cls._survey(cls.beta, "2025-06-01 10:00:00")

    @classmethod
    def _survey(cls, partner, date):
        survey = cls.env["survey.survey"].create({"title": "Service survey"})
        question = cls.env["survey.question"].create(
            {
                "survey_id": survey.id,
                "title": "Overall",
                "question_type": "scale",
                "scale_min": 1,
                "scale_max": 5,
                "crm_measure": "overall",
            }
        )
        response = cls.complete_response(cls, partner, [(question, 5)])
        response.end_datetime = date
        return response

    @classmethod
    def _touch(cls, customer, contact):
        """Every kind of touch with ``customer``; the records made."""
        records = cls.env["mail.message"]
        # inbound e-mails from the contact (one older than 12 months), the
        # salesperson's reply, an internal note (no touch), a portal message
        records |= cls._message(
            customer, "email", contact, "2025-06-01 10:00:00", "RFQ"
        )
        records |= cls._message(
            customer, "email", contact, "2025-03-01 10:00:00", "RFQ 2"
        )
        records |= cls._message(
            customer, "email", contact, "2024-05-01 10:00:00", "Old"
        )
        records |= cls._message(
            customer, "comment", cls.salesman.partner_id, "2025-06-02 09:00:00", "Quote"
        )
        cls._message(
            customer, "comment", cls.salesman.partner_id, "2025-06-03 09:00:00",
            "Note", subtype="mt_note",
        )  # fmt: skip
        records |= cls._message(
            customer, "comment", contact, "2025-06-25 08:00:00", "Portal question"
        )
        records |= cls._activity_done(
            customer, "mail.mail_activity_data_call", "2025-06-10 14:00:00"
        )
        records |= cls._activity_done(
            customer, "mail.mail_activity_data_meeting", "2025-06-20 15:00:00"
        )
        survey = cls._survey(customer, "2025-05-10 10:00:00")
        order = cls.env["sale.order"].create(
            {
                "partner_id": contact.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.product_a.id,
                            "product_uom_qty": 1,
                            "price_unit": 300,
                            "tax_id": [Command.clear()],
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        order.date_order = datetime(2025, 4, 1, 9, 0)
        invoice = cls.invoice(customer, "2025-04-05", 300)
        payment = cls.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": customer.id,
                "amount": 300,
                "date": "2025-04-20",
            }
        )
        payment.action_post()
        case = cls.env["crm.service.case"].create(
            {
                "name": "Late delivery",
                "partner_id": contact.id,
                "company_id": cls.company.id,
                "date_recorded": "2025-05-05 09:00:00",
            }
        )
        return {
            "messages": records,
            "survey": survey,
            "order": order,
            "invoice": invoice,
            "payment": payment,
            "case": case,
        }

    def touches(self, partner, env=None, domain=()):
        touches = (env or self.env)["crm.touchpoint"].search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", self.company.id),
                ("is_contact", "=", True),
                *domain,
            ]
        )
        return [
            (str(t.date), t.channel, t.direction or None, t.res_model, t.name)
            for t in touches
        ]

    def test_touchpoints_of_a_customer(self):
        """Exactly the customer's contacts, newest first, with their channel,
        direction and date; the internal note is none."""
        docs = self.docs
        partner = "res.partner"
        self.assertEqual(
            self.touches(self.acme),
            [
                ("2025-06-25 08:00:00", "portal", "inbound", partner,
                 "Portal question"),
                ("2025-06-20 15:00:00", "meeting", "outbound", partner, "Meeting"),
                ("2025-06-10 14:00:00", "phone", "outbound", partner, "Call"),
                ("2025-06-02 09:00:00", "email", "outbound", partner, "Quote"),
                ("2025-06-01 10:00:00", "email", "inbound", partner, "RFQ"),
                ("2025-05-10 10:00:00", "survey", "inbound", "survey.user_input",
                 "Service survey"),
                ("2025-05-05 09:00:00", "case", "inbound", "crm.service.case",
                 docs["case"].display_name),
                ("2025-04-20 00:00:00", "payment", None, "account.payment",
                 docs["payment"].name),
                ("2025-04-05 00:00:00", "invoice", None, "account.move",
                 docs["invoice"].name),
                ("2025-04-01 09:00:00", "order", None, "sale.order",
                 docs["order"].name),
                ("2025-03-01 10:00:00", "email", "inbound", partner, "RFQ 2"),
                ("2024-05-01 10:00:00", "email", "inbound", partner, "Old"),
            ],
        )  # fmt: skip
        # a row opens its document
        touch = self.Touch.search(
            [("partner_id", "=", self.acme.id), ("channel", "=", "invoice")]
        )
        action = touch.action_open_document()
        self.assertEqual(
            (action["res_model"], action["res_id"]),
            ("account.move", docs["invoice"].id),
        )
        # the partner's smart button counts them (contacts, all time)
        self.assertEqual(self.acme.crm_touchpoint_count, 12)
        self.assertEqual(self.ann.crm_touchpoint_count, 12)
        action = self.ann.action_open_crm_touchpoints()
        self.assertEqual(
            self.Touch.search_count(action["domain"] + [("is_contact", "=", True)]), 12
        )

    def test_summary_on_the_profile(self):
        """Counts per channel over the last 12 months, the preferred inbound
        channel (most touches, then the most recent) and the last touch."""
        acme, beta = self.profiles(self.acme | self.beta).sorted(
            lambda p: p.partner_id != self.acme
        )
        counts = {
            channel: acme[f"touch_count_{channel}"]
            for channel in (
                "email", "phone", "meeting", "activity", "portal", "survey",
                "visit", "case", "opportunity", "order", "invoice", "payment",
            )
        }  # fmt: skip
        self.assertEqual(
            counts,
            {
                "email": 3, "phone": 1, "meeting": 1, "activity": 0, "portal": 1,
                "survey": 1, "visit": 0, "case": 1, "opportunity": 0, "order": 1,
                "invoice": 1, "payment": 1,
            },
        )  # fmt: skip
        self.assertEqual(acme.touch_count_12m, 11)
        # inbound over 12 months: e-mail 2, portal, survey and case 1 each
        self.assertEqual(acme.touch_preferred_channel, "email")
        self.assertEqual(
            (str(acme.touch_last_date), acme.touch_last_channel),
            ("2025-06-25 08:00:00", "portal"),
        )
        # Beta: one inbound e-mail, one survey answered later: the survey
        self.assertEqual(beta.touch_count_12m, 2)
        self.assertEqual(beta.touch_preferred_channel, "survey")
        self.assertEqual(
            (str(beta.touch_last_date), beta.touch_last_channel),
            ("2025-06-01 10:00:00", "survey"),
        )
        # the profile's button opens the same touches in its company
        action = acme.action_open_touchpoints()
        self.assertEqual(
            self.Touch.search_count(
                action["domain"] + [("is_contact", "=", True), ("is_recent", "=", True)]
            ),
            11,
        )

    def test_summary_query_count(self):
        """The summary of a profile costs the same queries with 12 or 200
        more touches."""
        acme, beta = self.profiles(self.acme | self.beta).sorted(
            lambda p: p.partner_id != self.acme
        )
        fields_ = ["touch_count_12m", "touch_count_email", "touch_preferred_channel",
                   "touch_last_date", "touch_last_channel"]  # fmt: skip
        beta.read(fields_)  # the record rules cached
        for profile in (beta, acme):
            self.env.invalidate_all()
            with self.assertQueryCount(3):
                profile.read(fields_)
        for i in range(200):
            self._message(
                self.acme,
                "email",
                self.ann,
                f"2025-01-01 10:{i % 60:02d}:00",
                f"Mail {i}",
            )
        self.env.invalidate_all()
        with self.assertQueryCount(3):
            self.assertEqual(acme.read(fields_)[0]["touch_count_email"], 203)

    def test_events_and_report(self):
        """After a full ranking, the stage and tier changes are events of
        the customer (not contacts); the report groups contacts per channel
        and tier as the web client reads it."""
        self.rank()
        events = self.Touch.search(
            [
                ("partner_id", "=", self.acme.id),
                ("company_id", "=", self.company.id),
                ("is_contact", "=", False),
            ]
        )
        # the same day: their order is their ids'
        self.assertEqual(
            sorted(
                (str(e.date), e.channel, e.stage_to or "", e.tier_to or "")
                for e in events
            ),
            [
                ("2025-06-30 00:00:00", "stage", "new", ""),
                ("2025-06-30 00:00:00", "tier", "", "vip"),
            ],
        )
        groups = self.Touch.read_group(
            [
                ("partner_id", "in", (self.acme | self.beta).ids),
                ("is_contact", "=", True),
                ("is_recent", "=", True),
            ],
            ["__count", "partner_id:count_distinct"],
            ["channel", "value_tier"],
            lazy=False,
        )
        self.assertEqual(
            [
                (g["channel"], g["value_tier"], g["__count"], g["partner_id"])
                for g in groups
            ],
            [
                ("email", "vip", 3, 1),
                ("email", False, 1, 1),
                ("phone", "vip", 1, 1),
                ("meeting", "vip", 1, 1),
                ("portal", "vip", 1, 1),
                ("survey", "vip", 1, 1),
                ("survey", False, 1, 1),
                ("case", "vip", 1, 1),
                ("order", "vip", 1, 1),
                ("invoice", "vip", 1, 1),
                ("payment", "vip", 1, 1),
            ],
        )
        total = self.Touch.read_group(
            [("partner_id", "in", (self.acme | self.beta).ids),
             ("is_recent", "=", True), ("is_contact", "=", True)],
            ["__count", "partner_id:count_distinct"],
            [],
        )  # fmt: skip
        self.assertEqual((total[0]["__count"], total[0]["partner_id"]), (13, 2))

    def test_own_customers_only(self):
        """A salesperson limited to their own documents reads the touches of
        their own customers only; another's are refused."""
        salesman_env = self.env(user=self.salesman)
        colleague_env = self.env(user=self.colleague)
        self.assertEqual(len(self.touches(self.acme, salesman_env)), 12)
        self.assertEqual(self.touches(self.acme, colleague_env), [])
        self.assertEqual(len(self.touches(self.beta, colleague_env)), 3)
        self.assertEqual(self.touches(self.beta, salesman_env), [])
        touch = self.Touch.search([("partner_id", "=", self.acme.id)], limit=1)
        with self.assertRaises(AccessError):
            touch.with_user(self.colleague).read(["name"])
        # the colleague's grouped read does not count Acme's touches
        groups = colleague_env["crm.touchpoint"].read_group(
            [("is_contact", "=", True)], ["__count"], ["partner_id"]
        )
        self.assertEqual(
            [(g["partner_id"][0], g["partner_id_count"]) for g in groups],
            [(self.beta.id, 3)],
        )

    def test_forms_per_group(self):
        """Salespeople see the 360° tab and the partner's Touchpoints button;
        invoicing users, who read the profiles but not the touchpoints, see
        neither and open both forms."""
        profile = self.profiles(self.acme)
        for user, sees in ((self.salesman, True), (self.accountant, False)):
            env = self.env(user=user)
            arch = env["crm.customer.profile"].get_views([(False, "form")])["views"][
                "form"
            ]["arch"]
            self.assertEqual('name="touch_count_12m"' in arch, sees)
            self.assertEqual('name="action_open_touchpoints"' in arch, sees)
            arch = env["res.partner"].get_views([(False, "form")])["views"]["form"][
                "arch"
            ]
            self.assertEqual('name="crm_touchpoint_count"' in arch, sees)
            self.assertEqual(
                "touch_count_12m" in env["crm.customer.profile"].fields_get(), sees
            )
            self.assertEqual(
                profile.with_user(user).read(["purchase_count"])[0]["purchase_count"],
                1,
            )
        self.assertEqual(
            profile.with_user(self.salesman).read(["touch_count_12m"])[0][
                "touch_count_12m"
            ],
            11,
        )

    def test_row_ids_are_bigints(self):
        """A row's id is (source id × 10 + source) × 10000 + company, a
        bigint: a message id above 21474 does not overflow. (A sequence is
        not rolled back: the test leaves mail_message's ids higher.)"""
        self.env.cr.execute(
            "SELECT setval('mail_message_id_seq',"
            " greatest(nextval('mail_message_id_seq'), 1000000))"
        )
        message = self._message(
            self.acme, "email", self.ann, "2025-06-28 10:00:00", "Big id"
        )
        touch = self.Touch.search(
            [("name", "=", "Big id"), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(touch.id, (message.id * 10 + 0) * 10000 + self.company.id)
        self.assertEqual(touch.res_id, self.acme.id)

    def test_unknown_sender_is_inbound(self):
        """An e-mail received on the customer's document from an address
        that is no contact is inbound; a message an employee posts is
        outbound."""
        order = self.docs["order"]
        received = order.message_post(
            body="Where is my order?",
            subject="Order status",
            author_id=False,
            email_from="someone@elsewhere.test",
            message_type="email",
            subtype_xmlid="mail.mt_comment",
        )
        self.assertFalse(received.author_id)
        sent = order.with_user(self.salesman).message_post(
            body="Shipped today", subject="Shipped", message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )  # fmt: skip
        touches = self.Touch.search(
            [
                ("res_model", "=", "sale.order"),
                ("res_id", "=", order.id),
                ("channel", "=", "email"),
            ]
        )
        self.assertEqual(
            [(t.name, t.direction, t.author_id) for t in touches],
            [
                ("Shipped", "outbound", self.salesman.partner_id),
                ("Order status", "inbound", self.env["res.partner"]),
            ],
        )
        self.assertTrue(sent)
