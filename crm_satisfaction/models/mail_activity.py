from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """Marking a service case's callback activity done records the
        callback on the case."""
        callback_type = self.env.ref(
            "crm_satisfaction.mail_activity_type_callback", raise_if_not_found=False
        )
        case_ids = [
            activity.res_id
            for activity in self
            if callback_type
            and activity.res_model == "crm.service.case"
            and activity.activity_type_id == callback_type
        ]
        res = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if case_ids:
            # The owner marks their activity done; the case may be someone
            # else's (checked by the activity's own access rules above).
            self.env["crm.service.case"].sudo().browse(case_ids)._record_callback()
        return res
