from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    crm_touchpoint_count = fields.Integer(
        string="Touchpoints",
        compute="_compute_crm_touchpoint_count",
        groups="crm_analytics.group_analytics_user",
        help="Contacts with the customer in the current company, stage and "
        "tier changes excepted.",
    )

    def _compute_crm_touchpoint_count(self):
        """One grouped read for all the partners' customers (their
        commercial partners) in the current company."""
        customers = self.commercial_partner_id
        counts = dict(
            self.env["crm.touchpoint"]._read_group(
                [
                    ("partner_id", "in", customers.ids),
                    ("company_id", "=", self.env.company.id),
                    ("is_contact", "=", True),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.crm_touchpoint_count = counts.get(partner.commercial_partner_id, 0)

    def action_open_crm_touchpoints(self):
        self.ensure_one()
        return self.commercial_partner_id._touchpoints_action(
            [("company_id", "=", self.env.company.id)]
        )

    def _touchpoints_action(self, domain):
        """The 360° list of the customer's (self's) touchpoints matching
        ``domain``, newest first."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_analytics.crm_touchpoint_action_customer"
        )
        action["display_name"] = self.env._("Touchpoints: %s", self.display_name)
        action["domain"] = [("partner_id", "=", self.id), *domain]
        return action
