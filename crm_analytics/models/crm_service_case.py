from odoo import api, fields, models

from ..const import CASE_PRIORITY_FIELDS, VALUE_TIERS


class CrmServiceCase(models.Model):
    """Service by value: a case keeps the value tier its customer had when it
    was recorded. The tier sets a new case's priority (a company setting per
    tier) and chooses the service level, hence the deadline."""

    _name = "crm.service.case"
    _inherit = ["crm.service.case", "crm.selection.order.mixin"]

    value_tier = fields.Selection(
        VALUE_TIERS,
        readonly=True,
        copy=False,
        help="The customer's value tier when the case was recorded: it sets the "
        "priority of a new case and chooses its service level.",
    )

    suggest_portal = fields.Boolean(
        compute="_compute_suggest_portal",
        help="A customer of the lowest tier without portal access: its low-cost "
        "channel is the portal, where it raises and follows its requests.",
    )

    @api.depends("value_tier", "commercial_partner_id")
    def _compute_suggest_portal(self):
        lowest = VALUE_TIERS[-1][0]
        for case in self:
            customer = case.commercial_partner_id
            # whether any contact has a user, whoever reads the case
            case.suggest_portal = (
                case.value_tier == lowest
                and not (customer | customer.child_ids).sudo().user_ids
            )

    def action_invite_to_portal(self):
        """Odoo's portal access wizard, for the customer and its contacts."""
        self.ensure_one()
        return (
            self.env["portal.wizard"]
            .with_context(default_partner_ids=self.commercial_partner_id.ids)
            .action_open_wizard()
        )

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"value_tier"}

    @api.depends("value_tier")
    def _compute_deadline(self):
        return super()._compute_deadline()

    @api.model
    def _schedule_fields(self):
        # the customer's tier chooses the service level
        return super()._schedule_fields() | {"partner_id", "value_tier"}

    @api.model
    def _customer_tiers(self, keys):
        """{(partner id, company id): value tier of its commercial partner's
        profile in that company, or False} for the pairs ``keys``."""
        partners = self.env["res.partner"].browse({partner for partner, _c in keys})
        commercial = {
            partner.id: partner.commercial_partner_id.id for partner in partners
        }
        # the tier decides the service of a case: read for whoever records it
        profiles = (
            self.env["crm.customer.profile"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "in", list(set(commercial.values()))),
                    ("company_id", "in", list({company for _p, company in keys})),
                    ("value_tier", "!=", False),
                ],
                ["partner_id", "company_id", "value_tier"],
            )
        )
        tiers = {
            (profile.partner_id.id, profile.company_id.id): profile.value_tier
            for profile in profiles
        }
        return {
            (partner, company): tiers.get((commercial[partner], company), False)
            for partner, company in keys
        }

    @api.model
    def _tier_priority(self, company, tier):
        """The priority of a new case of a customer of ``tier`` in ``company``."""
        # a setting, read for whoever records the case
        return tier and company.sudo()[CASE_PRIORITY_FIELDS[tier]]

    @api.model_create_multi
    def create(self, vals_list):
        keys = [
            (vals.get("partner_id"), vals.get("company_id") or self.env.company.id)
            for vals in vals_list
        ]
        tiers = self._customer_tiers([key for key in keys if key[0]])
        Company = self.env["res.company"]
        for vals, (partner, company) in zip(vals_list, keys, strict=True):
            # the customer's tier, never one given: it chooses the service
            vals["value_tier"] = partner and tiers[partner, company]
            if "priority" not in vals and vals["value_tier"]:
                vals["priority"] = self._tier_priority(
                    Company.browse(company), vals["value_tier"]
                )
        return super().create(vals_list)

    def write(self, vals):
        vals = {name: value for name, value in vals.items() if name != "value_tier"}
        if "partner_id" not in vals and "company_id" not in vals:
            return super().write(vals)

        def key(case):
            return (
                vals.get("partner_id", case.partner_id.id),
                vals.get("company_id", case.company_id.id),
            )

        # another customer or company, maybe another tier: its level applies
        # (a resolved case refuses the change, see _schedule_fields)
        moved = self.filtered(
            lambda case: key(case) != (case.partner_id.id, case.company_id.id)
        )
        super(CrmServiceCase, self - moved).write(vals)
        tiers = self._customer_tiers({key(case) for case in moved})
        for customer_company, cases in moved.grouped(key).items():
            super(CrmServiceCase, cases).write(
                {**vals, "value_tier": tiers[customer_company]}
            )
        return True

    @api.onchange("partner_id", "company_id")
    def _onchange_partner_tier(self):
        """A new case shows its customer's tier and the tier's priority."""
        if self._origin or not self.partner_id:
            return
        key = (self.partner_id.id, self.company_id.id or self.env.company.id)
        self.value_tier = self._customer_tiers([key])[key]
        if self.value_tier:
            self.priority = self._tier_priority(
                self.company_id or self.env.company, self.value_tier
            )
