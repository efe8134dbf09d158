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
    invoice_date, revenue, cost_margin), revenue in company currency,
    cost_margin = revenue − quantity × the product's cost where the cost is
    known (NULL otherwise: the margin rate applies)."""
    return SQL(
        """
    SELECT m.company_id,
           m.commercial_partner_id AS partner_id,
           m.invoice_date,
           -l.balance AS revenue,
           CASE WHEN (pp.standard_price ->> m.company_id::text)::numeric > 0
                THEN -l.balance
                     - CASE WHEN m.move_type = 'out_refund' THEN -1 ELSE 1 END
                       * l.quantity
                       * (pp.standard_price ->> m.company_id::text)::numeric
           END AS cost_margin
      FROM account_move_line l
      JOIN account_move m ON m.id = l.move_id
      JOIN crm_company c ON c.id = m.company_id AND c.source = 'invoice'
      LEFT JOIN product_product pp ON pp.id = l.product_id
     WHERE m.state = 'posted'
       AND m.move_type IN ('out_invoice', 'out_refund')
       AND l.display_type = 'product'
       AND m.invoice_date > %(after)s
       AND m.invoice_date <= %(until)s
            """,
        after=date_after,
        until=date_until,
    )
