from odoo import Command, http
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import SatisfactionCommon


@tagged("post_install", "-at_install")
class TestServiceCaseSecurity(SatisfactionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Case = cls.env["crm.service.case"]
        cls.colleague = new_test_user(
            cls.env,
            login="case_colleague",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.other_customer = cls.env["res.partner"].create({"name": "Other Co"})
        cls.own = Case.create(
            {"name": "Mine", "partner_id": cls.customer.id, "user_id": cls.salesman.id}
        )
        cls.theirs = Case.create(
            {
                "name": "Theirs",
                "partner_id": cls.other_customer.id,
                "user_id": cls.colleague.id,
            }
        )
        cls.unassigned = Case.create(
            {"name": "Nobody's", "partner_id": cls.customer.id, "user_id": False}
        )
        cls.company_b = cls.setup_other_company(name="Cases B")["company"]
        cls.case_b = Case.with_company(cls.company_b).create(
            {
                "name": "In B",
                "partner_id": cls.customer.id,
                "user_id": False,
                "company_id": cls.company_b.id,
            }
        )
        cls.portal = new_test_user(
            cls.env, login="case_portal", groups="base.group_portal"
        )
        cls.portal.partner_id.parent_id = cls.customer

    def test_own_and_all_rules(self):
        mine = self.env["crm.service.case"].with_user(self.salesman).search([])
        self.assertEqual(mine, self.own | self.unassigned)
        with self.assertRaises(AccessError):
            self.theirs.with_user(self.salesman).read(["name"])
        manager = new_test_user(
            self.env,
            login="case_manager",
            groups="sales_team.group_sale_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        everyone = self.env["crm.service.case"].with_user(manager).search([])
        self.assertEqual(
            everyone & (self.own | self.theirs | self.unassigned | self.case_b),
            self.own | self.theirs | self.unassigned,
        )
        with self.assertRaises(AccessError):
            self.own.with_user(self.salesman).unlink()

    def test_portal_sees_only_own_cases_read_only(self):
        cases = self.env["crm.service.case"].with_user(self.portal).search([])
        # the customer's cases of the portal user's company only
        self.assertEqual(cases, self.own | self.unassigned)
        with self.assertRaises(AccessError):
            self.theirs.with_user(self.portal).read(["name"])
        with self.assertRaises(AccessError):
            self.own.with_user(self.portal).write({"name": "Hacked"})


@tagged("post_install", "-at_install")
class TestServiceCasePortal(HttpCase):
    def test_portal_pages(self):
        customer = self.env["res.partner"].create(
            {"name": "Portal Customer Co", "is_company": True}
        )
        stranger = self.env["res.partner"].create({"name": "Stranger Co"})
        portal = new_test_user(
            self.env, login="case_portal_http", password="case_portal_http",
            groups="base.group_portal",
        )  # fmt: skip
        portal.partner_id.parent_id = customer
        Case = self.env["crm.service.case"]
        own = Case.create({"name": "Leaking valve", "partner_id": customer.id})
        other = Case.create({"name": "Secret matter", "partner_id": stranger.id})
        self.authenticate("case_portal_http", "case_portal_http")
        page = self.url_open("/my/cases")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Leaking valve", page.text)
        self.assertNotIn("Secret matter", page.text)
        detail = self.url_open(f"/my/cases/{own.id}")
        self.assertIn(own.reference, detail.text)
        denied = self.url_open(f"/my/cases/{other.id}")
        self.assertNotIn("Secret matter", denied.text)

    def test_portal_new_request(self):
        """A customer raises a request on the portal: recorded for its
        company, owned by its salesperson, due by its service level."""
        salesman = new_test_user(
            self.env, login="case_portal_owner", groups="sales_team.group_sale_salesman"
        )
        customer = self.env["res.partner"].create(
            {"name": "Portal Buyer Co", "is_company": True, "user_id": salesman.id}
        )
        portal = new_test_user(
            self.env, login="case_portal_new", password="case_portal_new",
            groups="base.group_portal",
        )  # fmt: skip
        portal.partner_id.parent_id = customer
        self.authenticate("case_portal_new", "case_portal_new")
        form = self.url_open("/my/cases/new")
        self.assertEqual(form.status_code, 200)
        self.assertIn('name="case_type"', form.text)
        # after-sale visits are the company's, not the customer's to raise
        self.assertNotIn('value="visit"', form.text)
        Case = self.env["crm.service.case"]
        refused = self.url_open(
            "/my/cases/new",
            data={
                "name": "  ",
                "case_type": "request",
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertIn("Give your request a subject and a type.", refused.text)
        self.assertFalse(Case.search([("partner_id", "=", portal.partner_id.id)]))
        sent = self.url_open(
            "/my/cases/new",
            data={
                "name": "Spare parts",
                "case_type": "request",
                "description": "Two filters, please.\nThanks",
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        case = Case.search([("partner_id", "=", portal.partner_id.id)])
        self.assertEqual(
            (
                case.name,
                case.case_type,
                case.commercial_partner_id,
                case.company_id,
                case.user_id,
                case.state,
            ),
            (
                "Spare parts",
                "request",
                customer,
                portal.company_id,
                salesman,
                "recorded",
            ),
        )
        self.assertEqual(case.description, "<p>Two filters, please.<br>Thanks</p>")
        self.assertTrue(case.deadline)
        self.assertIn(f"/my/cases/{case.id}", sent.url)
        self.assertIn(case.reference, sent.text)
        # employees record cases in the backend, not on the portal
        self.authenticate("case_portal_owner", "case_portal_owner")
        redirected = self.url_open("/my/cases/new")
        self.assertNotIn('name="case_type"', redirected.text)
