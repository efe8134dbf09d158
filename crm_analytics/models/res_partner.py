from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .crm_customer_profile import VALUE_TIERS


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Company-dependent like lifecycle_stage: the tier in the current company,
    # searchable and groupable. Written by the value ranking.
    # The tier, the segments, the potential spend and the trap flag are an
    # internal classification: read by analytics users (salespeople) and
    # invoicing users only, not by portal users or other employees.
    value_tier = fields.Selection(
        VALUE_TIERS,
        company_dependent=True,
        readonly=True,
        copy=False,
        groups="crm_analytics.group_analytics_user,account.group_account_invoice",
    )
    crm_relationship_type = fields.Selection(
        [
            ("consumer", "Consumer"),
            ("business", "Business"),
            ("internal", "Internal"),
            ("channel", "Channel / Distributor"),
        ],
        string="Relationship",
        tracking=True,
        groups="crm_analytics.group_analytics_user,account.group_account_invoice",
    )
    crm_service_attitude = fields.Selection(
        [
            ("compliant", "Compliant"),
            ("caring", "Caring"),
            ("adaptive", "Adaptive"),
            ("indifferent", "Indifferent"),
        ],
        string="Service Attitude",
        tracking=True,
        groups="crm_analytics.group_analytics_user,account.group_account_invoice",
        help="How the customer relates to our service: compliant (accepts what is "
        "offered), caring (expects attention), adaptive (adjusts to us), "
        "indifferent (does not care).",
    )
    crm_potential_spend = fields.Float(
        string="Potential Yearly Spend",
        company_dependent=True,
        digits="Account",
        groups="crm_analytics.group_analytics_user,account.group_account_invoice",
        help="Estimated yearly spend of the customer on what we sell, in the "
        "company currency: the base of the share of wallet.",
    )
    crm_satisfaction_trap = fields.Boolean(
        string="Satisfaction Trap",
        compute="_compute_crm_satisfaction_trap",
        search="_search_crm_satisfaction_trap",
        groups="crm_analytics.group_analytics_user,account.group_account_invoice",
        help="Satisfied (latest CSI of at least 1, or latest overall answer in "
        "the top two points) yet declining or churned in the current company.",
    )

    crm_potential_big = fields.Boolean(
        string="Potential Big Customer",
        compute="_compute_crm_potential_big",
        search="_search_crm_potential_big",
        groups="crm_analytics.group_analytics_user,account.group_account_invoice",
        help="Below the VIP or key tier in the current company, yet placed there "
        "by its potential yearly spend or its growth.",
    )

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"value_tier"}

    def _report_partner_ids(self, report):
        """The partners of ``report`` (a customer report whose rows carry
        ``partner_id`` and ``company_id``) in the current company: its
        currency, its settings, no currency table to build."""
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                "SELECT partner_id FROM (%s) t WHERE t.company_id = %s",
                self.env[report]
                .with_context(allowed_company_ids=self.env.company.ids)
                ._query(),
                self.env.company.id,
            )
        )
        return {row[0] for row in rows}

    def _search_in_report(self, field, report, operator, value, unsupported):
        """Search domain of the boolean ``field``: whether the commercial
        partner is in ``report`` (see ``_report_partner_ids``)."""
        # Odoo checks the groups of the stored fields a domain reads, not of
        # the computed ones it searches through their method
        self.check_field_access_rights("read", [field])
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(unsupported)
        ids = list(self._report_partner_ids(report))
        positive = (operator == "=") == value
        return [("commercial_partner_id", "in" if positive else "not in", ids)]

    def _compute_crm_satisfaction_trap(self):
        trapped = self._report_partner_ids("crm.satisfaction.trap.report")
        for partner in self:
            partner.crm_satisfaction_trap = partner.commercial_partner_id.id in trapped

    def _search_crm_satisfaction_trap(self, operator, value):
        return self._search_in_report(
            "crm_satisfaction_trap",
            "crm.satisfaction.trap.report",
            operator,
            value,
            self.env._("Unsupported search on the satisfaction trap."),
        )

    def _compute_crm_potential_big(self):
        potential = self._report_partner_ids("crm.potential.customer.report")
        for partner in self:
            partner.crm_potential_big = partner.commercial_partner_id.id in potential

    def _search_crm_potential_big(self, operator, value):
        return self._search_in_report(
            "crm_potential_big",
            "crm.potential.customer.report",
            operator,
            value,
            self.env._("Unsupported search on the potential big customers."),
        )

    @api.model
    def _value_tier_cte(self):
        """CTE ``partner_tier`` of the ranking statement: the tiers of CTE
        ``moved`` (see ``crm.customer.profile._value_statement``) that
        changed, mirrored onto the partners' company-dependent tier."""
        return SQL(
            """
partner_tier AS (
    UPDATE res_partner p
       SET value_tier = jsonb_strip_nulls(
               coalesce(p.value_tier, '{}'::jsonb) || s.tiers)
      FROM (SELECT partner_id,
                   jsonb_object_agg(company_id::text, tier) AS tiers
              FROM moved
             WHERE tier IS DISTINCT FROM old_tier
          GROUP BY partner_id) s
     WHERE p.id = s.partner_id
 RETURNING p.id
)"""
        )

    # ------------------------------------------------------------
    # 360° VIEW
    # ------------------------------------------------------------

    crm_touchpoint_count = fields.Integer(
        string="Touchpoints",
        compute="_compute_crm_touchpoint_count",
        groups="crm_analytics.group_analytics_user",
        help="Contacts with the customer in the current company, stage and "
        "tier changes excepted.",
    )

    @api.depends_context("company")
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
