from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import LifecycleCommon


@tagged("post_install", "-at_install")
@freeze_time(LifecycleCommon.REF)
class TestLifecycleSecurity(LifecycleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.customer("Shared Customer", company_id=False)
        cls.invoice(cls.partner, cls.days_before(30), 100, company=cls.company)
        cls.invoice(cls.partner, cls.days_before(30), 200, company=cls.company_b)
        cls.profile_a = cls.Profile.search(
            [("partner_id", "=", cls.partner.id), ("company_id", "=", cls.company.id)]
        )
        cls.profile_b = cls.Profile.search(
            [("partner_id", "=", cls.partner.id), ("company_id", "=", cls.company_b.id)]
        )

    def test_multi_company_rule(self):
        self.assertTrue(self.profile_a and self.profile_b)
        as_b = self.Profile.with_user(self.user_company_b)
        self.assertEqual(
            as_b.search([("partner_id", "=", self.partner.id)]), self.profile_b
        )
        with self.assertRaises(AccessError):
            self.profile_a.with_user(self.user_company_b).read(["revenue_total"])
        history_b = self.History.with_user(self.user_company_b).search(
            [("partner_id", "=", self.partner.id)]
        )
        self.assertEqual(history_b.company_id, self.company_b)
        # A user of company A sees company A's figures on the partner form.
        partner_as_a = self.partner.with_user(self.salesman).with_context(
            allowed_company_ids=[self.company.id]
        )
        self.assertEqual(partner_as_a.crm_profile_ids, self.profile_a)
        self.assertEqual(partner_as_a.crm_profile_id.revenue_total, 100)

    def test_salesperson_reads_but_cannot_write(self):
        profile = self.profile_a.with_user(self.salesman)
        self.assertEqual(profile.revenue_total, 100)
        self.assertEqual(profile.lifecycle_stage, "new")
        with self.assertRaises(AccessError):
            profile.write({"lifecycle_stage": "churned"})
        with self.assertRaises(AccessError):
            profile.set_stage("churned", "I want to")

    def test_manager_cannot_write_figures(self):
        """Facts and stages change only through the engine or set_stage:
        nobody writes them through the ORM, and set_stage leaves history."""
        profile = self.profile_a.with_user(self.sales_manager)
        for values in ({"lifecycle_stage": "churned"}, {"revenue_total": 1e12}):
            with self.assertRaises(AccessError):
                profile.write(values)
        self.assertEqual(self.profile_a.revenue_total, 100)
        profile.set_stage("mature", "Signed a framework contract")
        self.assertEqual(self.profile_a.lifecycle_stage, "mature")
        self.assertEqual(self.history_of(self.partner)[-1].rule, "manual")
        self.assertEqual(
            self.partner.with_company(self.company).lifecycle_stage, "mature"
        )

    def test_users_evaluate_as_of_today_only(self):
        """Another date is for the system; a salesperson evaluates the
        customers they may read, an administrator everyone, as of today."""
        histories = self.History.search_count([])
        for user in (self.salesman, self.sales_manager):
            Profile = self.Profile.with_user(user)
            for reference_date in ("2100-01-01", "1990-01-01"):
                with self.assertRaises(UserError):
                    Profile.recompute(reference_date, partners=self.partner)
        self.assertEqual(self.History.search_count([]), histories)
        self.assertFalse(
            self.History.search([("date", "!=", self.REF)]).filtered(
                lambda h: h.partner_id == self.partner
            )
        )
        with self.assertRaises(AccessError):
            self.Profile.with_user(self.salesman).recompute()
        with self.assertRaises(UserError):
            self.Profile.with_user(self.sales_manager).recompute("not a date")
        # partners as sent over RPC: their ids, evaluated like the records;
        # anything else is refused (see test_arguments)
        with self.assertRaises(UserError):
            self.Profile.with_user(self.sales_manager).recompute(partners="all")
        self.assertEqual(
            self.Profile.with_user(self.sales_manager)
            .with_context(allowed_company_ids=[self.company.id])
            .recompute(partners=[self.partner.id]),
            self.profile_a,
        )
        profiles = (
            self.Profile.with_user(self.salesman)
            .with_context(allowed_company_ids=[self.company.id])
            .recompute(partners=self.partner)
        )
        self.assertEqual(profiles, self.profile_a)
        self.assertEqual(profiles.facts_date, self.REF)
        everyone = (
            self.Profile.with_user(self.sales_manager)
            .with_context(allowed_company_ids=[self.company.id])
            .recompute()
        )
        self.assertIn(self.profile_a, everyone)

    def test_invoicing_user_reads_only(self):
        profile = self.profile_a.with_user(self.accountant)
        self.assertEqual(profile.revenue_total, 100)
        self.assertTrue(profile.history_ids)
        with self.assertRaises(AccessError):
            profile.write({"stage_lock_reason": "x"})
        with self.assertRaises(AccessError):
            self.env["crm.lifecycle.playbook"].with_user(self.accountant).create(
                {"name": "x", "lifecycle_stage": "new", "activity_type_id": 1}
            )

    def test_plain_user_is_refused(self):
        user = self.env["res.users"].create(
            {
                "name": "Plain Employee",
                "login": "lc_plain",
                "groups_id": [(6, 0, [self.env.ref("base.group_user").id])],
            }
        )
        with self.assertRaises(AccessError):
            self.profile_a.with_user(user).read(["revenue_total"])
        with self.assertRaises(AccessError):
            self.Profile.with_user(user).recompute()
        # The partner form still opens for them, without the lifecycle tab.
        partner = self.partner.with_user(user)
        arch = partner.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("crm_profile_ids", arch)
        self.assertEqual(partner.read(["name"])[0]["name"], "Shared Customer")

    def test_manager_configures_playbooks(self):
        playbook = (
            self.env["crm.lifecycle.playbook"]
            .with_user(self.sales_manager)
            .create(
                {
                    "name": "VIP care",
                    "lifecycle_stage": "mature",
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                }
            )
        )
        self.assertTrue(playbook.active)
        with self.assertRaises(AccessError):
            playbook.with_user(self.salesman).write({"delay_days": 3})

    def test_playbook_multi_company_rule(self):
        Playbook = self.env["crm.lifecycle.playbook"]
        call = self.env.ref("mail.mail_activity_data_call")
        playbook_b = Playbook.create(
            {
                "name": "Company B only",
                "lifecycle_stage": "new",
                "activity_type_id": call.id,
                "company_id": self.company_b.id,
            }
        )
        shared = Playbook.create(
            {
                "name": "Everywhere",
                "lifecycle_stage": "new",
                "activity_type_id": call.id,
            }
        )
        visible_to_a = (
            Playbook.with_user(self.sales_manager)
            .with_context(allowed_company_ids=[self.company.id])
            .search([("id", "in", (playbook_b | shared).ids)])
        )
        self.assertEqual(visible_to_a, shared)
        visible_to_b = Playbook.with_user(self.user_company_b).search(
            [("id", "in", (playbook_b | shared).ids)]
        )
        self.assertEqual(visible_to_b, playbook_b | shared)
        with self.assertRaises(AccessError):
            playbook_b.with_user(self.accountant).read(["name"])

    def test_partner_form_for_sales_and_finance(self):
        """Salespeople and invoicing users open the partner form with its
        lifecycle tab; the figures are the current company's."""
        spec = {
            "lifecycle_stage": {},
            "crm_profile_id": {"fields": {"display_name": {}}},
            "crm_profile_ids": {
                "fields": {"lifecycle_stage": {}, "revenue_12m": {}, "company_id": {}}
            },
            "crm_lifecycle_history_ids": {"fields": {"stage_to": {}, "reason": {}}},
        }
        for user in (self.salesman, self.accountant):
            partner = self.partner.with_user(user).with_context(
                allowed_company_ids=[self.company.id]
            )
            arch = partner.get_views([(False, "form")])["views"]["form"]["arch"]
            self.assertIn("crm_profile_ids", arch, user.login)
            [values] = partner.web_read(spec)
            self.assertEqual(values["lifecycle_stage"], "new")
            self.assertEqual(values["crm_profile_id"]["id"], self.profile_a.id)
            self.assertEqual(
                [
                    (p["lifecycle_stage"], p["revenue_12m"])
                    for p in values["crm_profile_ids"]
                ],
                [("new", 100.0)],
            )
            self.assertEqual(
                [h["stage_to"] for h in values["crm_lifecycle_history_ids"]], ["new"]
            )

    def test_waiting_customers_are_the_engine_s(self):
        """The queue of customers waiting for evaluation is read by
        administrators only and written by the engine only; its cron
        evaluates and removes them."""
        partner = self.customer("Queued Customer")
        self.invoice(partner, self.days_before(10), 300, company=self.company)
        profile = self.Profile.search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )
        # as if another transaction had held it when the invoice was posted
        self.env.cr.execute(
            "UPDATE crm_customer_profile SET revenue_total = 0 WHERE id = %s",
            [profile.id],
        )
        profile.invalidate_recordset()
        Refresh = self.env["crm.customer.refresh"]
        Refresh._add({partner.id}, {self.company.id})
        row = Refresh.search([("partner_id", "=", partner.id)])
        self.assertEqual(row.company_id, self.company)
        for user in (self.salesman, self.sales_manager, self.accountant):
            with self.assertRaises(AccessError):
                Refresh.with_user(user).search([])
        # an administrator working in the customer's company
        admin = self.env.ref("base.user_admin")
        admin.company_ids |= self.company
        self.assertEqual(
            Refresh.with_user(admin)
            .with_context(allowed_company_ids=self.company.ids)
            .search([("partner_id", "=", partner.id)]),
            row,
        )
        with self.assertRaises(AccessError):
            row.with_user(admin).write({"company_id": self.company_b.id})
        with self.assertRaises(AccessError):
            row.with_user(admin).unlink()
        with self.assertRaises(AccessError):
            Refresh.with_user(admin).create(
                {"partner_id": partner.id, "company_id": self.company.id}
            )
        self.assertEqual(Refresh._cron_evaluate(), 0)
        self.assertFalse(row.exists())
        profile.invalidate_recordset()
        self.assertEqual(profile.revenue_total, 300)

    def test_waiting_customers_multi_company_rule(self):
        """An administrator reads the waiting customers of the companies
        they work in only."""
        partner = self.customer("Queued in Two Companies", company_id=False)
        Refresh = self.env["crm.customer.refresh"]
        Refresh._add({partner.id}, {self.company.id, self.company_b.id})
        admin = self.env.ref("base.user_admin")
        admin.company_ids |= self.company | self.company_b
        as_admin = Refresh.with_user(admin)
        for companies in (self.company, self.company_b):
            self.assertEqual(
                as_admin.with_context(allowed_company_ids=companies.ids)
                .search([("partner_id", "=", partner.id)])
                .company_id,
                companies,
            )
