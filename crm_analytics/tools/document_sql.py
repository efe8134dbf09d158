"""SQL pieces over the documents shared by the reports (churn, cohorts,
repurchase, ROI, CLV): every purchase and refund from the lifecycle's
source documents, and the invoice lines with their margin."""

from odoo.tools import SQL

from odoo.addons.crm_lifecycle.tools import lifecycle_sql


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


def margin_lines(date_after, date_until):
    """Invoice lines of posted customer invoices and credit notes dated in
    (``date_after``, ``date_until``] (SQL expressions) of the companies of
    the CTE ``crm_company`` that invoice: (company_id, partner_id,
    invoice_date, revenue, cost_source, cost_margin), revenue in company
    currency. The cost of the goods sold is the one recorded on the sale
    order lines the line invoices (sale_margin's cost, their mean weighted
    by the quantities ordered if several; ``cost_source`` 'order'), else the
    product's cost ('cost'), converted to the line's unit; cost_margin =
    revenue − that cost, NULL without either (the margin rate applies)."""
    # cost of one unit of the product's reference unit in company currency,
    # NULL unless positive
    product_cost = SQL(
        """nullif(greatest((pp.standard_price ->> m.company_id::text)::numeric, 0), 0)
           * product_uom.factor"""
    )
    return SQL(
        """
    SELECT m.company_id,
           m.commercial_partner_id AS partner_id,
           m.invoice_date,
           -l.balance AS revenue,
           CASE WHEN order_cost.unit_cost IS NOT NULL THEN 'order'
                WHEN product_cost.unit_cost IS NOT NULL THEN 'cost'
           END AS cost_source,
           -l.balance
               - CASE WHEN m.move_type = 'out_refund' THEN -1 ELSE 1 END
                 * coalesce(order_cost.unit_cost, product_cost.unit_cost)
                 * l.quantity / coalesce(line_uom.factor, product_uom.factor, 1)
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
     WHERE m.state = 'posted'
       AND m.move_type IN ('out_invoice', 'out_refund')
       AND l.display_type = 'product'
       AND m.invoice_date > %(after)s
       AND m.invoice_date <= %(until)s
            """,
        product_cost=product_cost,
        after=date_after,
        until=date_until,
    )
