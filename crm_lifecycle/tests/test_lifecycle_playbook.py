from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import LifecycleCommon


@tagged("post_install", "-at_install")
@freeze_time(LifecycleCommon.REF)
class TestLifecyclePlaybook(LifecycleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Only the stage playbooks of this addon (others add triggers).
        cls.env["crm.lifecycle.playbook"].search(
            [("trigger", "!=", "stage")]
        ).active = False

    def activities(self, partner):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)],
            order="id",
        )

    def test_default_playbooks_schedule_once_per_entry(self):
        partner = self.customer("Welcome Me")
        self.invoice(partner, self.REF, 100)
        welcome = self.activities(partner)
        self.assertEqual(len(welcome), 1)
        self.assertEqual(welcome.user_id, self.salesman)
        self.assertEqual(welcome.date_deadline, self.REF + timedelta(days=7))
        self.assertEqual(welcome.summary, "Welcome call")

        # Re-runs and further invoices in the same stage add nothing.
        self.Profile.recompute(self.REF)
        self.Profile.recompute(self.REF, partners=partner)
        self.invoice(partner, self.REF, 50)
        self.assertEqual(self.activities(partner), welcome)

        # Entering churned schedules the win-back email, once.
        later = self.REF + timedelta(days=400)
        with freeze_time(later):
            self.Profile.recompute(later)
            self.Profile.recompute(later)
        activities = self.activities(partner) - welcome
        self.assertEqual(len(activities), 1)
        self.assertEqual(
            activities.activity_type_id, self.env.ref("mail.mail_activity_data_email")
        )
        self.assertEqual(activities.date_deadline, later + timedelta(days=1))

    def test_activity_in_the_assignee_s_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["crm_lifecycle"], ["zh_CN"], overwrite=True
        )
        self.salesman.lang = "zh_CN"
        partner = self.customer("Welcome Me In Chinese")
        self.invoice(partner, self.REF, 100)
        welcome = self.activities(partner)
        self.assertEqual(welcome.user_id, self.salesman)
        self.assertEqual(welcome.summary, "欢迎电话")

    def test_chosen_user_company_and_template(self):
        self.env["crm.lifecycle.playbook"].search([]).active = False
        template = self.env["mail.template"].create(
            {
                "name": "We miss you",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "subject": "We miss you",
                "body_html": "<p>Come back</p>",
            }
        )
        self.env["crm.lifecycle.playbook"].create(
            [
                {
                    "name": "Manager call",
                    "lifecycle_stage": "churned",
                    "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
                    "assign_to": "user",
                    "user_id": self.sales_manager.id,
                    "delay_days": 2,
                    "mail_template_id": template.id,
                    "company_id": self.company.id,
                },
                {
                    "name": "Other company only",
                    "lifecycle_stage": "churned",
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                    "company_id": self.company_b.id,
                },
            ]
        )
        partner = self.customer("Gone")
        self.invoice(partner, self.days_before(400), 100)
        activity = self.activities(partner)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.sales_manager)
        self.assertEqual(activity.date_deadline, self.REF + timedelta(days=2))
        self.assertIn(
            "We miss you", partner.message_ids.mapped("subject"), "template sent"
        )

    def test_opportunity_for_the_salesperson(self):
        """A playbook may create an opportunity: an accountant posting a new
        customer's first invoice creates it for the salesperson, named in
        their language."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["crm_lifecycle"], ["zh_CN"], overwrite=True
        )
        self.env["crm.lifecycle.playbook"].create(
            {
                "name": "Upsell new customers",
                "lifecycle_stage": "new",
                "create_opportunity": True,
                "note": "<p>Offer the yearly plan.</p>",
            }
        )
        partner = self.customer("Brand New")
        invoice = self.invoice(partner, self.REF, 100, post=False)
        self.assertFalse(self.accountant.has_group("sales_team.group_sale_salesman"))
        invoice.with_user(self.accountant).action_post()
        lead = self.env["crm.lead"].search([("partner_id", "=", partner.id)])
        self.assertEqual(
            (lead.type, lead.name, lead.user_id, lead.company_id, lead.create_uid),
            (
                "opportunity",
                "Upsell new customers: Brand New",
                self.salesman,
                self.company,
                self.accountant,
            ),
        )
        self.assertEqual(lead.expected_revenue, 0)
        self.assertEqual(lead.description, "<p>Offer the yearly plan.</p>")
        # the default welcome call is still scheduled, on the customer
        self.assertEqual(self.activities(partner).summary, "Welcome call")

        self.salesman.lang = "zh_CN"
        other = self.customer("Another New")
        self.invoice(other, self.REF, 100)
        lead = self.env["crm.lead"].search([("partner_id", "=", other.id)])
        self.assertEqual(lead.name, "Upsell new customers：Another New")

    def test_playbook_delay_bounds(self):
        welcome = self.env.ref("crm_lifecycle.playbook_new_welcome_call")
        with self.assertRaises(ValidationError) as raised:
            welcome.with_user(self.sales_manager).delay_days = 10_000_000
        self.assertEqual(
            raised.exception.args[0],
            f"{welcome.name}: Due In (days) must be between 0 and 3,650 days, "
            "not 10,000,000.",
        )
        # the longest delay allowed still posts the invoice and schedules
        welcome.with_user(self.sales_manager).delay_days = 3650
        partner = self.customer("Patient Customer")
        invoice = self.invoice(partner, self.REF, 100, post=False)
        invoice.with_user(self.accountant).action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(
            self.activities(partner).date_deadline, self.REF + timedelta(days=3650)
        )

    def test_playbook_validation(self):
        Playbook = self.env["crm.lifecycle.playbook"]
        with self.assertRaises(ValidationError):
            Playbook.create({"name": "No stage", "activity_type_id": 1})
        with self.assertRaises(ValidationError):
            Playbook.create({"name": "Nothing to do", "lifecycle_stage": "new"})
        self.assertTrue(
            Playbook.create(
                {
                    "name": "Only an opportunity",
                    "lifecycle_stage": "new",
                    "create_opportunity": True,
                }
            )
        )
        with self.assertRaises(ValidationError):
            Playbook.create(
                {
                    "name": "Back in time",
                    "lifecycle_stage": "new",
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                    "delay_days": -1,
                }
            )
        with self.assertRaises(ValidationError):
            Playbook.create(
                {
                    "name": "Nobody",
                    "lifecycle_stage": "new",
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                    "assign_to": "user",
                }
            )
