from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_lifecycle.const import LIFECYCLE_STAGES

from ..models.crm_customer_profile import VALUE_TIERS


class CrmSatisfactionTrapReport(models.Model):
    """The satisfaction trap (客户满意陷阱): customers (one row per profile,
    its id) whose latest response is satisfied (CSI of at least 1, or
    overall satisfaction in the top two points) yet who are declining or
    churned. Revenue is in the current company's currency."""

    _name = "crm.satisfaction.trap.report"
    _inherit = ["crm.selection.order.mixin"]
    _description = "Satisfaction Trap"
    _auto = False
    _rec_name = "partner_id"
    _order = "revenue_12m desc"
    _depends = {
        "crm.customer.profile": [
            "partner_id", "company_id", "user_id", "team_id", "lifecycle_stage",
            "value_tier", "revenue_12m", "last_purchase_date",
        ],
        "survey.user_input": [
            "state", "crm_partner_id", "crm_company_id", "crm_csi", "crm_csat",
            "end_datetime",
        ],
        # the currency table
        "res.company": ["currency_id"],
        "res.currency.rate": ["currency_id", "company_id", "name", "rate"],
    }  # fmt: skip

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    lifecycle_stage = fields.Selection(LIFECYCLE_STAGES, readonly=True)
    value_tier = fields.Selection(VALUE_TIERS, readonly=True)
    revenue_12m = fields.Monetary(string="Revenue, Last 12 Months", readonly=True)
    last_purchase_date = fields.Date(readonly=True)
    latest_csi = fields.Float(
        string="Latest CSI",
        digits=(16, 3),
        readonly=True,
        aggregator="avg",
        help="The customer's latest CSI; over several customers, their mean "
        "(a sum of indices means nothing).",
    )
    latest_top_two = fields.Boolean(string="Latest Overall in Top Two", readonly=True)
    last_response = fields.Datetime(readonly=True)

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"lifecycle_stage", "value_tier"}

    @api.depends_context("allowed_company_ids")
    def _compute_currency_id(self):
        self.currency_id = self.env.company.currency_id

    @property
    def _table_query(self):
        return self._query()

    @api.model
    def _query(self):
        return SQL(
            "WITH %s %s %s %s",
            self._with(),
            self._select(),
            self._from(),
            self._where(),
        )

    @api.model
    def _with(self):
        """CTEs ``latest_csi`` and ``latest_overall``: per customer and
        company, the latest completed response with a CSI, with an overall
        satisfaction."""

        def latest(column, alias):
            return SQL(
                """
                SELECT DISTINCT ON (i.crm_company_id, i.crm_partner_id)
                       i.crm_company_id AS company_id,
                       i.crm_partner_id AS partner_id,
                       %(column)s AS %(alias)s, i.end_datetime
                  FROM survey_user_input i
                 WHERE i.state = 'done' AND %(column)s IS NOT NULL
                   AND i.crm_partner_id IS NOT NULL
              ORDER BY i.crm_company_id, i.crm_partner_id,
                       i.end_datetime DESC NULLS LAST, i.id DESC
                """,
                column=SQL.identifier("i", column),
                alias=SQL.identifier(alias),
            )

        return SQL(
            "latest_csi AS (%s), latest_overall AS (%s)",
            latest("crm_csi", "csi"),
            latest("crm_csat", "csat"),
        )

    @api.model
    def _select(self):
        return SQL(
            """
            SELECT pr.id, pr.partner_id, pr.company_id, pr.user_id, pr.team_id,
                   pr.lifecycle_stage, pr.value_tier,
                   pr.revenue_12m * account_currency_table.rate AS revenue_12m,
                   pr.last_purchase_date,
                   lc.csi AS latest_csi,
                   coalesce(lo.csat = 100, FALSE) AS latest_top_two,
                   greatest(lc.end_datetime, lo.end_datetime) AS last_response
            """
        )

    @api.model
    def _from(self):
        return SQL(
            """
            FROM crm_customer_profile pr
            JOIN %(currency_table)s
              ON account_currency_table.company_id = pr.company_id
            LEFT JOIN latest_csi lc
              ON lc.company_id = pr.company_id AND lc.partner_id = pr.partner_id
            LEFT JOIN latest_overall lo
              ON lo.company_id = pr.company_id AND lo.partner_id = pr.partner_id
            """,
            currency_table=self.env["res.currency"]._get_simple_currency_table(
                self.env.companies
            ),
        )

    @api.model
    def _where(self):
        return SQL(
            """
            WHERE pr.lifecycle_stage IN ('declining', 'churned')
              AND (lc.csi >= 1 OR lo.csat = 100)
            """
        )
