from odoo import models


class MergePartnerAutomatic(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_foreign_keys(self, src_partners, dst_partner):
        """A customer's snapshot periods never overlap: of the merged
        partners, only one keeps its periods in each company (the
        destination if it has any there, else the first merged partner that
        has), which the merge then moves onto the destination."""
        self.env["crm.customer.snapshot.period"]._keep_one_history(
            [dst_partner.id, *src_partners.ids]
        )
        return super()._update_foreign_keys(src_partners, dst_partner)
