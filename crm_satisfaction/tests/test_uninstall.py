from odoo.tests import TransactionCase, tagged

from odoo.addons.crm_lifecycle.hooks import KEPT_MODELS

from .. import uninstall_hook


@tagged("post_install", "-at_install")
class TestUninstall(TransactionCase):
    """Uninstalling crm_satisfaction keeps the surveys it shipped, the
    responses to them and its callback activity type, as the company's own.
    ``tools/check_uninstall.sh`` uninstalls the addons for real."""

    def test_uninstall_hook_keeps_surveys_and_activity_type(self):
        surveys = (
            self.env.ref("crm_satisfaction.survey_customer_satisfaction")
            | self.env.ref("crm_satisfaction.survey_kano_feature_study")
            | self.env.ref("crm_satisfaction.survey_service_callback")
        )
        callback = self.env.ref("crm_satisfaction.mail_activity_type_callback")
        escalation = self.env.ref("crm_satisfaction.mail_activity_type_escalation")
        customer = self.env["res.partner"].create({"name": "Called Back"})
        case = self.env["crm.service.case"].create(
            {"name": "Broken widget", "partner_id": customer.id}
        )
        case.action_resolve()
        case.activity_ids.action_feedback("Called back")  # kept as done
        response = surveys[0]._create_answer(partner=customer)
        self.addCleanup(self.env.registry.clear_cache)
        # Odoo uninstalls the addons that depend on crm_satisfaction first:
        # their extensions of its models are forgotten by then
        dependents = (
            self.env["ir.module.module"]
            .search([("name", "=", "crm_satisfaction")])
            .downstream_dependencies()
        )
        self.env["ir.model.data"].search(
            [("model", "=", "ir.model"), ("module", "in", dependents.mapped("name"))]
        ).unlink()

        uninstall_hook(self.env)

        IrModelData = self.env["ir.model.data"]
        self.assertFalse(
            IrModelData.search(
                [("module", "=", "crm_satisfaction"), ("model", "in", KEPT_MODELS)]
            )
        )
        # the module's own records keep their ids: the ORM deletes them
        self.assertTrue(
            IrModelData._xmlid_to_res_id("crm_satisfaction.crm_service_case_action")
        )
        self.assertEqual(len(surveys.exists()), 3)
        self.assertEqual(response.exists().survey_id, surveys[0])
        # Odoo deletes the activity types of a deleted model: this one no
        # longer belongs to service cases, and so stays
        self.assertEqual((callback.exists(), callback.res_model), (callback, False))
        self.assertEqual(
            (escalation.exists(), escalation.res_model), (escalation, False)
        )
