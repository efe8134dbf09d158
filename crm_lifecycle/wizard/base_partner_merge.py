from odoo import models
from odoo.tools import SQL


class MergePartnerAutomatic(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_foreign_keys(self, src_partners, dst_partner):
        """A customer has one profile per company, and Odoo's merge deletes
        every merged profile (their stage history with them) as soon as one
        would clash with another. Before it, in each company the kept
        partner gets one profile: its own, else the first merged one; the
        other merged profiles give their history rows to it and go. The
        facts are evaluated again after the merge (see ``_merge``)."""
        self.env["crm.lifecycle.history"].flush_model()
        self.env["crm.customer.profile"].flush_model()
        repointed = self.env.execute_query(
            SQL(
                """
                UPDATE crm_customer_profile pr
                   SET partner_id = %(kept)s
                 WHERE pr.id IN (
                       SELECT DISTINCT ON (m.company_id) m.id
                         FROM crm_customer_profile m
                        WHERE m.partner_id = ANY(%(merged)s)
                          AND NOT EXISTS (
                              SELECT 1 FROM crm_customer_profile k
                               WHERE k.partner_id = %(kept)s
                                 AND k.company_id = m.company_id)
                     ORDER BY m.company_id, m.id)
             RETURNING pr.id
                """,
                merged=src_partners.ids,
                kept=dst_partner.id,
            )
        )
        self.env.execute_query(
            SQL(
                """
                UPDATE crm_lifecycle_history h
                   SET profile_id = kept.id, partner_id = kept.partner_id
                  FROM crm_customer_profile merged, crm_customer_profile kept
                 WHERE h.profile_id = merged.id
                   AND merged.partner_id = ANY(%(merged)s)
                   AND kept.partner_id = %(kept)s
                   AND kept.company_id = merged.company_id;
                DELETE FROM crm_customer_profile
                 WHERE partner_id = ANY(%(merged)s);
                """,
                merged=src_partners.ids,
                kept=dst_partner.id,
            )
        )
        Profile = self.env["crm.customer.profile"]
        Profile.invalidate_model()
        self.env["crm.lifecycle.history"].invalidate_model()
        # their salesperson and team follow the kept partner
        Profile.browse(row[0] for row in repointed).modified(["partner_id"])
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
