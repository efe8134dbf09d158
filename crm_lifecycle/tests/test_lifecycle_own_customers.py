from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import LifecycleCommon

PARTNER_VIEWS = [(False, "form"), (False, "list"), (False, "kanban"), (False, "search")]


@tagged("post_install", "-at_install")
@freeze_time(LifecycleCommon.REF)
class TestLifecycleOwnCustomers(LifecycleCommon):
    """A salesperson limited to their own documents reads the profiles and
    stage history of their own customers and of customers without a
    salesperson; "all documents" salespeople, lifecycle administrators and
    invoicing users read every customer's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.colleague = new_test_user(
            cls.env,
            login="lc_colleague",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.all_docs = new_test_user(
            cls.env,
            login="lc_all_docs",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.mine = cls.customer("Mine")
        cls.theirs = cls.customer("Theirs", user_id=cls.colleague.id)
        cls.nobodys = cls.customer("Nobody's", user_id=False)
        cls.everyone = cls.mine | cls.theirs | cls.nobodys
        cls.post_invoices([(p, cls.days_before(10), 100) for p in cls.everyone])
        # in the test company (a new customer is a prospect in company B)
        domain = [
            ("partner_id", "in", cls.everyone.ids),
            ("company_id", "=", cls.company.id),
        ]
        cls.profile = {p.partner_id: p for p in cls.Profile.search(domain)}
        cls.history = {h.partner_id: h for h in cls.History.search(domain)}
        cls.portal = new_test_user(
            cls.env, login="lc_portal", groups="base.group_portal"
        )
        cls.employee = new_test_user(
            cls.env, login="lc_employee", groups="base.group_user"
        )

    def visible(self, model, user):
        return (
            self.env[model]
            .with_user(user)
            .search(
                [
                    ("partner_id", "in", self.everyone.ids),
                    ("company_id", "=", self.company.id),
                ]
            )
        )

    def test_fixture(self):
        self.assertEqual(len(self.profile), 3)
        self.assertEqual(len(self.history), 3)
        self.assertEqual(self.profile[self.mine].user_id, self.salesman)
        self.assertFalse(
            self.salesman.has_group("sales_team.group_sale_salesman_all_leads")
        )

    def test_own_documents_salesperson_reads_own_customers(self):
        for model, records in (
            ("crm.customer.profile", self.profile),
            ("crm.lifecycle.history", self.history),
        ):
            with self.subTest(model=model):
                self.assertEqual(
                    self.visible(model, self.salesman),
                    records[self.mine] | records[self.nobodys],
                )
                self.assertEqual(
                    self.visible(model, self.colleague),
                    records[self.theirs] | records[self.nobodys],
                )
                with self.assertRaises(AccessError):
                    records[self.theirs].with_user(self.salesman).read(["partner_id"])
        self.assertEqual(
            self.profile[self.mine].with_user(self.salesman).revenue_total, 100
        )
        # a customer handed over to another salesperson goes with its profile
        self.nobodys.user_id = self.colleague
        self.assertEqual(
            self.visible("crm.customer.profile", self.salesman),
            self.profile[self.mine],
        )
        self.assertEqual(
            self.visible("crm.lifecycle.history", self.salesman),
            self.history[self.mine],
        )

    def test_all_documents_managers_and_finance_read_everyone(self):
        lifecycle_admin = new_test_user(
            self.env,
            login="lc_lifecycle_admin",
            groups="sales_team.group_sale_salesman,crm_lifecycle.group_lifecycle_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        for user in (
            self.all_docs,
            self.sales_manager,
            self.accountant,
            lifecycle_admin,
        ):
            with self.subTest(user=user.login):
                self.assertEqual(len(self.visible("crm.customer.profile", user)), 3)
                self.assertEqual(len(self.visible("crm.lifecycle.history", user)), 3)
        # an "own documents" salesperson who also invoices reads everyone,
        # as Odoo's invoices: group rules add up
        self.salesman.groups_id = [
            Command.link(self.env.ref("account.group_account_invoice").id)
        ]
        self.assertEqual(len(self.visible("crm.customer.profile", self.salesman)), 3)

    def test_partner_form_of_another_salespersons_customer(self):
        """The partner stays readable (as in Odoo), its lifecycle tab shows
        nothing of a customer the salesperson does not own."""
        spec = {
            "crm_profile_id": {"fields": {"display_name": {}}},
            "crm_profile_ids": {"fields": {"revenue_12m": {}}},
            "crm_lifecycle_history_ids": {"fields": {"stage_to": {}}},
        }
        partner = self.theirs.with_user(self.salesman).with_context(
            allowed_company_ids=self.company.ids
        )
        [values] = partner.web_read(spec)
        self.assertFalse(values["crm_profile_id"])
        self.assertEqual(values["crm_profile_ids"], [])
        self.assertEqual(values["crm_lifecycle_history_ids"], [])
        [values] = (
            self.mine.with_user(self.salesman)
            .with_context(allowed_company_ids=self.company.ids)
            .web_read(spec)
        )
        self.assertEqual(values["crm_profile_id"]["id"], self.profile[self.mine].id)
        self.assertEqual([p["revenue_12m"] for p in values["crm_profile_ids"]], [100])

    def test_stage_is_internal(self):
        """Portal users and employees without lifecycle or invoicing rights
        neither read nor search the partner's stage; the partner views still
        open for an employee, without it."""
        for user in (self.portal, self.employee):
            partner = self.mine.with_user(user)
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    partner.read(["lifecycle_stage"])
                with self.assertRaises(AccessError):
                    partner.search([("lifecycle_stage", "=", "new")])
                with self.assertRaises(AccessError):
                    partner._read_group([], ["lifecycle_stage"], ["__count"])
        views = (
            self.env["res.partner"].with_user(self.employee).get_views(PARTNER_VIEWS)
        )
        for view_type, view in views["views"].items():
            with self.subTest(view=view_type):
                self.assertNotIn('name="lifecycle_stage"', view["arch"])
                self.assertIn("<field ", view["arch"])
        self.assertNotIn("lifecycle_stage", views["models"]["res.partner"]["fields"])
        [values] = self.mine.with_user(self.employee).web_read({"name": {}})
        self.assertEqual(values["name"], "Mine")
        for user in (self.salesman, self.accountant):
            with self.subTest(user=user.login):
                partner = self.mine.with_user(user).with_context(
                    allowed_company_ids=self.company.ids
                )
                self.assertEqual(partner.lifecycle_stage, "new")
                self.assertEqual(
                    partner.search(
                        [
                            ("lifecycle_stage", "=", "new"),
                            ("id", "in", self.everyone.ids),
                        ]
                    ),
                    self.everyone,
                )
                arch = partner.get_views([(False, "list")])["views"]["list"]["arch"]
                self.assertIn("lifecycle_stage", arch)
