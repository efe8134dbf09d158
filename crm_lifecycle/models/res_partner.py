from odoo import api, fields, models
from odoo.tools import SQL

from ..const import LIFECYCLE_STAGES


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "crm.selection.order.mixin"]

    # Company-dependent (one value per company, stored as jsonb): searchable and
    # groupable for the current company. Written by the lifecycle recompute.
    # An internal classification: read by lifecycle users (salespeople) and
    # invoicing users only, not by portal users or other employees.
    lifecycle_stage = fields.Selection(
        LIFECYCLE_STAGES,
        company_dependent=True,
        readonly=True,
        copy=False,
        groups="crm_lifecycle.group_lifecycle_user,account.group_account_invoice",
    )
    crm_profile_ids = fields.One2many(
        "crm.customer.profile",
        "partner_id",
        string="Lifecycle Profiles",
        groups="crm_lifecycle.group_lifecycle_user,account.group_account_invoice",
    )
    crm_lifecycle_history_ids = fields.One2many(
        "crm.lifecycle.history",
        "partner_id",
        string="Lifecycle History",
        groups="crm_lifecycle.group_lifecycle_user,account.group_account_invoice",
    )
    crm_profile_id = fields.Many2one(
        "crm.customer.profile",
        string="Lifecycle Profile",
        compute="_compute_crm_profile_id",
        help="Lifecycle profile of the commercial partner in the current company.",
        groups="crm_lifecycle.group_lifecycle_user,account.group_account_invoice",
    )

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"lifecycle_stage"}

    @api.depends_context("company")
    @api.depends("commercial_partner_id")
    def _compute_crm_profile_id(self):
        """Profile of each partner's commercial entity in the current company,
        fetched with one search for the whole batch."""
        self.crm_profile_id = False
        profiles = self.env["crm.customer.profile"].search(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", self.env.company.id),
            ]
        )
        by_partner = {profile.partner_id.id: profile for profile in profiles}
        for partner in self:
            partner.crm_profile_id = by_partner.get(partner.commercial_partner_id.id)

    def action_open_crm_profile(self):
        self.ensure_one()
        profile = self.commercial_partner_id.with_company(
            self.env.company
        ).crm_profile_id
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.customer.profile",
            "view_mode": "form",
            "res_id": profile.id,
            "name": self.env._("Lifecycle"),
        }

    def _increase_rank(self, field, n=1):
        """A commercial partner flagged as a customer for the first time
        (its first invoice) is a prospect in every company where it has not
        bought: evaluate it in every company now."""
        flagged = self.browse()
        if field == "customer_rank" and n > 0:
            flagged = self.filtered(
                lambda partner: (
                    not partner.customer_rank
                    and partner.id == partner.commercial_partner_id.id
                )
            )
        res = super()._increase_rank(field, n)
        if flagged:
            # every company, whichever the poster may access: a prospect in all
            companies = self.env["res.company"].sudo().search([])
            self.env["crm.customer.profile"]._refresh_customers(
                {
                    (partner.id, company.id)
                    for partner in flagged
                    for company in companies
                }
            )
        return res

    @api.model
    def _set_lifecycle_stages(self, triples):
        """Mirror (partner id, company id, stage) onto the partners'
        company-dependent ``lifecycle_stage``."""
        if not triples:
            return
        self.flush_model(["lifecycle_stage"])
        self.env.execute_query(
            SQL(
                """
                UPDATE res_partner p
                   SET lifecycle_stage = jsonb_strip_nulls(
                           coalesce(p.lifecycle_stage, '{}'::jsonb) || s.stages)
                  FROM (SELECT t.partner_id,
                               jsonb_object_agg(t.company_id::text, t.stage) AS stages
                          FROM unnest(%s::int[], %s::int[], %s::varchar[])
                               AS t(partner_id, company_id, stage)
                      GROUP BY t.partner_id) s
                 WHERE p.id = s.partner_id
                """,
                [t[0] for t in triples],
                [t[1] for t in triples],
                [t[2] for t in triples],
            )
        )
        partners = self.browse({t[0] for t in triples})
        partners.invalidate_recordset(["lifecycle_stage"])
        partners.modified(["lifecycle_stage"])
