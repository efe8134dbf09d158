from odoo import api, models


class CrmLifecycleDemo(models.AbstractModel):
    _inherit = "crm.lifecycle.demo"

    @api.model
    def _replay_evaluate(self, date):
        """And rank every customer as of ``date``: the value snapshots of
        the tier history, the migration matrix and the retention of the
        lifetime value."""
        res = super()._replay_evaluate(date)
        self.env["crm.customer.profile"]._rank_values(date, self.env.companies.ids)
        return res
