from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.crm_lifecycle.const import LIFECYCLE_STAGES

from .stored_figures import stored_figures_set

KANO_CATEGORIES = [
    ("A", "Attractive"),
    ("O", "One-dimensional"),
    ("M", "Must-be"),
    ("I", "Indifferent"),
    ("R", "Reverse"),
    ("Q", "Questionable"),
]


class CrmSatisfactionResult(models.Model):
    """One completed response's figures on one dimension, stored at
    completion so that reports group them by customer, dimension,
    salesperson, team, stage and month without recomputing answers."""

    _name = "crm.satisfaction.result"
    _inherit = ["crm.selection.order.mixin"]
    _description = "Satisfaction Result per Dimension"
    _order = "date desc, id desc"
    _rec_name = "dimension_id"

    user_input_id = fields.Many2one(
        "survey.user_input",
        string="Response",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    survey_id = fields.Many2one("survey.survey", readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, index=True
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True, index=True)
    date = fields.Date(readonly=True, index=True)
    lifecycle_stage = fields.Selection(
        LIFECYCLE_STAGES,
        readonly=True,
        help="Stage of the customer when the response was completed.",
    )
    dimension_id = fields.Many2one(
        "crm.satisfaction.dimension", readonly=True, index=True
    )
    expectation = fields.Float(readonly=True, aggregator="avg", digits=(16, 2))
    perception = fields.Float(readonly=True, aggregator="avg", digits=(16, 2))
    importance = fields.Float(readonly=True, aggregator="avg", digits=(16, 2))
    ratio = fields.Float(
        string="Satisfaction C",
        readonly=True,
        aggregator="avg",
        digits=(16, 3),
        help="Perception / expectation: above 1 satisfied, 1 met, below 1 "
        "dissatisfied.",
    )
    kano_functional = fields.Integer(readonly=True, aggregator=False)
    kano_dysfunctional = fields.Integer(readonly=True, aggregator=False)
    kano_category = fields.Selection(KANO_CATEGORIES, readonly=True)
    # A dimension asked in Kano only has no means and no C (and one never
    # asked in Kano no Kano pair): stored NULL, which Odoo reads as 0, so
    # these flags hide them on screen.
    has_expectation = fields.Boolean(compute="_compute_has_figures")
    has_perception = fields.Boolean(compute="_compute_has_figures")
    has_importance = fields.Boolean(compute="_compute_has_figures")
    has_ratio = fields.Boolean(compute="_compute_has_figures")

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"lifecycle_stage"}

    @api.depends("expectation", "perception", "importance", "ratio")
    def _compute_has_figures(self):
        figures = stored_figures_set(
            self, ["expectation", "perception", "importance", "ratio"]
        )
        for result in self:
            (
                result.has_expectation,
                result.has_perception,
                result.has_importance,
                result.has_ratio,
            ) = figures.get(result.id, (False,) * 4)

    # Refused for everyone, by design: the results are written in SQL by
    # their engine only (no super call to make).
    @api.model_create_multi
    def create(self, vals_list):  # pylint: disable=method-required-super
        raise UserError(self._crm_written_by_engine_message())

    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(self._crm_written_by_engine_message())

    @api.model
    def _crm_written_by_engine_message(self):
        """Results are written in SQL by ``survey.user_input``'s
        ``_crm_store_figures`` when a response is completed; the ORM only
        reads and deletes them."""
        return self.env._(
            "Satisfaction results are computed from the answers when a response "
            "is completed, and cannot be written."
        )
