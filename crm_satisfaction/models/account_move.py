from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL


class AccountMove(models.Model):
    _inherit = "account.move"

    crm_survey_input_ids = fields.One2many(
        "survey.user_input", "crm_invoice_id", string="Satisfaction Surveys"
    )

    def action_crm_send_survey(self):
        self.ensure_one()
        return self.env["survey.invite"]._crm_invite_action(
            partners=self.partner_id, invoice=self
        )

    def action_crm_new_case(self):
        self.ensure_one()
        return self.env["crm.service.case"]._new_case_action(
            {
                "default_partner_id": self.partner_id.id,
                "default_invoice_id": self.id,
                "default_company_id": self.company_id.id,
            }
        )

    @api.model
    def _cron_crm_send_surveys(self):
        """Invite the customers of invoices posted N days ago (per company
        setting) to the company's satisfaction survey, one invitation per
        customer, never one invited within the minimum interval, never one
        without an email address."""
        today = fields.Date.context_today(self)
        companies = (
            self.env["res.company"].sudo().search([("crm_survey_auto_send", "=", True)])
        )
        invited = self.env["survey.user_input"]
        for company in companies:
            self.env.flush_all()
            due = today - timedelta(days=company.crm_survey_delay_days)
            since = today - timedelta(days=company.crm_survey_min_interval_days)
            rows = self.env.execute_query(
                SQL(
                    """
                    SELECT DISTINCT ON (m.commercial_partner_id) m.id
                      FROM account_move m
                      -- the invitation goes by email: customers without one
                      -- are left to the salesperson
                      JOIN res_partner p
                        ON p.id = m.partner_id AND coalesce(p.email, '') != ''
                     WHERE m.company_id = %(company)s
                       AND m.state = 'posted'
                       AND m.move_type = 'out_invoice'
                       AND m.invoice_date = %(due)s
                       AND NOT EXISTS (
                           SELECT 1 FROM survey_user_input i
                            WHERE i.crm_partner_id = m.commercial_partner_id
                              AND i.crm_company_id = m.company_id
                              AND i.create_date >= %(since)s)
                  ORDER BY m.commercial_partner_id, m.amount_untaxed_signed DESC,
                           m.id
                    """,
                    company=company.id,
                    due=due,
                    since=since,
                )
            )
            # Invitations are sent as the company (the cron has no user).
            invoices = self.sudo().with_company(company).browse(r[0] for r in rows)
            for invoice in invoices:
                action = invoice.action_crm_send_survey()
                wizard = (
                    self.env["survey.invite"]
                    .sudo()
                    .with_company(company)
                    .with_context(**action["context"])
                    .create({})
                )
                wizard.action_invite()
                invited |= invoice.crm_survey_input_ids
        return invited
