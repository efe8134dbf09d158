from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..bounds import PERIOD_DAYS, RATE, check_bounds

LIFECYCLE_SETTINGS = {
    "crm_churn_days",
    "crm_winback_days",
    "crm_new_days",
    "crm_growth_rate",
    "crm_revenue_source",
}


class ResCompany(models.Model):
    _inherit = "res.company"

    crm_churn_days = fields.Integer(
        string="Churn After (days)",
        default=365,
        help="A customer whose last purchase is older than this many days is "
        "churned; a purchase after such a gap is a return.",
    )
    crm_winback_days = fields.Integer(
        string="Won Back For (days)",
        default=180,
        help="A returning customer stays 'won back' for this many days after "
        "the first purchase that ended the gap.",
    )
    crm_new_days = fields.Integer(
        string="New For (days)",
        default=90,
        help="A customer stays 'new' for this many days after the first purchase.",
    )
    crm_growth_rate = fields.Float(
        string="Growth Threshold",
        default=0.10,
        digits=(3, 2),
        help="Revenue of the last 12 months above the previous 12 months by more "
        "than this rate means growing; below by more than this rate, declining.",
    )
    crm_revenue_source = fields.Selection(
        [("invoice", "Posted invoices"), ("sale_order", "Confirmed sale orders")],
        string="Revenue Source",
        default="invoice",
        required=True,
        help="Customer facts come from posted customer invoices and credit notes, "
        "or from confirmed sale orders for companies that do not invoice.",
    )

    def write(self, vals):
        # Reasons and stages follow the settings: every customer of a company
        # whose settings change is to evaluate again.
        changed = self.browse()
        if LIFECYCLE_SETTINGS.intersection(vals):
            changed = self.filtered(
                lambda company: any(
                    company[name]
                    != company._fields[name].convert_to_cache(vals[name], company)
                    for name in LIFECYCLE_SETTINGS.intersection(vals)
                )
            )
        res = super().write(vals)
        if changed:
            # ... and are evaluated again by the next run (the cron's progress
            # is the profiles' facts date).
            Profile = self.env["crm.customer.profile"]
            Profile.flush_model(["facts_date"])
            self.env.execute_query(
                SQL(
                    "UPDATE crm_customer_profile SET facts_date = NULL"
                    " WHERE company_id = ANY(%s)",
                    changed.ids,
                )
            )
            Profile.invalidate_model(["facts_date"])
        return res

    @api.constrains(
        "crm_churn_days", "crm_winback_days", "crm_new_days", "crm_growth_rate"
    )
    def _check_crm_lifecycle_settings(self):
        check_bounds(
            self,
            {
                "crm_churn_days": PERIOD_DAYS,
                "crm_winback_days": PERIOD_DAYS,
                "crm_new_days": PERIOD_DAYS,
                "crm_growth_rate": RATE,
            },
        )
        for company in self:
            if company.crm_winback_days > company.crm_churn_days:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the 'won back' period (%(winback)s days) "
                        "cannot be longer than the churn period (%(churn)s days).",
                        company=company.name,
                        winback=company.crm_winback_days,
                        churn=company.crm_churn_days,
                    )
                )
            if company.crm_new_days > company.crm_churn_days:
                raise ValidationError(
                    self.env._(
                        "%(company)s: the 'new' period (%(new)s days) cannot be "
                        "longer than the churn period (%(churn)s days).",
                        company=company.name,
                        new=company.crm_new_days,
                        churn=company.crm_churn_days,
                    )
                )
