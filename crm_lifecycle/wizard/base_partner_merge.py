from odoo import models
from odoo.tools import SQL


class MergePartnerAutomatic(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_foreign_keys(self, src_partners, dst_partner):
        """A customer has one profile per company: the merge would delete
        a merged partner's profile, and its stage history with it, where the
        destination has one. Its history rows move to the destination's
        profile first (dated, they read as one history); the facts are
        evaluated again after the merge (see ``_merge``)."""
        self.env["crm.lifecycle.history"].flush_model()
        self.env["crm.customer.profile"].flush_model()
        self.env.execute_query(
            SQL(
                """
                UPDATE crm_lifecycle_history h
                   SET profile_id = kept.id, partner_id = kept.partner_id
                  FROM crm_customer_profile merged, crm_customer_profile kept
                 WHERE h.profile_id = merged.id
                   AND merged.partner_id = ANY(%(merged)s)
                   AND kept.partner_id = %(kept)s
                   AND kept.company_id = merged.company_id
                """,
                merged=src_partners.ids,
                kept=dst_partner.id,
            )
        )
        self.env["crm.lifecycle.history"].invalidate_model()
        return super()._update_foreign_keys(src_partners, dst_partner)

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
