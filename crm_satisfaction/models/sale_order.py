from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    crm_survey_input_ids = fields.One2many(
        "survey.user_input", "crm_sale_order_id", string="Satisfaction Surveys"
    )

    def action_crm_send_survey(self):
        self.ensure_one()
        return self.env["survey.invite"]._crm_invite_action(
            partners=self.partner_id, sale_order=self
        )

    def action_crm_new_case(self):
        self.ensure_one()
        return self.env["crm.service.case"]._new_case_action(
            {
                "default_partner_id": self.partner_id.id,
                "default_sale_order_id": self.id,
                "default_company_id": self.company_id.id,
            }
        )
