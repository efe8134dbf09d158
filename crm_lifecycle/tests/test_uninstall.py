from odoo.tests import tagged

from ..hooks import KEPT_MODELS, keep_company_records
from .common import LifecycleCommon


@tagged("post_install", "-at_install")
class TestUninstall(LifecycleCommon):
    """Uninstalling the addon deletes what its external ids name, except the
    company's records: customers, leads and documents it loaded stay.
    ``tools/check_uninstall.sh`` uninstalls the addons for real."""

    def test_uninstall_hook_keeps_the_company_records(self):
        partner = self.customer("Shipped Customer")
        invoice = self.invoice(partner, self.days_before(10), 100)
        lead = self.env["crm.lead"].create(
            {"name": "Shipped Lead", "partner_id": partner.id}
        )
        IrModelData = self.env["ir.model.data"]
        IrModelData.create(
            [
                {
                    "module": "crm_lifecycle",
                    "name": f"test_uninstall_{record._table}",
                    "model": record._name,
                    "res_id": record.id,
                }
                for record in (partner, invoice, lead)
            ]
        )
        cron = self.env.ref("crm_lifecycle.ir_cron_crm_lifecycle_recompute")
        self.addCleanup(self.env.registry.clear_cache)

        keep_company_records(self.env, "crm_lifecycle")

        self.assertFalse(
            IrModelData.search(
                [("module", "=", "crm_lifecycle"), ("model", "in", KEPT_MODELS)]
            )
        )
        # the module's own records keep their ids: the ORM deletes them
        self.assertEqual(
            IrModelData._xmlid_to_res_id(
                "crm_lifecycle.ir_cron_crm_lifecycle_recompute"
            ),
            cron.id,
        )
        self.assertEqual(
            (partner.exists(), invoice.exists(), lead.exists()),
            (partner, invoice, lead),
        )
        self.assertEqual(invoice.state, "posted")
