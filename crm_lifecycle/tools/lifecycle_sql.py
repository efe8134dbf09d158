"""SQL pieces of the customer evaluation (DOMAIN §0-1), each one concept.

They are composed by ``crm.customer.profile._evaluate``. Pieces that read
source documents join the CTE ``crm_company`` of ``company_settings``."""

from odoo.tools import SQL

from ..const import STAGE_RULES

# The facts of DOMAIN §0, in the order the pieces return them.
FACT_COLUMNS = (
    "first_date",
    "last_date",
    "purchase_count",
    "purchase_count_12m",
    "revenue_total",
    "revenue_12m",
    "revenue_prev_12m",
    "last_return_date",
)


def company_settings(company_ids):
    """CTE body ``crm_company``: the lifecycle settings of ``company_ids``."""
    return SQL(
        """
        SELECT id,
               crm_churn_days AS churn_days,
               crm_winback_days AS winback_days,
               crm_new_days AS new_days,
               crm_growth_rate::numeric AS growth,
               crm_revenue_source AS source
          FROM res_company
         WHERE id = ANY(%s)
        """,
        list(company_ids),
    )


def source_rows(date, partner_filter):
    """Every purchase and refund dated on or before ``date`` as rows
    (partner_id, company_id, date, is_purchase, amount, churn_days), in
    company currency: posted invoices and credit notes of the companies whose
    revenue source is invoices, confirmed sale orders of the others.
    ``partner_filter(column)`` returns the SQL condition (``AND …``) on the
    commercial partner, or an empty SQL. Returns one query per source."""
    invoices = SQL(
        """
        SELECT m.commercial_partner_id AS partner_id,
               m.company_id,
               m.invoice_date AS date,
               m.move_type = 'out_invoice' AS is_purchase,
               m.amount_untaxed_signed AS amount,
               c.churn_days
          FROM account_move m
          JOIN crm_company c ON c.id = m.company_id AND c.source = 'invoice'
         WHERE m.state = 'posted'
           AND m.move_type IN ('out_invoice', 'out_refund')
           AND m.invoice_date <= %(date)s
           %(filter)s
        """,
        date=date,
        filter=partner_filter(SQL("m.commercial_partner_id")),
    )
    orders = SQL(
        """
        SELECT p.commercial_partner_id AS partner_id,
               so.company_id,
               so.date_order::date AS date,
               TRUE AS is_purchase,
               (so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1))::numeric
                   AS amount,
               c.churn_days
          FROM sale_order so
          JOIN res_partner p ON p.id = so.partner_id
          JOIN crm_company c ON c.id = so.company_id AND c.source = 'sale_order'
         WHERE so.state = 'sale'
           AND so.date_order::date <= %(date)s
           %(filter)s
        """,
        date=date,
        filter=partner_filter(SQL("p.commercial_partner_id")),
    )
    return [invoices, orders]


def aggregated_facts(date, rows):
    """The facts of DOMAIN §0 per (partner_id, company_id) over the source
    ``rows`` (see ``source_rows``). The gap before each purchase is the days
    since the latest earlier purchase, so that one sort order (customer,
    date) serves the window and the aggregate."""
    return SQL(
        """
        SELECT o.partner_id,
               o.company_id,
               min(o.date) FILTER (WHERE o.is_purchase) AS first_date,
               max(o.date) FILTER (WHERE o.is_purchase) AS last_date,
               count(*) FILTER (WHERE o.is_purchase)::int AS purchase_count,
               (count(*) FILTER (
                   WHERE o.is_purchase AND o.date > %(date)s::date - 365))::int
                   AS purchase_count_12m,
               sum(o.amount) AS revenue_total,
               coalesce(sum(o.amount) FILTER (
                   WHERE o.date > %(date)s::date - 365), 0) AS revenue_12m,
               coalesce(sum(o.amount) FILTER (
                   WHERE o.date > %(date)s::date - 730
                     AND o.date <= %(date)s::date - 365), 0) AS revenue_prev_12m,
               max(o.date) FILTER (WHERE o.gap > o.churn_days) AS last_return_date
          FROM (
            SELECT d.*,
                   CASE WHEN d.is_purchase THEN d.date - max(d.date) FILTER (
                       WHERE d.is_purchase) OVER (
                       PARTITION BY d.partner_id, d.company_id
                       ORDER BY d.date
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                   END AS gap
              FROM (%(rows)s) d
          ) o
      GROUP BY o.partner_id, o.company_id
        """,
        date=date,
        rows=SQL("\nUNION ALL\n").join(rows),
    )


def document_facts(date, move_ids):
    """The facts of DOMAIN §0, as ``aggregated_facts`` returns them, of the
    customers of the posted documents ``move_ids`` (at most one per
    customer) whose stored facts can take the document in: the profile's
    facts hold as of ``date`` (``facts_date``) and the document is a credit
    note, or an invoice dated on or after the last purchase (an earlier one
    would change the gaps between purchases)."""
    return SQL(
        """
        SELECT pr.partner_id,
               pr.company_id,
               CASE WHEN d.is_purchase
                    THEN coalesce(pr.first_purchase_date, d.date)
                    ELSE pr.first_purchase_date END AS first_date,
               CASE WHEN d.is_purchase THEN d.date
                    ELSE pr.last_purchase_date END AS last_date,
               pr.purchase_count + d.is_purchase::int AS purchase_count,
               pr.purchase_count_12m
                   + (d.is_purchase AND d.date > %(date)s::date - 365)::int
                   AS purchase_count_12m,
               pr.revenue_total + d.amount AS revenue_total,
               pr.revenue_12m + CASE WHEN d.date > %(date)s::date - 365
                                     THEN d.amount ELSE 0 END AS revenue_12m,
               pr.revenue_prev_12m
                   + CASE WHEN d.date > %(date)s::date - 730
                           AND d.date <= %(date)s::date - 365
                          THEN d.amount ELSE 0 END AS revenue_prev_12m,
               -- a purchase after a gap longer than the churn period is a
               -- return, and the latest one
               CASE WHEN d.is_purchase AND d.date - pr.last_purchase_date > c.churn_days
                    THEN d.date ELSE pr.last_return_date END AS last_return_date
          FROM (
            SELECT m.commercial_partner_id AS partner_id,
                   m.company_id,
                   m.invoice_date AS date,
                   m.move_type = 'out_invoice' AS is_purchase,
                   m.amount_untaxed_signed AS amount
              FROM account_move m
             WHERE m.id = ANY(%(move_ids)s)
               AND m.state = 'posted'
               AND m.move_type IN ('out_invoice', 'out_refund')
               AND m.invoice_date <= %(date)s::date
          ) d
          JOIN crm_company c ON c.id = d.company_id AND c.source = 'invoice'
          JOIN crm_customer_profile pr
            ON pr.partner_id = d.partner_id AND pr.company_id = d.company_id
         WHERE pr.facts_date = %(date)s::date
           AND (pr.purchase_count > 0 OR d.is_purchase)
           AND (NOT d.is_purchase
                OR pr.last_purchase_date IS NULL
                OR d.date >= pr.last_purchase_date)
        """,
        date=date,
        move_ids=list(move_ids),
    )


def prospect_pairs(partner_filter):
    """(partner_id, company_id) of the customers that are prospects if they
    never bought (rule 1): an open opportunity, or a commercial partner
    flagged as a customer (``customer_rank``), in the companies of
    ``crm_company``."""
    return SQL(
        """
        SELECT p.commercial_partner_id AS partner_id, c.id AS company_id
          FROM crm_lead l
          JOIN res_partner p ON p.id = l.partner_id
          JOIN crm_company c ON c.id = l.company_id OR l.company_id IS NULL
          LEFT JOIN crm_stage st ON st.id = l.stage_id
         WHERE l.type = 'opportunity' AND l.active
           AND NOT coalesce(st.is_won, FALSE)
           %(lead_filter)s
        UNION
        SELECT p.id, c.id
          FROM res_partner p
          JOIN crm_company c ON c.id = p.company_id OR p.company_id IS NULL
         WHERE p.customer_rank > 0 AND p.active
           AND p.id = p.commercial_partner_id
           %(partner_filter)s
        """,
        lead_filter=partner_filter(SQL("p.commercial_partner_id")),
        partner_filter=partner_filter(SQL("p.id")),
    )


def stage_rule():
    """SQL ``CASE``: the key of the first rule of ``STAGE_RULES`` that
    customer ``e`` matches."""
    return SQL(
        "CASE %s END",
        SQL(" ").join(
            SQL("WHEN %s THEN %s", SQL(condition), key)
            for key, _stage, condition in STAGE_RULES
        ),
    )


def rule_stage(rule):
    """SQL ``CASE``: the stage of the rule key in SQL expression ``rule``."""
    return SQL(
        "CASE %s %s END",
        rule,
        SQL(" ").join(
            SQL("WHEN %s THEN %s", key, stage)
            for key, stage, _condition in STAGE_RULES
            if stage
        ),
    )


# A profile's stored facts and the expressions of ``measured_customers``
# over the facts ``f`` that give them.
STORED_FACTS = [
    ("first_purchase_date", "first_date", "f.first_date"),
    ("last_purchase_date", "last_date", "f.last_date"),
    ("purchase_count", "purchase_count", "coalesce(f.purchase_count, 0)::int"),
    (
        "purchase_count_12m",
        "purchase_count_12m",
        "coalesce(f.purchase_count_12m, 0)::int",
    ),
    ("revenue_total", "revenue_total", "coalesce(f.revenue_total, 0)"),
    ("revenue_12m", "revenue_12m", "coalesce(f.revenue_12m, 0)"),
    ("revenue_prev_12m", "revenue_prev_12m", "coalesce(f.revenue_prev_12m, 0)"),
    ("avg_purchase_interval", "stored_interval", "round(%(interval)s, 1)"),
    ("last_return_date", "last_return_date", "f.last_return_date"),
]
# The mean days between consecutive purchases (empty under two purchases).
INTERVAL = (
    "CASE WHEN f.purchase_count >= 2 "
    "THEN (f.last_date - f.first_date)::numeric / (f.purchase_count - 1) END"
)
# Fields of crm.customer.profile that an evaluation writes.
PROFILE_FIELDS = [
    *(column for column, _name, _expression in STORED_FACTS),
    "facts_date",
    "lifecycle_stage",
    "stage_date",
    "stage_rule",
    "stage_reason_figures",
    "stage_locked_until",
    "stage_lock_reason",
]


def _fact_expression(expression):
    return SQL(expression % {"interval": INTERVAL})  # constants of this module


def measured_customers(date):
    """Every customer in scope once: the CTEs ``fact`` (new facts),
    ``profile`` (stored profiles) and ``prospect`` joined, with the
    figures the rules read (see ``STAGE_RULES``), the company's settings,
    the stored stage and whether the stored facts moved."""
    return SQL(
        """
        SELECT partner_id,
               company_id,
               %(facts)s,
               %(interval)s AS avg_interval,
               %(date)s::date - f.last_date AS days_since_last,
               %(date)s::date - f.first_date AS days_since_first,
               %(date)s::date - f.last_return_date AS days_since_return,
               x.partner_id IS NOT NULL AS is_prospect,
               c.churn_days, c.winback_days, c.new_days, c.growth,
               pr.id AS profile_id,
               pr.lifecycle_stage AS old_stage,
               pr.stage_rule AS old_rule,
               pr.stage_reason_figures AS old_figures,
               pr.stage_locked_until AS locked_until,
               pr.stage_lock_reason AS lock_reason,
               pr.id IS NULL OR ROW(%(stored)s) IS DISTINCT FROM ROW(%(new)s)
                   AS facts_moved
          FROM fact f
          FULL JOIN profile pr USING (partner_id, company_id)
          FULL JOIN prospect x USING (partner_id, company_id)
          JOIN crm_company c ON c.id = company_id
        """,
        facts=SQL(", ").join(
            SQL("%s AS %s", _fact_expression(expression), SQL.identifier(name))
            for _column, name, expression in STORED_FACTS
        ),
        interval=SQL(INTERVAL),
        date=date,
        stored=SQL(", ").join(
            SQL.identifier("pr", column) for column, _name, _expr in STORED_FACTS
        ),
        new=SQL(", ").join(
            _fact_expression(expression) for _column, _name, expression in STORED_FACTS
        ),
    )
