from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .crm_customer_profile import VALUE_TIERS


class CrmLifecyclePlaybook(models.Model):
    _inherit = "crm.lifecycle.playbook"

    trigger = fields.Selection(
        selection_add=[
            ("tier", "Enters a value tier"),
            ("potential", "Identified as a potential big customer"),
        ],
        ondelete={"tier": "cascade", "potential": "cascade"},
    )
    value_tier = fields.Selection(VALUE_TIERS, string="Tier")

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"value_tier"}

    @api.constrains("trigger", "value_tier")
    def _check_tier_playbook(self):
        for playbook in self:
            if playbook.trigger == "tier" and not playbook.value_tier:
                raise ValidationError(
                    self.env._("Playbook '%s': choose the tier.", playbook.name)
                )

    def _trigger_value(self):
        if self.trigger == "tier":
            return self.value_tier
        if self.trigger == "potential":
            # one event kind: the full ranking found a potential big customer
            return True
        return super()._trigger_value()
