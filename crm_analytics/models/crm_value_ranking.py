from odoo import fields, models


class CrmValueRanking(models.Model):
    """One full value ranking of a company's customers on a date: how many
    customers were ranked, and the cut-offs that place a customer between two
    full rankings (after an invoice is posted)."""

    _name = "crm.value.ranking"
    _description = "Customer Value Ranking"
    _order = "date desc, id desc"
    _rec_name = "date"

    date = fields.Date(required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    tier_mode = fields.Selection(
        [("share", "Share of customers"), ("thresholds", "Revenue thresholds")],
        readonly=True,
    )
    customer_count = fields.Integer(
        string="Ranked Customers",
        readonly=True,
        help="Customers with a positive window revenue.",
    )
    revenue_total = fields.Monetary(string="Window Revenue", readonly=True)
    vip_cutoff = fields.Monetary(
        string="VIP From",
        readonly=True,
        help="Smallest window revenue of a VIP customer in this ranking.",
    )
    key_cutoff = fields.Monetary(string="Key From", readonly=True)
    ordinary_cutoff = fields.Monetary(string="Ordinary From", readonly=True)
    score_cutoffs = fields.Json(
        readonly=True,
        help="Per measure (recency, frequency, monetary), for the scores 2 to 5: "
        "the best value among the customers scored lower (days since the last "
        "purchase: the fewest). A customer placed between two rankings gets "
        "score s when it does strictly better than that value.",
    )

    _sql_constraints = [
        (
            "company_date_uniq",
            "unique(company_id, date)",
            "A company has one value ranking per date.",
        ),
    ]
