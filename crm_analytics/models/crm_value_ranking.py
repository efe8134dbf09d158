from odoo import fields, models
from odoo.tools import SQL


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

    def unlink(self):
        # The snapshots of a ranking's date go with it: the snapshot periods
        # starting on that date start at the company's next ranking instead
        # (or go, if they end by then), those ending on it end there (or
        # hold on, without one), so that "the latest snapshot on or before a
        # date" reads rankings that exist. Latest first: a date's next
        # ranking is one that stays.
        Period = self.env["crm.customer.snapshot.period"]
        Period.flush_model()
        for ranking in self.sorted(lambda r: (r.date, r.id), reverse=True):
            next_date = SQL(
                """(SELECT min(r.date) FROM crm_value_ranking r
                     WHERE r.company_id = %s AND r.date > %s)""",
                ranking.company_id.id,
                ranking.date,
            )
            self.env.execute_query(
                SQL(
                    """
                    DELETE FROM crm_customer_snapshot_period
                     WHERE company_id = %(company)s AND date_from = %(date)s
                       AND coalesce(%(next)s, 'infinity'::date)
                           >= coalesce(date_to, 'infinity'::date);
                    UPDATE crm_customer_snapshot_period
                       SET date_from = %(next)s
                     WHERE company_id = %(company)s AND date_from = %(date)s;
                    UPDATE crm_customer_snapshot_period
                       SET date_to = %(next)s
                     WHERE company_id = %(company)s AND date_to = %(date)s
                    """,
                    company=ranking.company_id.id,
                    date=ranking.date,
                    next=next_date,
                )
            )
            super(CrmValueRanking, ranking).unlink()
        Period.invalidate_model()
        return True
