from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestLifecycleUi(HttpCase):
    def test_override_tour(self):
        """A manager opens a new customer's profile in the browser, sets the
        stage by hand through the wizard, and the history records it."""
        admin = self.env.ref("base.user_admin")
        partner = self.env["res.partner"].create(
            {"name": "Tour Customer", "is_company": True, "user_id": admin.id}
        )
        self.env["crm.lead"].create(
            {"name": "Tour deal", "type": "opportunity", "partner_id": partner.id}
        )
        profile = self.env["crm.customer.profile"].recompute(partners=partner)
        self.assertEqual(profile.lifecycle_stage, "prospect")
        self.start_tour(
            "/odoo/action-crm_lifecycle.crm_customer_profile_action",
            "crm_lifecycle_override_tour",
            login="admin",
        )
        profile.invalidate_recordset()
        self.assertEqual(profile.lifecycle_stage, "mature")
        self.assertTrue(profile.history_ids[:1].is_manual)
        self.assertEqual(
            profile.stage_lock_reason, "Framework agreement signed for three years"
        )
