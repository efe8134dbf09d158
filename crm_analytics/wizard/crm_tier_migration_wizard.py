from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..models.crm_customer_profile import VALUE_TIERS

MIGRATION_TIERS = [*VALUE_TIERS, ("none", "No tier")]


class CrmTierMigrationWizard(models.TransientModel):
    _name = "crm.tier.migration.wizard"
    _description = "Tier Migration Between Two Dates"

    date_from = fields.Date(
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(month=1, day=1),
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    line_ids = fields.One2many("crm.tier.migration.line", "wizard_id")

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(
                    self.env._("The first date must be on or before the second.")
                )

    def action_open_matrix(self):
        """Fill the customers' moves between the two dates (same query as
        ``crm.customer.snapshot.period.migration_matrix``) and open them as a pivot:
        tier at the first date × tier at the second, up and down the pyramid."""
        self.ensure_one()
        self.env["crm.customer.snapshot.period"].check_access("read")
        self.line_ids.unlink()
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                """
                INSERT INTO crm_tier_migration_line (
                    wizard_id, partner_id, company_id, tier_from, tier_to,
                    revenue, value, direction,
                    create_uid, create_date, write_uid, write_date)
                SELECT %(wizard)s, m.partner_id, m.company_id, m.tier_from,
                       m.tier_to, m.revenue, m.value, m.direction,
                       %(uid)s, now() AT TIME ZONE 'UTC',
                       %(uid)s, now() AT TIME ZONE 'UTC'
                  FROM (%(migration)s) m
                """,
                wizard=self.id,
                uid=self.env.uid,
                migration=self.env["crm.customer.snapshot.period"]._migration_query(
                    self.date_from, self.date_to, self.env.companies.ids
                ),
            )
        )
        self.invalidate_recordset(["line_ids"])
        return {
            "type": "ir.actions.act_window",
            "name": self.env._(
                "Tier Migration %(date_from)s → %(date_to)s",
                date_from=self.date_from,
                date_to=self.date_to,
            ),
            "res_model": "crm.tier.migration.line",
            "view_mode": "pivot,graph,list",
            "domain": [("wizard_id", "=", self.id)],
        }


class CrmTierMigrationLine(models.TransientModel):
    _name = "crm.tier.migration.line"
    _inherit = ["crm.selection.order.mixin"]
    _description = "Tier Migration of a Customer"
    _rec_name = "partner_id"

    wizard_id = fields.Many2one(
        "crm.tier.migration.wizard", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    # converted by the wizard's statement
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    tier_from = fields.Selection(MIGRATION_TIERS, string="Tier Before", readonly=True)
    tier_to = fields.Selection(MIGRATION_TIERS, string="Tier After", readonly=True)
    revenue = fields.Monetary(
        string="Window Revenue",
        readonly=True,
        help="Net revenue of the RFM window at the second date, in the current "
        "company's currency.",
    )
    value = fields.Monetary(
        string="Window Value",
        readonly=True,
        help="Value of the RFM window (by the company's value basis) at the "
        "second date, in the current company's currency.",
    )
    direction = fields.Selection(
        [("up", "Moved up"), ("down", "Moved down"), ("same", "Same tier")],
        readonly=True,
    )

    def _compute_currency_id(self):
        self.currency_id = self.env.company.currency_id

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {
            "tier_from",
            "tier_to",
            "direction",
        }
