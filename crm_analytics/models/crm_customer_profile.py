from datetime import timedelta

from psycopg2 import errors as pgerrors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.crm_lifecycle.tools import arguments

from ..const import (
    CHURN_RISK_BANDS,
    FACTS_WINDOW_DAYS,
    SNAPSHOT_COLUMNS,
    VALUE_TIERS,
)
from ..tools import ranking_sql
from ..tools.ranking_sql import as_sql


def risk_band(risk):
    if risk is None:
        return False
    return "high" if risk >= 67 else "medium" if risk >= 34 else "low"


class CrmCustomerProfile(models.Model):
    _name = "crm.customer.profile"
    _inherit = ["crm.customer.profile", "crm.rfm.scores.mixin"]

    rfm_recency_days = fields.Integer(
        string="Days Since Last Purchase",
        compute="_compute_rfm_recency_days",
        help="Recency R: days between the last purchase and today.",
    )
    rfm_frequency = fields.Integer(
        string="Invoices in Window",
        readonly=True,
        help="Frequency F: invoices in the RFM window (default the last 365 days).",
    )
    rfm_revenue = fields.Monetary(
        string="Window Revenue",
        readonly=True,
        help="Untaxed revenue net of credit notes in the RFM window.",
    )
    rfm_monetary = fields.Monetary(
        string="Window Value",
        readonly=True,
        help="Monetary value M: the customer's value over the RFM window by the "
        "company's value basis (revenue, gross margin or contribution). Only "
        "customers with a positive window value are scored.",
    )
    value_basis = fields.Selection(related="company_id.crm_value_basis")
    rfm_recency_score = fields.Integer(
        string="R Score", readonly=True, aggregator="avg", help="1 to 5, 5 best."
    )
    rfm_frequency_score = fields.Integer(
        string="F Score", readonly=True, aggregator="avg", help="1 to 5, 5 best."
    )
    rfm_monetary_score = fields.Integer(
        string="M Score", readonly=True, aggregator="avg", help="1 to 5, 5 best."
    )
    value_tier = fields.Selection(
        VALUE_TIERS,
        readonly=True,
        index=True,
        help="Place on the customer pyramid by window value. Empty: no "
        "positive window value.",
    )
    tier_date = fields.Date(string="In Tier Since", readonly=True)
    potential_date = fields.Date(
        string="Potential Big Customer Since",
        readonly=True,
        help="Date of the full ranking that found the customer's potential "
        "would place it in the VIP or key tier, above its tier; empty when "
        "the last full ranking did not.",
    )
    churn_risk = fields.Integer(
        compute="_compute_churn_risk",
        search="_search_churn_risk",
        help="0-100: days since the last purchase against the customer's own "
        "mean purchase interval (100 at twice the interval, when the customer "
        "turns declining), or against the churn period for a customer with a "
        "single purchase.",
    )
    churn_risk_band = fields.Selection(
        CHURN_RISK_BANDS,
        compute="_compute_churn_risk",
        search="_search_churn_risk_band",
        help="Low below 34, medium below 67, high from 67.",
    )
    share_of_wallet = fields.Float(
        string="Share of Wallet (%)",
        compute="_compute_share_of_wallet",
        digits=(16, 1),
        help="Revenue of the last 12 months against the customer's estimated "
        "yearly potential spend.",
    )
    has_share_of_wallet = fields.Boolean(
        compute="_compute_share_of_wallet",
        help="The customer has a potential spend: without one, the share of "
        "wallet is empty, not 0.",
    )

    @api.model
    def _selection_groups_in_order(self):
        return super()._selection_groups_in_order() | {"value_tier"}

    @api.depends("last_purchase_date")
    def _compute_rfm_recency_days(self):
        today = fields.Date.context_today(self)
        for profile in self:
            last = profile.last_purchase_date
            profile.rfm_recency_days = (today - last).days if last else 0

    # ------------------------------------------------------------
    # RECOMPUTE
    # ------------------------------------------------------------

    def _customers_evaluated(self, date, company_ids, partner_ids):
        """Value tiers from the fresh facts: a full ranking (and snapshots)
        for everyone, a placement by the last ranking's cut-offs for the
        customers whose facts moved."""
        res = super()._customers_evaluated(date, company_ids, partner_ids)
        if partner_ids is None:
            self._rank_values(date, company_ids)
        elif partner_ids:
            self._place_values(date, company_ids, partner_ids)
        return res

    def _rank_values(self, date, company_ids, from_facts=None):
        """Full ranking of every customer of ``company_ids`` as of ``date``:
        RFM scores, tiers, the ranking's cut-offs and the customers'
        snapshots of that date (replacing those of an earlier ranking on the
        same date).

        It runs right after the lifecycle evaluated every customer of these
        companies as of ``date``: where the RFM window is the lifecycle's 12
        months, the window figures are the stored facts (revenue and
        purchases of the last 12 months, last purchase) and no document is
        read again (``from_facts`` None: wherever that holds; False: never).
        """
        self.env.flush_all()
        # settings of the companies ranked, maybe by the cron user: read,
        # not shown
        companies = self.env["res.company"].sudo().browse(company_ids)
        if from_facts is None:
            # every profile of the companies ranked, whatever the caller's rules
            from_facts = all(
                company.crm_rfm_window_days == FACTS_WINDOW_DAYS
                and company.crm_value_basis == "revenue"
                for company in companies
            ) and not self.sudo().search_count(
                [("company_id", "in", companies.ids), ("facts_date", "!=", date)],
                limit=1,
            )
        snapshot_since = self._snapshot_since(date, company_ids)
        cr = self.env.cr
        # Ranking sorts every customer, aggregating sorts documents: room
        # for both in memory (reset below).
        cr.execute("SET LOCAL work_mem = '256MB'; SET LOCAL jit = off")
        rows = self.env.execute_query(
            self._value_statement(
                date,
                company_ids,
                None,
                SQL(
                    "%s%s",
                    ranking_sql.ranked(from_facts=from_facts),
                    self.env["crm.value.ranking"]._ranking_cte(
                        date,
                        by_value=not from_facts
                        and set(companies.mapped("crm_value_basis")) != {"revenue"},
                    ),
                ),
                from_facts=from_facts,
                snapshot_since=snapshot_since,
            )
        )
        cr.execute("SET LOCAL work_mem TO DEFAULT; SET LOCAL jit TO DEFAULT")
        self._after_value_statement(date, rows)
        self._mark_potential_customers(date, company_ids)

    def _mark_potential_customers(self, date, company_ids):
        """After a full ranking: mark the potential big customers of
        ``company_ids`` and fire the playbooks of those found now (not of
        those still potential since an earlier ranking)."""
        rows = self._update_potential_dates(date, company_ids)
        events = [
            {
                "trigger": "potential",
                "value": True,
                "partner_id": partner_id,
                "company_id": company_id,
                "date": date,
                "expected_revenue": float(gap),
            }
            for partner_id, company_id, gap in rows
        ]
        self.env["crm.lifecycle.playbook"]._run_for_events(events)

    def _update_potential_dates(self, date, company_ids):
        """Set the potential date to ``date`` on the profiles of
        ``company_ids`` that the potential big customers report lists and
        that had none, and clear it on those it no longer lists, in one
        statement. Returns (partner, company, revenue gap in the company's
        currency) of the profiles that have just got one."""
        Report = self.env["crm.potential.customer.report"]
        rows = self.env.execute_query(
            SQL(
                """
                WITH %(potential)s,
                found AS (
                    SELECT pr.id, x.revenue - coalesce(pr.rfm_revenue, 0) AS gap
                      FROM potential x
                      JOIN crm_customer_profile pr
                        ON pr.partner_id = x.partner_id
                       AND pr.company_id = x.company_id
                     WHERE %(condition)s
                ),
                cleared AS (
                    UPDATE crm_customer_profile pr
                       SET potential_date = NULL
                     WHERE pr.company_id = ANY(%(company_ids)s)
                       AND pr.potential_date IS NOT NULL
                       AND NOT EXISTS (SELECT FROM found f WHERE f.id = pr.id)
                 RETURNING pr.id
                )
                UPDATE crm_customer_profile pr
                   SET potential_date = %(date)s
                  FROM found f
                 WHERE pr.id = f.id AND pr.potential_date IS NULL
             RETURNING pr.partner_id, pr.company_id, f.gap
                """,
                potential=Report._potential_ctes(list(company_ids)),
                condition=Report._potential_condition(),
                company_ids=list(company_ids),
                date=date,
            )
        )
        self.invalidate_model(["potential_date"])
        return rows

    @api.model
    def _snapshot_since(self, date, company_ids):
        """Whether a full ranking of ``date`` may look for changed snapshots
        among the profiles written since the companies' last ranking only:
        when each company was ranked before, on dates before ``date``, the
        latest date last (a ranking of a past date leaves profiles holding
        that date's values). A profile written neither since then nor by
        this ranking holds the values of its open snapshot period.

        Returns a day before the oldest of those last rankings (a
        transaction that began before it and committed after it, unseen by
        it, stamps its rows with its start), or None."""
        rows = self.env.execute_query(
            SQL(
                """SELECT company_id, max(date), max(write_date),
                          (array_agg(write_date ORDER BY date DESC))[1]
                     FROM crm_value_ranking
                    WHERE company_id = ANY(%s)
                 GROUP BY company_id""",
                list(company_ids),
            )
        )
        if not rows or len(rows) != len(set(company_ids)):
            return None
        if any(
            last_date >= date or latest_written != last_written
            for _company, last_date, latest_written, last_written in rows
        ):
            return None
        return min(row[3] for row in rows) - timedelta(days=1)

    def unlink(self):
        # A ranking looks for changed snapshots among the profiles (see
        # _snapshot_since): the open snapshot period of a customer whose
        # profile goes ends after the company's last ranking.
        if self.ids:
            self.env["crm.customer.snapshot.period"]._end_open_periods(self.ids)
        return super().unlink()

    def _place_values(self, date, company_ids, partner_ids):
        """Place some customers (an invoice was posted) between two full
        rankings, using the cut-offs of each company's last ranking. Where
        the RFM window is the lifecycle's 12 months, their window figures
        are the stored facts the evaluation has just written."""
        # settings of the posting's companies, maybe for a user who may not
        # read them: read, not shown
        companies = self.env["res.company"].sudo().browse(company_ids)
        from_facts = all(
            company.crm_rfm_window_days == FACTS_WINDOW_DAYS
            and company.crm_value_basis == "revenue"
            for company in companies
        )
        rows = self.env.execute_query(
            self._value_statement(
                date,
                company_ids,
                partner_ids,
                ranking_sql.placed(company_ids, from_facts=from_facts),
                from_facts=from_facts,
            )
        )
        self._after_value_statement(date, rows)

    def _after_value_statement(self, date, rows):
        self.invalidate_model()
        self.env["res.partner"].invalidate_model(["value_tier"])
        self.env["crm.customer.snapshot.period"].invalidate_model()
        self.env["crm.value.ranking"].invalidate_model()
        events = [
            {
                "trigger": "tier",
                "value": tier,
                "partner_id": partner_id,
                "company_id": company_id,
                "date": date,
            }
            for partner_id, company_id, tier in rows
        ]
        self.env["crm.lifecycle.playbook"]._run_for_events(events)

    def _value_statement(
        self,
        date,
        company_ids,
        partner_ids,
        valued,
        from_facts=False,
        snapshot_since=None,
    ):
        """Window figures, scores and tiers written onto the profiles whose
        values moved, the partners' tier mirrored, and (full ranking) the
        snapshots of ``date`` (see
        ``crm.customer.snapshot.period._ranking_ctes``). Returns (partner,
        company, tier) of customers who entered a tier.

        ``from_facts``: the window figures are the profiles' stored facts of
        the last 12 months, which hold as of ``date`` (see ``_rank_values``),
        rather than aggregated from the documents.

        ``snapshot_since`` (a full ranking of a date after every earlier
        ranking, see ``_snapshot_since``): only the profiles whose values
        move now or were written since then can have snapshot values that
        differ from their open snapshot period.

        The CTEs that write other tables are their models': the periods'
        (``_ranking_ctes``), the partners' (``res.partner._value_tier_cte``)
        and, in ``valued``, the ranking's (``crm.value.ranking._ranking_cte``).
        """
        full = partner_ids is None
        window_ctes = SQL()
        if not from_facts:
            window_ctes = ranking_sql.window_ctes(
                self.env, date, company_ids, partner_ids
            )
        date = as_sql(date)
        company_ids = as_sql(company_ids)
        profile_filter = (
            SQL() if full else SQL("AND pr.partner_id = ANY(%s)", as_sql(partner_ids))
        )
        # the profile's stored values, to write only those that move
        profile_columns = SQL(
            """pr.id, pr.partner_id, pr.company_id, pr.lifecycle_stage,
               pr.value_tier AS old_tier, pr.rfm_frequency AS old_frequency,
               pr.rfm_revenue AS old_revenue, pr.rfm_monetary AS old_monetary,
               pr.rfm_recency_score AS old_r, pr.rfm_frequency_score AS old_f,
               pr.rfm_monetary_score AS old_m,
               pr.write_date"""
        )
        final_columns = SQL(
            """p.id, p.partner_id, p.company_id, p.lifecycle_stage, p.old_tier,
               p.old_frequency, p.old_revenue, p.old_monetary, p.old_r, p.old_f,
               p.old_m"""
        )
        snapshot_read = snapshot_join = snapshot_write = SQL()
        if full and snapshot_since:
            snapshot_write = self.env["crm.customer.snapshot.period"]._ranking_ctes(
                date, company_ids, since=True
            )[1]
            final_columns = SQL("%s, p.write_date", final_columns)
        elif full:
            # A full ranking also brings the snapshot period holding on the
            # date of each customer (or of a customer without a profile any
            # more), in the same pass over the customers.
            snapshot_read, snapshot_write = self.env[
                "crm.customer.snapshot.period"
            ]._ranking_ctes(date, company_ids)
            final_columns = SQL(
                """coalesce(p.partner_id, cv.partner_id) AS partner_id,
                   coalesce(p.company_id, cv.company_id) AS company_id,
                   p.id, p.lifecycle_stage, p.old_tier, p.old_frequency,
                   p.old_revenue, p.old_monetary, p.old_r, p.old_f, p.old_m,
                   cv.period_id, cv.date_from, cv.date_to, %s""",
                SQL(", ").join(
                    SQL.identifier("cv", f"period_{c}") for c in SNAPSHOT_COLUMNS
                ),
            )
            snapshot_join = SQL(
                """
      FULL JOIN covering cv
        ON cv.partner_id = p.partner_id AND cv.company_id = p.company_id"""
            )
        if from_facts:
            window = SQL(
                """
crm_company AS NOT MATERIALIZED (%(settings)s),
-- read twice (ranking, then writing): two scans cost less than keeping it
profile AS NOT MATERIALIZED (
    SELECT %(profile_columns)s,
           coalesce(pr.purchase_count_12m, 0) AS frequency,
           coalesce(pr.revenue_12m, 0) AS monetary,
           CASE WHEN pr.last_purchase_date > %(date)s::date - %(days)s
                THEN %(date)s::date - pr.last_purchase_date END AS recency_days
      FROM crm_customer_profile pr
     WHERE pr.company_id = ANY(%(company_ids)s) %(profile_filter)s
),
-- only what ranking needs: narrow rows sort and join faster
win AS NOT MATERIALIZED (
    SELECT p.id, p.partner_id, p.company_id, p.frequency,
           p.monetary AS revenue, p.monetary, p.recency_days
      FROM profile p
)""",
                settings=ranking_sql.company_settings(company_ids),
                profile_columns=profile_columns,
                date=date,
                days=FACTS_WINDOW_DAYS,
                company_ids=company_ids,
                profile_filter=profile_filter,
            )
            final = SQL(
                """
    SELECT %(final_columns)s, p.frequency, p.monetary AS revenue, p.monetary,
           v.r_score, v.f_score, v.m_score, v.tier::varchar AS tier
      FROM profile p
      LEFT JOIN valued v ON v.id = p.id%(snapshot_join)s""",
                final_columns=final_columns,
                snapshot_join=snapshot_join,
            )
        else:
            window = SQL(
                """%(window)s,
profile AS (
    SELECT %(profile_columns)s
      FROM crm_customer_profile pr
     WHERE pr.company_id = ANY(%(company_ids)s) %(profile_filter)s
)""",
                window=window_ctes,
                profile_columns=profile_columns,
                company_ids=company_ids,
                profile_filter=profile_filter,
            )
            final = SQL(
                """
    SELECT %(final_columns)s,
           coalesce(w.frequency, 0) AS frequency,
           coalesce(w.revenue, 0) AS revenue,
           coalesce(w.monetary, 0) AS monetary,
           v.r_score, v.f_score, v.m_score,
           v.tier::varchar AS tier
      FROM profile p
      LEFT JOIN win w
        ON w.partner_id = p.partner_id AND w.company_id = p.company_id
      LEFT JOIN valued v
        ON v.partner_id = p.partner_id
       AND v.company_id = p.company_id%(snapshot_join)s""",
                final_columns=final_columns,
                snapshot_join=snapshot_join,
            )
        # Most customers keep their values: only the others are carried on
        # (rows of every customer cost at each step).
        rfm_moved = SQL(
            """(f.old_frequency, f.old_revenue, f.old_monetary, f.old_r, f.old_f,
                f.old_m, f.old_tier)
               IS DISTINCT FROM
               (f.frequency, f.revenue, f.monetary, f.r_score, f.f_score,
                f.m_score, f.tier)"""
        )
        changed = rfm_moved
        if full and snapshot_since:
            changed = SQL("%s OR f.write_date >= %s", rfm_moved, as_sql(snapshot_since))
        elif full:
            changed = SQL(
                """%s
                OR f.id IS NULL
                OR f.period_id IS NULL
                OR ROW(%s) IS DISTINCT FROM ROW(%s)""",
                rfm_moved,
                SQL(", ").join(
                    SQL.identifier("f", f"period_{c}") for c in SNAPSHOT_COLUMNS
                ),
                SQL(", ").join(
                    SQL.identifier("f", c) for c in SNAPSHOT_COLUMNS.values()
                ),
            )
        statement = SQL(
            """
WITH %(window)s,
%(valued)s
%(snapshot_read)s
final AS (
    SELECT f.* FROM (%(final)s
    ) f
     WHERE %(changed)s
),
moved AS (
    SELECT f.*
      FROM final f
     WHERE f.id IS NOT NULL AND %(rfm_moved)s
),
updated AS (
    UPDATE crm_customer_profile pr
       SET rfm_frequency = m.frequency,
           rfm_revenue = m.revenue,
           rfm_monetary = m.monetary,
           rfm_recency_score = m.r_score,
           rfm_frequency_score = m.f_score,
           rfm_monetary_score = m.m_score,
           value_tier = m.tier,
           tier_date = CASE WHEN m.tier IS DISTINCT FROM m.old_tier
                            THEN %(date)s::date ELSE pr.tier_date END,
           write_uid = %(uid)s,
           write_date = now() AT TIME ZONE 'UTC'
      FROM moved m
     WHERE pr.id = m.id
       -- through the primary key: few rows move
       AND pr.id = ANY(ARRAY(SELECT id FROM moved))
 RETURNING pr.id
),
%(snapshot)s
%(partner_tier)s
SELECT m.partner_id, m.company_id, m.tier
  FROM moved m
 WHERE m.tier IS NOT NULL AND m.tier IS DISTINCT FROM m.old_tier
            """,
            window=window,
            valued=valued,
            final=final,
            snapshot_read=snapshot_read,
            snapshot=snapshot_write,
            partner_tier=self.env["res.partner"]._value_tier_cte(),
            changed=changed,
            rfm_moved=rfm_moved,
            date=date,
            uid=self.env.uid,
        )
        return statement

    # ------------------------------------------------------------
    # ANALYSES
    # ------------------------------------------------------------

    @api.model
    def _readable_customers(self, company_ids):
        """SQL subquery: the (company_id, partner_id) pairs of the profiles
        of ``company_ids`` the caller may read (record rules apply), none if
        the caller may not read profiles."""
        if not self.has_access("read"):
            return SQL("(SELECT NULL::int, NULL::int WHERE FALSE)")
        readable = self._search([("company_id", "in", company_ids)])
        return readable.subselect(
            SQL.identifier(readable.table, "company_id"),
            SQL.identifier(readable.table, "partner_id"),
        )

    @api.model
    @api.readonly
    def clv(self, reference_date=None):
        """Customer lifetime value per tier of the current company.

        :return: ``{tier: {'customers', 'retention', 'margin', 'margin_source',
            'basis', 'cost_to_serve', 'clv'}}``, from the top of the pyramid
            down: retention r (None without customers one year before), the
            mean yearly margin per customer, where it comes from (``cost``,
            ``rate``, ``mixed``), what the CLV values (``margin``, or
            ``contribution`` where the company's value basis is contribution)
            and the mean yearly cost to serve taken off the margin then, and
            the mean CLV per customer.

        Among the customers whose profile the caller may read (record rules:
        a salesperson limited to their own documents gets the lifetime value
        of their own customers, with their own retention).
        """
        self.check_access("read")
        date = arguments.to_date(
            self.env, reference_date, arguments.REFERENCE_DATE, required=False
        ) or fields.Date.context_today(self)
        company_ids = self.env.company.ids
        self.env.flush_all()
        rows = self.env.execute_query_dict(
            self.env["crm.clv.report"]._clv_query(
                SQL("%s", date),
                SQL("%s", company_ids),
                self._readable_customers(company_ids),
            )
        )

        def number(value):
            return None if value is None else float(value)

        # from the top of the pyramid down (JSON keeps the keys' order)
        position = {tier: index for index, (tier, _label) in enumerate(VALUE_TIERS)}
        rows.sort(key=lambda row: position.get(row["value_tier"], len(position)))
        return {
            row["value_tier"]: {
                "customers": row["customers"],
                "retention": number(row["retention"]),
                "margin": number(row["margin_avg"]),
                "margin_source": row["margin_source"],
                "basis": row["value_basis"],
                "cost_to_serve": number(row["cost_to_serve_total"] / row["customers"]),
                "clv": number(row["clv"]),
            }
            for row in rows
        }

    # ------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------

    @api.model
    def _cron_rank_values(self):
        """Daily full value ranking, one company per call: the ranking of a
        company is one statement over all its customers. Companies already
        ranked today are skipped, so that a cron run that timed out resumes.
        Customers the lifecycle's cron has not evaluated as of today yet are
        evaluated first."""
        today = fields.Date.context_today(self)
        # The cron ranks every company, whichever the cron user may see.
        companies = self.env["res.company"].sudo().search([], order="id")
        done = (
            self.env["crm.value.ranking"]
            .sudo()
            .search([("date", "=", today), ("company_id", "in", companies.ids)])
        )
        todo = companies - done.company_id
        if todo:
            company = todo[0]
            try:
                self._rank_company(company, today)
                todo -= company
            except (pgerrors.LockNotAvailable, pgerrors.SerializationFailure):
                # a posting holds or has just changed one of its customers
                self.env.ref(
                    "crm_analytics.ir_cron_crm_analytics_rank_values"
                ).sudo()._trigger(fields.Datetime.now() + timedelta(minutes=1))
                self.env["ir.cron"]._notify_progress(
                    done=len(companies) - len(todo), remaining=len(todo)
                )
                return len(todo)
        self.env["ir.cron"]._notify_progress(
            done=len(companies) - len(todo), remaining=len(todo)
        )
        return len(todo)

    # ------------------------------------------------------------
    # CHURN RISK AND SHARE OF WALLET
    # ------------------------------------------------------------

    @api.model
    @api.model
    def _rank_company(self, company, today):
        """Rank every customer of ``company`` as of ``today``, those the
        lifecycle has not evaluated as of today evaluated first. Raises
        ``LockNotAvailable`` or ``SerializationFailure`` (nothing written)
        while a posting holds or has just changed one of its customers."""
        # Every company, whichever companies the user is allowed.
        Profile = (
            self.sudo()
            .with_company(company)
            .with_context(allowed_company_ids=company.ids)
        )
        with self.env.cr.savepoint():
            # postings meanwhile leave their customers to
            # crm.customer.refresh instead of waiting
            self.env["crm.customer.refresh"]._lock_company_customers(company.id)
            pending = Profile._pending_partner_ids(today, company.ids)
            if pending:
                Profile._evaluate(today, company.ids, pending)
            Profile._rank_values(today, company.ids)

    def _churn_risk_sql(self, today):
        """SQL expression of the churn risk of profile ``pr`` joined with its
        company ``c`` (one formula for the field, its search and reports)."""
        return SQL(
            """CASE WHEN pr.last_purchase_date IS NOT NULL
                   -- never bought: no risk (LEAST would turn NULL into 100)
                   THEN LEAST(100, round(CASE
                       WHEN pr.avg_purchase_interval > 0
                           THEN 50.0 * (%(today)s::date - pr.last_purchase_date)
                                / pr.avg_purchase_interval
                       ELSE 100.0 * (%(today)s::date - pr.last_purchase_date)
                            / c.crm_churn_days
                   END))::int
               END""",
            today=today,
        )

    def _churn_risks(self, domain_sql=None):
        """{profile id: risk} for ``self`` (or the profiles ``domain_sql``
        selects), in one query."""
        today = fields.Date.context_today(self)
        self.flush_model(["last_purchase_date", "avg_purchase_interval"])
        where = domain_sql or SQL("pr.id = ANY(%s)", self.ids)
        rows = self.env.execute_query(
            SQL(
                """SELECT pr.id, %s
                     FROM crm_customer_profile pr
                     JOIN res_company c ON c.id = pr.company_id
                    WHERE %s""",
                self._churn_risk_sql(today),
                where,
            )
        )
        return dict(rows)

    def _compute_churn_risk(self):
        risks = self._churn_risks() if self.ids else {}
        for profile in self:
            risk = risks.get(profile.id)
            profile.churn_risk = risk or 0
            profile.churn_risk_band = risk_band(risk)

    def _search_churn_risk(self, operator, value):
        if operator not in ("=", "!=", "<", "<=", ">", ">=") or not isinstance(
            value, int
        ):
            raise UserError(self.env._("Unsupported search on the churn risk."))
        risks = self._churn_risks(SQL("pr.last_purchase_date IS NOT NULL"))
        compare = {
            "=": lambda r: r == value,
            "!=": lambda r: r != value,
            "<": lambda r: r < value,
            "<=": lambda r: r <= value,
            ">": lambda r: r > value,
            ">=": lambda r: r >= value,
        }[operator]
        return [("id", "in", [pid for pid, risk in risks.items() if compare(risk)])]

    def _search_churn_risk_band(self, operator, value):
        """The profiles whose band shown is (not) ``value``; no band (False,
        "is not set"): the customers who never bought."""
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(self.env._("Unsupported search on the churn risk band."))
        bands = set(value) if isinstance(value, (list, tuple)) else {value}
        risks = self._churn_risks(SQL("pr.last_purchase_date IS NOT NULL"))
        ids = [pid for pid, risk in risks.items() if risk_band(risk) in bands]
        domain = [("id", "in", ids)]
        if False in bands:
            domain = ["|", *domain, ("last_purchase_date", "=", False)]
        return domain if operator in ("=", "in") else ["!", *domain]

    @api.depends("revenue_12m", "partner_id")
    @api.depends_context("company")
    def _compute_share_of_wallet(self):
        for profile in self:
            potential = profile.partner_id.with_company(
                profile.company_id
            ).crm_potential_spend
            # without a potential the share is not applicable: empty, not 0
            profile.has_share_of_wallet = bool(potential)
            profile.share_of_wallet = (
                100.0 * profile.revenue_12m / potential if potential else False
            )
