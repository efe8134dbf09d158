from odoo import models


class MergePartnerAutomatic(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        """Merging moves the merged customers' documents onto the destination
        partner in SQL: refresh its facts and stages in every company, as
        posting would."""
        partners = self.env["res.partner"].browse(partner_ids).exists()
        res = super()._merge(
            partner_ids, dst_partner=dst_partner, extra_checks=extra_checks
        )
        remaining = partners.exists()
        if remaining:
            # every company, whichever the user may access: its documents
            # may be in any
            companies = self.env["res.company"].sudo().search([])
            self.env["crm.customer.profile"]._refresh_customers(
                {
                    (partner.commercial_partner_id.id, company.id)
                    for partner in remaining
                    for company in companies
                }
            )
        return res
