from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.crm_lifecycle.const import LIFECYCLE_STAGES

from .stored_figures import stored_figures_set

NPS_CATEGORIES = [
    ("promoter", "Promoter"),
    ("passive", "Passive"),
    ("detractor", "Detractor"),
]


class SurveyUserInput(models.Model):
    _name = "survey.user_input"
    _inherit = ["survey.user_input", "crm.selection.order.mixin"]

    crm_partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        compute="_compute_crm_partner_id",
        store=True,
        index=True,
        help="Commercial partner of the respondent: from the invitation, the "
        "linked sale order or invoice.",
    )
    crm_company_id = fields.Many2one(
        "res.company",
        string="Company",
        default=lambda self: self.env.company,
        index=True,
    )
    crm_sale_order_id = fields.Many2one(
        "sale.order", string="Sale Order", index="btree_not_null"
    )
    crm_invoice_id = fields.Many2one(
        "account.move",
        string="Invoice",
        index="btree_not_null",
        domain="[('move_type', 'in', ('out_invoice', 'out_refund'))]",
    )
    crm_case_id = fields.Many2one(
        "crm.service.case", string="Service Case", index="btree_not_null"
    )
    crm_product_id = fields.Many2one(
        "product.product",
        string="Product",
        compute="_compute_crm_product_id",
        store=True,
        help="The product of the service case, or the only product of the "
        "linked sale order or invoice.",
    )
    crm_user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        compute="_compute_crm_partner_id",
        store=True,
    )
    crm_team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        compute="_compute_crm_partner_id",
        store=True,
    )
    # Figures of the response, stored at completion (see _crm_store_figures).
    crm_csi = fields.Float(
        string="CSI",
        digits=(16, 3),
        readonly=True,
        copy=False,
        aggregator="avg",
        help="Mean of perception / expectation over the dimensions answered, "
        "weighted by importance when given for each of them.",
    )
    crm_csat = fields.Float(
        string="CSAT (%)",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="100 when the overall satisfaction is in the top two points of "
        "the scale, else 0; averaged, the CSAT.",
    )
    crm_nps = fields.Float(
        string="NPS",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="100 for a promoter (9-10), 0 for a passive, -100 for a "
        "detractor (0-6); averaged, the NPS.",
    )
    crm_nps_category = fields.Selection(
        NPS_CATEGORIES, string="NPS Category", readonly=True, copy=False
    )
    crm_ces = fields.Float(string="CES", readonly=True, copy=False, aggregator="avg")
    # Whether the response has each figure: a figure without its questions
    # answered is empty (NULL), not 0, which is all the ORM reads of a NULL
    # float. The views show a figure only when it is set.
    crm_has_csi = fields.Boolean(string="Has CSI", compute="_compute_crm_has_figures")
    crm_has_csat = fields.Boolean(string="Has CSAT", compute="_compute_crm_has_figures")
    crm_has_nps = fields.Boolean(string="Has NPS", compute="_compute_crm_has_figures")
    crm_has_ces = fields.Boolean(string="Has CES", compute="_compute_crm_has_figures")
    crm_lifecycle_stage = fields.Selection(
        LIFECYCLE_STAGES,
        string="Lifecycle Stage",
        readonly=True,
        copy=False,
        help="Stage of the customer when the response was completed.",
    )
    crm_result_ids = fields.One2many(
        "crm.satisfaction.result",
        "user_input_id",
        string="Satisfaction Results",
        readonly=True,
    )

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"crm_lifecycle_stage"}

    @api.depends(
        "partner_id.commercial_partner_id",
        "crm_sale_order_id.partner_id",
        "crm_invoice_id.commercial_partner_id",
        "crm_case_id.partner_id",
    )
    def _compute_crm_partner_id(self):
        for user_input in self:
            partner = (
                user_input.partner_id.commercial_partner_id
                or user_input.crm_case_id.commercial_partner_id
                or user_input.crm_invoice_id.commercial_partner_id
                or user_input.crm_sale_order_id.partner_id.commercial_partner_id
            )
            user_input.crm_partner_id = partner
            user_input.crm_user_id = (
                user_input.crm_case_id.user_id
                or user_input.crm_sale_order_id.user_id
                or user_input.crm_invoice_id.invoice_user_id
                or partner.user_id
            )
            user_input.crm_team_id = (
                user_input.crm_case_id.team_id
                or user_input.crm_sale_order_id.team_id
                or user_input.crm_invoice_id.team_id
                or user_input.crm_user_id.sale_team_id
            )

    @api.depends(
        "crm_case_id.product_id",
        "crm_sale_order_id.order_line.product_id",
        "crm_invoice_id.invoice_line_ids.product_id",
    )
    def _compute_crm_product_id(self):
        for user_input in self:
            products = (
                user_input.crm_case_id.product_id
                or user_input.crm_sale_order_id.order_line.product_id
                or user_input.crm_invoice_id.invoice_line_ids.product_id
            )
            user_input.crm_product_id = products if len(products) == 1 else False

    @api.depends("crm_csi", "crm_csat", "crm_nps", "crm_ces")
    def _compute_crm_has_figures(self):
        figures = stored_figures_set(
            self, ["crm_csi", "crm_csat", "crm_nps", "crm_ces"]
        )
        for user_input in self:
            (
                user_input.crm_has_csi,
                user_input.crm_has_csat,
                user_input.crm_has_nps,
                user_input.crm_has_ces,
            ) = figures.get(user_input.id, (False,) * 4)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._crm_check_evidence_values(vals)
        responses = super().create(vals_list)
        responses._crm_check_new_response()
        return responses

    def _crm_check_new_response(self):
        """A response to a satisfaction survey starts unanswered unless a
        satisfaction administrator (or the survey pages, as superuser)
        creates it: nobody else makes up a completed response."""
        if self.env["survey.survey"]._crm_is_satisfaction_manager():
            return
        made_up = self.sudo().filtered(
            lambda response: (
                response.survey_id.crm_is_satisfaction
                and (response.state != "new" or response.end_datetime)
            )
        )[:1]
        if made_up:
            raise AccessError(
                self.env._(
                    "Responses to the satisfaction survey '%s' are evidence: they "
                    "start unanswered and are completed by the respondent.",
                    made_up.survey_id.title,
                )
            )

    def write(self, vals):
        self._crm_check_evidence_values(vals)
        self._crm_check_response_edit()
        return super().write(vals)

    def unlink(self):
        self._crm_check_response_edit()
        return super().unlink()

    @api.model
    def _crm_evidence_fields(self):
        """Figures that ``_crm_store_figures`` writes in SQL when a response
        is completed, and that reports and scorecards read back: nobody
        writes them through the ORM."""
        return {
            "crm_csi",
            "crm_csat",
            "crm_nps",
            "crm_nps_category",
            "crm_ces",
            "crm_lifecycle_stage",
            "crm_result_ids",
        }

    @api.model
    def _crm_check_evidence_values(self, vals):
        written = sorted(self._crm_evidence_fields() & vals.keys())
        if written:
            raise UserError(
                self.env._(
                    "%s: the figures of a response are computed from its answers "
                    "when it is completed, and cannot be written.",
                    ", ".join(
                        self._fields[name]._description_string(self.env)
                        for name in written
                    ),
                )
            )

    def _crm_check_response_edit(self):
        """Responses to satisfaction surveys are evidence: salespeople and
        service users (or any survey officer) neither change nor delete them,
        only satisfaction administrators do."""
        if self.env["survey.survey"]._crm_is_satisfaction_manager():
            return
        # sudo: the survey's flag decides, whatever the caller may read of it
        response = self.sudo().filtered("survey_id.crm_is_satisfaction")[:1]
        if response:
            raise AccessError(
                self.env._(
                    "Responses to the satisfaction survey '%s' are evidence: only "
                    "satisfaction administrators can change or delete them.",
                    response.survey_id.title,
                )
            )

    def _mark_done(self):
        res = super()._mark_done()
        self._crm_store_figures()
        # A completed callback survey is the callback of its service case,
        # when it is the one sent at the case's latest resolve (not one of
        # a resolution undone by a reopen). The respondent (public or
        # portal) cannot write cases.
        done = self.filtered(lambda i: i.state == "done")
        done.sudo().crm_case_id.filtered(
            lambda case: case._current_callback_response() & done
        )._record_callback()
        return res

    def _crm_store_figures(self):
        """Store the figures of completed responses: CSI, CSAT, NPS and CES
        on the response, one ``crm.satisfaction.result`` per dimension. The
        same SQL as the satisfaction analysis; one statement for the batch."""
        done = self.filtered(lambda i: i.state == "done")
        if not done:
            return
        self.env.flush_all()
        ids = SQL("(SELECT unnest(%s::int[]))", done.ids)
        Analysis = self.env["crm.satisfaction.analysis"]
        self.env.execute_query(
            SQL(
                """
                WITH %(ctes)s,
                figures AS (
                    SELECT i.id,
                           r.csi,
                           100.0 * (o.top2)::int AS csat,
                           CASE WHEN n.value >= 9 THEN 100
                                WHEN n.value <= 6 THEN -100
                                WHEN n.value IS NOT NULL THEN 0 END AS nps,
                           CASE WHEN n.value >= 9 THEN 'promoter'
                                WHEN n.value <= 6 THEN 'detractor'
                                WHEN n.value IS NOT NULL THEN 'passive' END
                               AS nps_category,
                           e.ces
                      FROM unnest(%(ids)s::int[]) AS i(id)
                      LEFT JOIN resp r ON r.input_id = i.id
                      LEFT JOIN (SELECT input_id,
                                        avg(value) >= max(scale_max) - 1 AS top2
                                   FROM ans WHERE measure = 'overall'
                               GROUP BY input_id) o ON o.input_id = i.id
                      LEFT JOIN (SELECT input_id, avg(value) AS value
                                   FROM ans WHERE measure = 'recommend'
                               GROUP BY input_id) n ON n.input_id = i.id
                      LEFT JOIN (SELECT input_id, avg(value) AS ces
                                   FROM ans WHERE measure = 'effort'
                               GROUP BY input_id) e ON e.input_id = i.id
                ),
                updated AS (
                    UPDATE survey_user_input u
                       SET crm_csi = f.csi, crm_csat = f.csat, crm_nps = f.nps,
                           crm_nps_category = f.nps_category, crm_ces = f.ces,
                           crm_lifecycle_stage = (
                               SELECT p.lifecycle_stage ->> u.crm_company_id::text
                                 FROM res_partner p
                                WHERE p.id = u.crm_partner_id)
                      FROM figures f
                     WHERE u.id = f.id
                 RETURNING u.id
                ),
                removed AS (
                    DELETE FROM crm_satisfaction_result
                     WHERE user_input_id = ANY(%(ids)s::int[])
                 RETURNING id
                )
                INSERT INTO crm_satisfaction_result (
                    user_input_id, survey_id, partner_id, company_id, user_id,
                    team_id, product_id, date, dimension_id, expectation, perception,
                    importance, ratio, kano_functional, kano_dysfunctional,
                    kano_category, lifecycle_stage,
                    create_uid, create_date, write_uid, write_date)
                SELECT u.id, u.survey_id, u.crm_partner_id, u.crm_company_id,
                       u.crm_user_id, u.crm_team_id, u.crm_product_id,
                       coalesce(u.end_datetime, u.write_date, now())::date,
                       d.dimension_id, d.expectation, d.perception, d.importance,
                       d.ratio, d.kano_functional, d.kano_dysfunctional, d.kano,
                       p.lifecycle_stage ->> u.crm_company_id::text,
                       %(uid)s, now() AT TIME ZONE 'UTC',
                       %(uid)s, now() AT TIME ZONE 'UTC'
                  FROM dim d
                  JOIN survey_user_input u ON u.id = d.input_id
                  LEFT JOIN res_partner p ON p.id = u.crm_partner_id
                """,
                ctes=Analysis._answer_ctes(ids),
                ids=done.ids,
                uid=self.env.uid,
            )
        )
        done.invalidate_recordset(
            [
                "crm_csi",
                "crm_csat",
                "crm_nps",
                "crm_nps_category",
                "crm_ces",
                "crm_lifecycle_stage",
                "crm_has_csi",
                "crm_has_csat",
                "crm_has_nps",
                "crm_has_ces",
            ]
        )
        self.env["crm.satisfaction.result"].invalidate_model()
