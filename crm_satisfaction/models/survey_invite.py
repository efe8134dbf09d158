from odoo import api, fields, models
from odoo.exceptions import UserError


class SurveyInvite(models.TransientModel):
    _inherit = "survey.invite"

    crm_sale_order_id = fields.Many2one("sale.order", string="Sale Order")
    crm_invoice_id = fields.Many2one("account.move", string="Invoice")
    crm_case_id = fields.Many2one("crm.service.case", string="Service Case")

    def _get_answers_values(self):
        values = super()._get_answers_values()
        document = self.crm_case_id or self.crm_sale_order_id or self.crm_invoice_id
        values.update(
            crm_sale_order_id=self.crm_sale_order_id.id,
            crm_invoice_id=self.crm_invoice_id.id,
            crm_case_id=self.crm_case_id.id,
            crm_company_id=(document.company_id or self.env.company).id,
        )
        return values

    def _get_done_partners_emails(self, existing_answers):
        """Resend only a response about the same document: the customer's
        response about another service case, order or invoice is not this
        one's (each gets its own response)."""
        if self.crm_case_id or self.crm_sale_order_id or self.crm_invoice_id:
            existing_answers = existing_answers.filtered(
                lambda answer: (
                    answer.crm_case_id == self.crm_case_id
                    and answer.crm_sale_order_id == self.crm_sale_order_id
                    and answer.crm_invoice_id == self.crm_invoice_id
                )
            )
        return super()._get_done_partners_emails(existing_answers)

    @api.model
    def _crm_invite_action(self, partners, sale_order=None, invoice=None):
        """The survey invitation wizard for ``partners``, with the company's
        satisfaction survey (else the shipped one) and the document the
        responses will be linked to. The invitation goes by e-mail: a
        partner without an e-mail address is a UserError that says so."""
        without_email = partners.filtered(lambda partner: not partner.email)
        if without_email:
            raise UserError(
                self.env._(
                    "%s has no e-mail address: add one to the contact to send "
                    "a satisfaction survey.",
                    ", ".join(without_email.mapped("display_name")),
                )
            )
        document = sale_order or invoice
        company = document.company_id if document else self.env.company
        survey = company.crm_survey_auto_survey_id or self.env.ref(
            "crm_satisfaction.survey_customer_satisfaction", raise_if_not_found=False
        )
        if not survey:
            raise UserError(self.env._("Choose a satisfaction survey in the settings."))
        action = survey.action_send_survey()
        action["context"] = dict(
            action.get("context") or {},
            default_partner_ids=partners.ids,
            default_crm_sale_order_id=sale_order.id if sale_order else False,
            default_crm_invoice_id=invoice.id if invoice else False,
        )
        return action
