from odoo import api, models


class CrmCustomerProfile(models.Model):
    """Stages in lifecycle order in every view grouping profiles (the
    lifecycle funnel)."""

    _name = "crm.customer.profile"
    _inherit = ["crm.customer.profile", "crm.selection.order.mixin"]

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"lifecycle_stage"}
