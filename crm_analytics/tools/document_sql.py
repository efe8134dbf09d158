"""SQL pieces over the documents shared by the reports (churn, cohorts,
repurchase, ROI, CLV, profitability) and the value ranking: every purchase
and refund from the lifecycle's source documents, the invoice lines with
their margin, and the service cases and done activities at their cost."""

from odoo.tools import SQL

from odoo.addons.crm_lifecycle.tools import lifecycle_sql

from ..const import CASE_TYPE_COST_FIELDS


def documents(date):
    """Every purchase and refund of the companies of the CTE ``crm_company``
    dated on or before ``date`` (an SQL expression), as one query (see
    ``crm_lifecycle.tools.lifecycle_sql.source_rows``)."""
    return SQL("\nUNION ALL\n").join(
        lifecycle_sql.source_rows(date, lambda _column: SQL())
    )


def document_ctes():
    """CTEs ``crm_company``, ``doc`` (every purchase and refund of every
    company up to today) and ``buyer`` (the months each customer bought)."""
    return SQL(
        """
    crm_company AS (
        SELECT id, crm_churn_days AS churn_days, crm_revenue_source AS source
          FROM res_company
    ),
    doc AS (%s),
    buyer AS (
        SELECT DISTINCT company_id, partner_id,
               date_trunc('month', date)::date AS month
          FROM doc
         WHERE is_purchase
    )
            """,
        documents(SQL("CURRENT_DATE")),
    )


def margin_lines(env, date_after, date_until, partner_filter=None):
    """Invoice lines of posted customer invoices and credit notes dated in
    (``date_after``, ``date_until``] (SQL expressions) of the companies of
    the CTE ``crm_company`` that invoice, of the customers
    ``partner_filter(column)`` keeps (see ``lifecycle_sql.source_rows``;
    None: every customer): (company_id, partner_id, invoice_date, revenue,
    cost_source, cost_margin), revenue in company currency. The cost of the
    goods sold is, in this order (``cost_source``):

    - 'stock': the cost booked on the invoice for the line by stock
      valuation (stock_account's anglo-saxon entries, where installed);
    - 'order': the cost recorded on the sale order lines the line invoices
      (sale_margin's cost, their mean weighted by the quantities ordered);
    - 'cost': the product's cost, converted to the line's unit.

    cost_margin = revenue − that cost, NULL without any (the margin rate
    applies)."""
    # cost of one unit of the product's reference unit in company currency,
    # NULL unless positive
    product_cost = SQL(
        """nullif(greatest((pp.standard_price ->> m.company_id::text)::numeric, 0), 0)
           * product_uom.factor"""
    )
    # stock_account books the cost of the goods an invoice line sells as two
    # 'cogs' lines of opposite balance (stock output, expense) linked to it;
    # looked up per line through the index on the link (an aggregate would
    # read the 'cogs' lines of the whole history)
    stock_cost, stock_join = SQL("NULL::numeric"), SQL()
    if "cogs_origin_id" in env["account.move.line"]._fields:
        stock_cost = SQL("stock_cost.amount * sign(l.quantity)")
        stock_join = SQL(
            """
      LEFT JOIN LATERAL (
          SELECT sum(abs(cogs.balance)) / 2 AS amount
            FROM account_move_line cogs
           WHERE cogs.cogs_origin_id = l.id AND cogs.display_type = 'cogs'
      ) stock_cost ON TRUE"""
        )
    return SQL(
        """
    SELECT m.company_id,
           m.commercial_partner_id AS partner_id,
           m.invoice_date,
           -l.balance AS revenue,
           CASE WHEN %(stock_cost)s IS NOT NULL THEN 'stock'
                WHEN order_cost.unit_cost IS NOT NULL THEN 'order'
                WHEN product_cost.unit_cost IS NOT NULL THEN 'cost'
           END AS cost_source,
           -l.balance
               - CASE WHEN m.move_type = 'out_refund' THEN -1 ELSE 1 END
                 * coalesce(
                     %(stock_cost)s,
                     coalesce(order_cost.unit_cost, product_cost.unit_cost)
                         * l.quantity
                         / coalesce(line_uom.factor, product_uom.factor, 1))
               AS cost_margin
      FROM account_move_line l
      JOIN account_move m ON m.id = l.move_id
      JOIN crm_company c ON c.id = m.company_id AND c.source = 'invoice'
      LEFT JOIN product_product pp ON pp.id = l.product_id
      LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
      LEFT JOIN uom_uom product_uom ON product_uom.id = pt.uom_id
      LEFT JOIN uom_uom line_uom ON line_uom.id = l.product_uom_id
      -- the product's cost read once per line (a JSON value per company)
      CROSS JOIN LATERAL (SELECT %(product_cost)s AS unit_cost) product_cost
      LEFT JOIN (
          -- per unit of the product's reference unit, weighted by the
          -- quantities ordered
          SELECT r.invoice_line_id,
                 sum(sl.purchase_price / so.currency_rate * sl.product_uom_qty)
                     / NULLIF(sum(sl.product_uom_qty / u.factor), 0) AS unit_cost
            FROM sale_order_line_invoice_rel r
            JOIN sale_order_line sl ON sl.id = r.order_line_id
            JOIN sale_order so ON so.id = sl.order_id
            JOIN uom_uom u ON u.id = sl.product_uom
           WHERE sl.purchase_price > 0 AND so.currency_rate > 0
        GROUP BY r.invoice_line_id
      ) order_cost ON order_cost.invoice_line_id = l.id
      %(stock_join)s
     WHERE m.state = 'posted'
       AND m.move_type IN ('out_invoice', 'out_refund')
       AND l.display_type = 'product'
       AND m.invoice_date > %(after)s
       AND m.invoice_date <= %(until)s
       %(filter)s
            """,
        product_cost=product_cost,
        stock_cost=stock_cost,
        stock_join=stock_join,
        after=date_after,
        until=date_until,
        filter=partner_filter(SQL("m.commercial_partner_id"))
        if partner_filter
        else SQL(),
    )


# The records a done activity may belong to: their table, the SQL of their
# customer (alias ``r``, ``rp`` its partner) and of the records that count
# (customer invoices and credit notes, not vendor bills). Activities marked
# done on other records are no customer's cost to serve.
ACTIVITY_RECORDS = {
    "res.partner": ("res_partner", "r.commercial_partner_id", "TRUE"),
    "crm.lead": ("crm_lead", "rp.commercial_partner_id", "TRUE"),
    "sale.order": ("sale_order", "rp.commercial_partner_id", "TRUE"),
    "account.move": (
        "account_move",
        "r.commercial_partner_id",
        "r.move_type IN ('out_invoice', 'out_refund')",
    ),
    "crm.service.case": ("crm_service_case", "r.commercial_partner_id", "TRUE"),
}


def case_cost_columns():
    """SQL: the columns ``cost_<type>`` of a CTE ``crm_company`` over
    ``res_company``, the cost of a service case of each type."""
    return SQL(", ").join(
        SQL("%s::numeric AS %s", SQL.identifier(field), SQL.identifier(f"cost_{t}"))
        for t, field in CASE_TYPE_COST_FIELDS.items()
    )


def case_cost_rows(partner_filter=None, since=None):
    """The service cases of the customers (a lifecycle profile) of the
    companies of the CTE ``crm_company``, each at the cost of its type (the
    CTE's ``case_cost_columns``): (company_id, partner_id, date, cost), the
    date in UTC as the report's months. ``partner_filter``: as for
    ``margin_lines``; ``since`` (an SQL date): recorded on or after it
    only."""
    case_cost = SQL(
        "CASE k.case_type %s END",
        SQL(" ").join(
            SQL("WHEN %s THEN c.%s", case_type, SQL.identifier(f"cost_{case_type}"))
            for case_type in CASE_TYPE_COST_FIELDS
        ),
    )
    return SQL(
        """
    SELECT k.company_id, k.commercial_partner_id AS partner_id,
           k.date_recorded::date AS date, coalesce(%(case_cost)s, 0) AS cost
      FROM crm_service_case k
      JOIN crm_company c ON c.id = k.company_id
      JOIN crm_customer_profile pr
        ON pr.partner_id = k.commercial_partner_id
       AND pr.company_id = k.company_id
     WHERE TRUE %(filter)s %(since)s
        """,
        case_cost=case_cost,
        since=SQL("AND k.date_recorded >= %s", since) if since else SQL(),
        filter=partner_filter(SQL("k.commercial_partner_id"))
        if partner_filter
        else SQL(),
    )


def activity_cost_rows(partner_filter=None, since=None):
    """The activities marked done (from the message Odoo posts then) on the
    customers (a lifecycle profile) of the companies of the CTE
    ``crm_company``, their contacts, opportunities, orders, invoices or
    service cases, each at the cost of its type: (company_id, partner_id,
    date, cost). ``partner_filter`` and ``since``: as for
    ``case_cost_rows``."""
    # per model, from the messages (a few) to their records by id
    done = SQL("\nUNION ALL\n").join(
        SQL(
            """SELECT coalesce(r.company_id, m.record_company_id) AS company_id,
                      %(partner)s AS partner_id, m.mail_activity_type_id,
                      m.date::date AS date
                 FROM mail_message m
                 JOIN %(table)s r ON r.id = m.res_id %(join)s
                WHERE m.model = %(model)s
                  AND m.mail_activity_type_id IS NOT NULL
                  AND %(counts)s %(filter)s %(since)s""",
            model=model,
            table=SQL.identifier(table),
            partner=SQL(partner),
            counts=SQL(counts),
            join=SQL("LEFT JOIN res_partner rp ON rp.id = r.partner_id")
            if partner.startswith("rp.")
            else SQL(),
            filter=partner_filter(SQL(partner)) if partner_filter else SQL(),
            since=SQL("AND m.date >= %s", since) if since else SQL(),
        )
        for model, (table, partner, counts) in ACTIVITY_RECORDS.items()
    )
    return SQL(
        """
    SELECT a.company_id, a.partner_id, a.date,
           coalesce((t.crm_cost ->> a.company_id::text)::numeric, 0) AS cost
      FROM (%(done)s) a
      JOIN crm_company c ON c.id = a.company_id
      JOIN mail_activity_type t ON t.id = a.mail_activity_type_id
      JOIN crm_customer_profile pr
        ON pr.partner_id = a.partner_id AND pr.company_id = a.company_id
        """,
        done=done,
    )
