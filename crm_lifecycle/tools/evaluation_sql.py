"""The statements of one evaluation (``crm.customer.profile._evaluate``),
built from the pieces of ``lifecycle_sql``: the evaluation itself, whose rows
fill the temporary table ``crm_lifecycle_evaluation``, the customers still to
evaluate, and the writes of the profiles from that table."""

from odoo.tools import SQL

from . import lifecycle_sql, reasons


def evaluation(date, company_ids, partner_ids=None, move_ids=None):
    """Every customer in scope once, with its facts as of ``date``, the first
    rule of DOMAIN §1 it matches, its new stage (a stage held by hand holds)
    and the figures of its reason, and whether its stage or anything stored
    moved.

    In scope: the customers ``partner_ids`` (None: every customer) with
    documents, a profile or a prospect, their documents aggregated; or, with
    ``move_ids``, the customers whose stored facts take one of these
    documents in (see ``lifecycle_sql.document_facts``)."""
    if move_ids:
        facts = lifecycle_sql.document_facts(date, move_ids)
        # they bought: never prospects
        prospects = SQL(
            "SELECT NULL::int AS partner_id, NULL::int AS company_id WHERE FALSE"
        )
        profile_filter = SQL(
            "AND (pr.partner_id, pr.company_id) IN "
            "(SELECT partner_id, company_id FROM fact)"
        )
    else:

        def partner_filter(column):
            if partner_ids is None:
                return SQL()
            return SQL("AND %s = ANY(%s)", column, list(partner_ids))

        facts = lifecycle_sql.aggregated_facts(
            date, lifecycle_sql.source_rows(date, partner_filter)
        )
        prospects = lifecycle_sql.prospect_pairs(partner_filter)
        profile_filter = partner_filter(SQL("pr.partner_id"))
    return SQL(
        """
        WITH crm_company AS (%(settings)s),
        fact AS (%(facts)s),
        prospect AS (%(prospects)s),
        profile AS (
            SELECT pr.*
              FROM crm_customer_profile pr
             WHERE pr.company_id = ANY(%(company_ids)s) %(profile_filter)s
        ),
        measured AS (%(measured)s),
        ruled AS (
            SELECT e.*,
                   %(rule)s AS rule,
                   coalesce(e.locked_until >= %(date)s, FALSE) AS locked
              FROM measured e
        ),
        staged AS (
            SELECT e.*,
                   CASE WHEN e.locked THEN e.old_stage
                        ELSE %(rule_stage)s END AS stage,
                   CASE WHEN e.locked THEN e.old_rule ELSE e.rule END
                       AS stage_rule,
                   CASE WHEN e.locked THEN e.old_figures
                        ELSE %(figures)s END AS reason_figures,
                   CASE WHEN e.locked THEN e.locked_until END AS new_locked_until,
                   CASE WHEN e.locked THEN e.lock_reason END AS new_lock_reason
              FROM ruled e
        )
        SELECT e.*,
               e.stage IS DISTINCT FROM e.old_stage AS stage_moved,
               e.facts_moved OR e.stage IS DISTINCT FROM e.old_stage AS moved
          FROM staged e
        """,
        settings=lifecycle_sql.company_settings(company_ids),
        facts=facts,
        prospects=prospects,
        company_ids=list(company_ids),
        profile_filter=profile_filter,
        measured=lifecycle_sql.measured_customers(date),
        rule=lifecycle_sql.stage_rule(),
        rule_stage=lifecycle_sql.rule_stage(SQL("e.rule")),
        figures=reasons.stored_figures(SQL("e.rule"), SQL("e.locked_until < %s", date)),
        date=date,
    )


def pending_customers(date, company_ids):
    """Commercial partner ids with a customer of ``company_ids`` to evaluate
    as of ``date``: a profile whose facts hold as of another date, or
    documents or a prospect and no profile yet."""
    return SQL(
        """
        WITH crm_company AS (%(settings)s),
        customer AS (
            SELECT d.partner_id, d.company_id FROM (%(sources)s) d
             UNION
            %(prospects)s
        )
        SELECT pr.partner_id
          FROM crm_customer_profile pr
         WHERE pr.company_id = ANY(%(company_ids)s)
           AND pr.facts_date IS DISTINCT FROM %(date)s
         UNION
        SELECT k.partner_id
          FROM customer k
         WHERE NOT EXISTS (
               SELECT 1 FROM crm_customer_profile pr
                WHERE pr.partner_id = k.partner_id
                  AND pr.company_id = k.company_id)
         ORDER BY 1
        """,
        settings=lifecycle_sql.company_settings(company_ids),
        sources=SQL("\nUNION ALL\n").join(
            lifecycle_sql.source_rows(date, lambda _column: SQL())
        ),
        prospects=lifecycle_sql.prospect_pairs(lambda _column: SQL()),
        company_ids=list(company_ids),
        date=date,
    )


def update_profiles(date, uid):
    """The profiles in ``crm_lifecycle_evaluation`` take their facts as of
    ``date`` and their stage."""
    return SQL(
        """
        UPDATE crm_customer_profile pr
           SET first_purchase_date = e.first_date,
               last_purchase_date = e.last_date,
               purchase_count = e.purchase_count,
               purchase_count_12m = e.purchase_count_12m,
               revenue_total = e.revenue_total,
               revenue_12m = e.revenue_12m,
               revenue_prev_12m = e.revenue_prev_12m,
               avg_purchase_interval = e.stored_interval,
               last_return_date = e.last_return_date,
               facts_date = %(date)s,
               lifecycle_stage = e.stage,
               stage_date = CASE WHEN e.stage_moved THEN %(date)s
                                 ELSE pr.stage_date END,
               stage_rule = e.stage_rule,
               stage_reason_figures = e.reason_figures,
               stage_locked_until = e.new_locked_until,
               stage_lock_reason = e.new_lock_reason,
               write_uid = %(uid)s,
               write_date = now() AT TIME ZONE 'UTC'
          FROM crm_lifecycle_evaluation e
         WHERE pr.id = e.profile_id
        """,
        date=date,
        uid=uid,
    )


def insert_profiles(date, uid):
    """Profiles for the customers of ``crm_lifecycle_evaluation`` that have
    none, with the partner's salesperson and the salesperson's team."""
    return SQL(
        """
        INSERT INTO crm_customer_profile (
            partner_id, company_id, user_id, team_id,
            first_purchase_date, last_purchase_date, purchase_count,
            purchase_count_12m, revenue_total, revenue_12m,
            revenue_prev_12m, avg_purchase_interval, last_return_date,
            facts_date, lifecycle_stage, stage_date, stage_rule,
            stage_reason_figures, create_uid, create_date, write_uid, write_date)
        SELECT e.partner_id, e.company_id, p.user_id, u.sale_team_id,
               e.first_date, e.last_date, e.purchase_count,
               e.purchase_count_12m, e.revenue_total, e.revenue_12m,
               e.revenue_prev_12m, e.stored_interval, e.last_return_date,
               %(date)s, e.stage,
               CASE WHEN e.stage IS NOT NULL THEN %(date)s::date END,
               e.stage_rule, e.reason_figures,
               %(uid)s, now() AT TIME ZONE 'UTC',
               %(uid)s, now() AT TIME ZONE 'UTC'
          FROM crm_lifecycle_evaluation e
          JOIN res_partner p ON p.id = e.partner_id
          LEFT JOIN res_users u ON u.id = p.user_id
         WHERE e.profile_id IS NULL
            ON CONFLICT (partner_id, company_id) DO NOTHING
        """,
        date=date,
        uid=uid,
    )
