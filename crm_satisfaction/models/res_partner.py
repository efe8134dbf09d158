from odoo import api, fields, models
from odoo.tools import SQL

from .survey_user_input import NPS_CATEGORIES


class ResPartner(models.Model):
    _inherit = "res.partner"

    crm_satisfaction_csi = fields.Float(
        string="Latest CSI",
        digits=(16, 3),
        compute="_compute_crm_satisfaction",
        groups="crm_satisfaction.group_satisfaction_user,account.group_account_invoice",
    )
    crm_nps_category = fields.Selection(
        NPS_CATEGORIES,
        string="NPS Category",
        compute="_compute_crm_satisfaction",
        groups="crm_satisfaction.group_satisfaction_user,account.group_account_invoice",
        help="From the latest answer to 'would you recommend us'.",
    )
    crm_satisfaction_count = fields.Integer(
        string="Satisfaction Responses",
        compute="_compute_crm_satisfaction",
        groups="crm_satisfaction.group_satisfaction_user,account.group_account_invoice",
    )

    @api.depends_context("company")
    def _compute_crm_satisfaction(self):
        """Latest CSI and NPS category and the number of completed responses
        of each partner's commercial entity, for the whole batch in one
        query."""
        self.crm_satisfaction_csi = False
        self.crm_nps_category = False
        self.crm_satisfaction_count = 0
        commercial_ids = [pid for pid in self.commercial_partner_id.ids if pid]
        if not commercial_ids:
            return
        self.env["survey.user_input"].flush_model(
            ["crm_partner_id", "crm_csi", "crm_nps_category", "state"]
        )
        rows = self.env.execute_query(
            SQL(
                """
                SELECT i.crm_partner_id,
                       count(*),
                       (array_agg(i.crm_csi ORDER BY i.end_datetime DESC, i.id DESC)
                            FILTER (WHERE i.crm_csi IS NOT NULL))[1],
                       (array_agg(i.crm_nps_category
                                  ORDER BY i.end_datetime DESC, i.id DESC)
                            FILTER (WHERE i.crm_nps_category IS NOT NULL))[1]
                  FROM survey_user_input i
                 WHERE i.crm_partner_id = ANY(%s)
                   AND i.state = 'done'
                   AND i.crm_company_id = %s
              GROUP BY i.crm_partner_id
                """,
                commercial_ids,
                self.env.company.id,
            )
        )
        figures = {row[0]: row[1:] for row in rows}
        for partner in self:
            count, csi, category = figures.get(
                partner.commercial_partner_id.id, (0, False, False)
            )
            partner.crm_satisfaction_count = count
            partner.crm_satisfaction_csi = csi or False
            partner.crm_nps_category = category or False

    def action_crm_send_survey(self):
        return self.env["survey.invite"]._crm_invite_action(
            partners=self.commercial_partner_id
        )

    def action_crm_new_case(self):
        self.ensure_one()
        return self.env["crm.service.case"]._new_case_action(
            {"default_partner_id": self.id}
        )

    def action_crm_view_responses(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_satisfaction.crm_satisfaction_response_action"
        )
        action["domain"] = [("crm_partner_id", "=", self.commercial_partner_id.id)]
        return action
