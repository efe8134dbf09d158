from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import LifecycleCommon


@tagged("post_install", "-at_install")
@freeze_time(LifecycleCommon.REF)
class TestLifecycleOverride(LifecycleCommon):
    def setUp(self):
        super().setUp()
        self.partner = self.customer("Override Me")
        self.invoice(self.partner, self.days_before(10), 100)
        self.profile = self.profile_of(self.partner)
        self.assertEqual(self.profile.lifecycle_stage, "new")

    def test_manager_override_holds_until_date(self):
        until = self.REF + timedelta(days=30)
        self.profile.with_user(self.sales_manager).set_stage(
            "mature", "Long-standing account of the parent group", until
        )
        self.assertEqual(self.profile.lifecycle_stage, "mature")
        self.assertEqual(self.profile.stage_locked_until, until)
        manual = self.history_of(self.partner)[-1]
        self.assertTrue(manual.is_manual)
        self.assertEqual(manual.user_id, self.sales_manager)
        self.assertEqual(manual.locked_until, until)
        self.assertEqual((manual.stage_from, manual.stage_to), ("new", "mature"))
        self.assertEqual(manual.reason, "Long-standing account of the parent group")
        self.assertEqual(
            self.partner.with_company(self.company).lifecycle_stage, "mature"
        )

        # Holds through recomputes up to and including the date ...
        self.assertEqual(self.profile_of(self.partner, until).lifecycle_stage, "mature")
        self.assertEqual(len(self.history_of(self.partner)), 2)
        # ... and the rules take over the day after, saying why.
        after = self.profile_of(self.partner, until + timedelta(days=1))
        self.assertEqual(after.lifecycle_stage, "new")
        self.assertFalse(after.stage_locked_until)
        last = self.history_of(self.partner)[-1]
        self.assertFalse(last.is_manual)
        self.assertTrue(
            last.reason.startswith(
                "Manual override expired. Rule 4: first purchase on "
            ),
            last.reason,
        )

    def test_wizard(self):
        wizard = Form(
            self.env["crm.lifecycle.stage.wizard"]
            .with_user(self.sales_manager)
            .with_context(default_profile_ids=self.profile.ids)
        )
        wizard.lifecycle_stage = "declining"
        wizard.reason = "Told us they move to a competitor"
        wizard.save().action_apply()
        self.assertEqual(self.profile.lifecycle_stage, "declining")
        self.assertEqual(self.profile.stage_locked_until, self.REF)
        # the history says the same: held until today
        self.assertEqual(
            self.profile.history_ids.sorted("id")[-1].locked_until, self.REF
        )

    def test_salesperson_cannot_override(self):
        with self.assertRaises(AccessError):
            self.profile.with_user(self.salesman).set_stage("churned", "no reason")
        with self.assertRaises(AccessError):
            self.profile.with_user(self.accountant).set_stage("churned", "no reason")
        with self.assertRaises(AccessError):
            self.env["crm.lifecycle.stage.wizard"].with_user(self.salesman).create(
                {
                    "profile_ids": self.profile.ids,
                    "lifecycle_stage": "churned",
                    "reason": "x",
                }
            )
        self.assertEqual(self.profile.lifecycle_stage, "new")
        self.assertEqual(len(self.history_of(self.partner)), 1)

    def test_bad_override_input(self):
        manager_profile = self.profile.with_user(self.sales_manager)
        with self.assertRaises(UserError):
            manager_profile.set_stage("mature", "   ")
        with self.assertRaises(UserError):
            manager_profile.set_stage("vip", "not a stage")
        with self.assertRaises(UserError):
            manager_profile.set_stage("mature", "past", self.REF - timedelta(days=1))
        self.assertEqual(self.profile.lifecycle_stage, "new")
        self.assertEqual(len(self.history_of(self.partner)), 1)
