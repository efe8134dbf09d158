from odoo import models
from odoo.tools import SQL


class MergePartnerAutomatic(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_foreign_keys(self, src_partners, dst_partner):
        """A customer's snapshot periods never overlap: of the merged
        partners, only one keeps its periods in each company (the
        destination if it has any there, else the first merged partner that
        has), which the merge then moves onto the destination."""
        partners = [dst_partner.id, *src_partners.ids]
        self.env["crm.customer.snapshot.period"].flush_model()
        self.env.execute_query(
            SQL(
                """
                WITH merged AS (
                    SELECT t.partner_id, t.position
                      FROM unnest(%s::int[]) WITH ORDINALITY AS t(partner_id, position)
                ),
                keeper AS (
                    SELECT DISTINCT ON (p.company_id) p.company_id, p.partner_id
                      FROM crm_customer_snapshot_period p
                      JOIN merged m ON m.partner_id = p.partner_id
                  ORDER BY p.company_id, m.position
                )
                DELETE FROM crm_customer_snapshot_period p
                 USING merged m
                 WHERE p.partner_id = m.partner_id
                   AND NOT EXISTS (
                       SELECT 1 FROM keeper k
                        WHERE k.company_id = p.company_id
                          AND k.partner_id = p.partner_id)
                """,
                partners,
            )
        )
        self.env["crm.customer.snapshot.period"].invalidate_model()
        return super()._update_foreign_keys(src_partners, dst_partner)
