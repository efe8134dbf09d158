from odoo import api, fields, models


class CrmRfmScoresMixin(models.AbstractModel):
    """The R, F and M scores of a record (its ``rfm_recency_score``,
    ``rfm_frequency_score`` and ``rfm_monetary_score``) read together, as
    "R 2 · F 5 · M 5"."""

    _name = "crm.rfm.scores.mixin"
    _description = "RFM Scores Read Together"

    rfm_scores = fields.Char(
        string="RFM",
        compute="_compute_rfm_scores",
        help="Recency, frequency and monetary scores, 1 to 5 each, 5 best. "
        "Empty for a customer without a positive window value.",
    )

    @api.depends("rfm_recency_score", "rfm_frequency_score", "rfm_monetary_score")
    def _compute_rfm_scores(self):
        for record in self:
            r, f, m = (
                record.rfm_recency_score,
                record.rfm_frequency_score,
                record.rfm_monetary_score,
            )
            record.rfm_scores = f"R {r} · F {f} · M {m}" if r and f and m else False
