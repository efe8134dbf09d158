from datetime import datetime, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import AnalyticsCommon

RECORDED = datetime(2025, 3, 3, 9, 0)


@tagged("post_install", "-at_install")
class TestServiceByValue(AnalyticsCommon):
    """High-value customers get superior service: a case keeps the tier its
    customer had when it was recorded; the tier sets a new case's priority
    (company setting) and chooses the service level (VIP levels by default:
    half the hours of every tier's)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "crm_tier_mode": "thresholds",
                "crm_tier_vip_threshold": 1000,
                "crm_tier_key_threshold": 500,
                "crm_tier_ordinary_threshold": 100,
            }
        )
        cls.vip, cls.small = cls.env["res.partner"].create(
            [
                {"name": "Big Buyer", "is_company": True},
                {"name": "Small Buyer", "is_company": True},
            ]
        )
        cls.vip_contact = cls.env["res.partner"].create(
            {"name": "Big Buyer's Buyer", "parent_id": cls.vip.id}
        )
        cls.post_invoices(
            [(cls.vip, cls.days_before(30), 2000), (cls.small, cls.days_before(30), 50)]
        )
        # records cases, reads no customer profile
        cls.service_user = new_test_user(
            cls.env,
            login="sv_service",
            groups="crm_satisfaction.group_satisfaction_user",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.Case = cls.env["crm.service.case"]
        cls.Sla = cls.env["crm.service.sla"]

    def setUp(self):
        super().setUp()
        self.rank()

    def new_case(self, partner, **values):
        return self.Case.create(
            {
                "name": "Broken widget",
                "partner_id": partner.id,
                "company_id": self.company.id,
                "date_recorded": RECORDED,
                **values,
            }
        )

    def test_tier_sets_priority_and_level(self):
        self.assertEqual(
            self.profiles(self.vip | self.small).mapped("value_tier"), ["vip", "small"]
        )
        # recorded by someone who may not read the customers' profiles
        with self.assertRaises(AccessError):
            self.Profile.with_user(self.service_user).search([])
        vip_case = self.Case.with_user(self.service_user).create(
            {
                "name": "Late delivery",
                "partner_id": self.vip_contact.id,
                "date_recorded": RECORDED,
            }
        )
        small_case = self.new_case(self.small)
        # VIP: High by default, and VIP High is due in 12 hours (every
        # tier's High: 24); Small: Normal, due in 72 hours
        self.assertEqual(
            (vip_case.value_tier, vip_case.priority, vip_case.deadline),
            ("vip", "2", RECORDED + timedelta(hours=12)),
        )
        self.assertEqual(
            (small_case.value_tier, small_case.priority, small_case.deadline),
            ("small", "1", RECORDED + timedelta(hours=72)),
        )
        # a priority chosen on the case stays; the VIP level of it applies
        urgent = self.new_case(self.vip, priority="3")
        self.assertEqual(urgent.deadline, RECORDED + timedelta(hours=4))
        # the company's priority per tier
        self.company.crm_case_priority_small = "0"
        low = self.new_case(self.small)
        self.assertEqual(
            (low.priority, low.deadline), ("0", RECORDED + timedelta(hours=120))
        )
        # a customer without a tier: every tier's levels, Normal
        prospect = self.new_case(self.env["res.partner"].create({"name": "Newcomer"}))
        self.assertEqual(
            (prospect.value_tier, prospect.priority, prospect.deadline),
            (False, "1", RECORDED + timedelta(hours=72)),
        )

    def test_most_specific_level(self):
        """A company's own level comes before the default of every company,
        and within each, a tier's level before the level of every tier."""
        own_every_tier = self.Sla.create(
            {"company_id": self.company.id, "priority": "2", "hours": 10}
        )
        self.assertEqual(
            self.new_case(self.vip).deadline, RECORDED + timedelta(hours=10)
        )
        self.Sla.create(
            {
                "company_id": self.company.id,
                "priority": "2",
                "value_tier": "vip",
                "hours": 6,
            }
        )
        self.assertEqual(
            self.new_case(self.vip).deadline, RECORDED + timedelta(hours=6)
        )
        # the other company keeps the defaults
        other = self.Case.with_company(self.company_b).create(
            {
                "name": "Elsewhere",
                "partner_id": self.vip.id,
                "company_id": self.company_b.id,
                "date_recorded": RECORDED,
                "priority": "2",
            }
        )
        self.assertEqual(
            (other.value_tier, other.deadline),
            (False, RECORDED + timedelta(hours=24)),
        )
        self.assertEqual(own_every_tier.display_name, f"High ({self.company.name})")
        with self.assertRaises(ValidationError) as raised:
            self.Sla.create({"value_tier": "vip", "priority": "2", "hours": 8})
        self.assertEqual(
            raised.exception.args[0], "There is already a service level for High · VIP."
        )

    def test_customer_changes(self):
        case = self.new_case(self.small)
        # a tier is the customer's, never given
        case.value_tier = "vip"
        self.assertEqual(case.value_tier, "small")
        # the same customer again (a form saving it): the tier stays
        self.company.crm_tier_ordinary_threshold = 10
        self.rank()
        self.assertEqual(self.profiles(self.small).value_tier, "ordinary")
        case.write({"partner_id": self.small.id, "name": "Renamed"})
        self.assertEqual(
            (case.value_tier, case.deadline), ("small", RECORDED + timedelta(hours=72))
        )
        case.partner_id = self.vip_contact
        # the VIP level of the case's (Normal) priority
        self.assertEqual(
            (case.value_tier, case.priority, case.deadline),
            ("vip", "1", RECORDED + timedelta(hours=36)),
        )
        # to another company, where the customer has no tier: every tier's
        case.company_id = self.company_b
        self.assertEqual(
            (case.value_tier, case.deadline), (False, RECORDED + timedelta(hours=72))
        )
        case.company_id = self.company
        self.assertEqual(case.value_tier, "vip")
        case.action_start()
        case.action_resolve()
        with self.assertRaisesRegex(UserError, "its Customer can no longer change"):
            case.partner_id = self.small
        self.assertEqual(case.value_tier, "vip")

    def test_form_shows_tier_priority(self):
        form = Form(self.Case)
        form.name = "Damaged parcel"
        form.partner_id = self.vip
        self.assertEqual((form.value_tier, form.priority), ("vip", "2"))
        case = form.save()
        self.assertEqual((case.value_tier, case.priority), ("vip", "2"))

    def test_cases_by_tier(self):
        """Grouped by tier as the list's group-by reads them: in pyramid order."""
        self.new_case(self.small)
        self.new_case(self.vip)
        self.new_case(self.vip)
        groups = self.Case.read_group(
            [("partner_id", "in", (self.vip | self.small).ids)],
            ["priority"],
            ["value_tier"],
        )
        self.assertEqual(
            [(group["value_tier"], group["value_tier_count"]) for group in groups],
            [("vip", 2), ("small", 1)],
        )

    def test_service_controls_per_tier(self):
        """Per tier, the rows of a month add up to the company's (archived
        customers included), and the pivot's total is the ratio of the
        summed counts."""
        self.new_case(
            self.vip_contact,
            case_type="complaint",
            date_recorded=datetime(2025, 5, 31, 10, 0),
        )
        self.vip.action_archive()
        control = self.env["crm.service.control"].create(
            {"date_from": "2025-05-01", "date_to": "2025-05-31", "by_value_tier": True}
        )
        action = control.action_compute()
        self.assertEqual(action["context"]["pivot_row_groupby"], ["value_tier"])
        Line = self.env["crm.service.control.line"]
        groups = Line.read_group(
            action["domain"],
            ["complaints:sum", "customers_invoiced:sum", "complaint_rate"],
            ["value_tier"],
            lazy=False,
        )
        self.assertEqual(
            [
                (
                    group["value_tier"],
                    group["complaints"],
                    group["customers_invoiced"],
                    group["complaint_rate"],
                )
                for group in groups
            ],
            [
                ("vip", 1, 1, 100.0),
                ("key", 0, 0, 0.0),
                ("ordinary", 0, 0, 0.0),
                ("small", 0, 1, 0.0),
                (False, 0, 0, 0.0),
            ],
        )
        [total] = Line.read_group(
            action["domain"],
            ["complaints:sum", "customers_invoiced:sum", "complaint_rate"],
            [],
        )
        self.assertEqual(
            (total["complaints"], total["customers_invoiced"], total["complaint_rate"]),
            (1, 2, 50.0),
        )
        # the company's row, without tiers, holds the same figures
        control.by_value_tier = False
        company_row = Line.search(control.action_compute()["domain"])
        self.assertEqual(
            (company_row.complaints, company_row.customers_invoiced),
            (1, 2),
        )

    def test_portal_offered_to_the_lowest_tier(self):
        """The lowest tier's channel is the portal: its cases suggest inviting
        the customer until one of its contacts has portal access."""
        small_case = self.new_case(self.small)
        vip_case = self.new_case(self.vip)
        self.assertEqual(
            (small_case.suggest_portal, vip_case.suggest_portal), (True, False)
        )
        action = small_case.action_invite_to_portal()
        wizard = self.env["portal.wizard"].browse(action["res_id"])
        self.assertEqual(wizard.partner_ids, self.small)
        self.assertEqual(wizard.user_ids.partner_id, self.small)
        wizard.user_ids.email = "small@example.com"
        wizard.user_ids.action_grant_access()
        self.assertTrue(self.small.user_ids.share)
        small_case.invalidate_recordset(["suggest_portal"])
        self.assertFalse(small_case.suggest_portal)
