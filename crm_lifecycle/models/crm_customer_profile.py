from collections import Counter

from psycopg2 import errors as pgerrors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, mute_logger
from odoo.tools.sql import index_exists

from ..const import (
    CRON_BATCH_SIZE,
    LIFECYCLE_STAGES,
    MANY_CUSTOMERS,
    OVERRIDE_EXPIRED,
    REASONS,
    RULE_LABELS,
    WORK_MEM,
)
from ..tools import arguments, lifecycle_sql


class CrmCustomerProfile(models.Model):
    _name = "crm.customer.profile"
    _description = "Customer Lifecycle Profile"
    _order = "revenue_12m desc, id"
    _rec_name = "partner_id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    # Copied from the partner by the recompute (and kept in sync by the ORM) so
    # that profiles can be grouped and filtered per salesperson and team.
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        related="partner_id.user_id",
        store=True,
        index=True,
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        related="partner_id.user_id.sale_team_id",
        store=True,
        index=True,
    )

    first_purchase_date = fields.Date(readonly=True)
    last_purchase_date = fields.Date(readonly=True)
    purchase_count = fields.Integer(string="Purchases", readonly=True)
    purchase_count_12m = fields.Integer(
        string="Purchases, Last 12 Months", readonly=True
    )
    revenue_total = fields.Monetary(string="Revenue", readonly=True)
    revenue_12m = fields.Monetary(string="Revenue, Last 12 Months", readonly=True)
    revenue_prev_12m = fields.Monetary(
        string="Revenue, Previous 12 Months", readonly=True
    )
    avg_purchase_interval = fields.Float(
        string="Mean Purchase Interval (days)",
        digits=(16, 1),
        readonly=True,
        aggregator="avg",
    )
    last_return_date = fields.Date(
        string="Last Return",
        readonly=True,
        help="First purchase after a gap longer than the churn period.",
    )
    facts_date = fields.Date(
        string="Facts As Of",
        readonly=True,
        help="Reference date of the last evaluation of this customer: its "
        "facts hold as of this date.",
    )

    lifecycle_stage = fields.Selection(LIFECYCLE_STAGES, readonly=True, index=True)
    stage_date = fields.Date(string="In Stage Since", readonly=True)
    stage_rule = fields.Selection(RULE_LABELS, readonly=True)
    stage_reason = fields.Text(readonly=True)
    stage_locked_until = fields.Date(
        string="Stage Held Until",
        readonly=True,
        help="A stage set by hand holds through recomputes until this date.",
    )
    stage_lock_reason = fields.Text(string="Override Reason", readonly=True)
    history_ids = fields.One2many(
        "crm.lifecycle.history", "profile_id", string="Stage History"
    )

    _sql_constraints = [
        (
            "partner_company_uniq",
            "unique(partner_id, company_id)",
            "A customer has one lifecycle profile per company.",
        ),
    ]

    def init(self):
        # Odoo has no index on account_move.commercial_partner_id: without this
        # partial index, refreshing one customer after posting an invoice scans
        # the whole table.
        # It also carries the type and amount, so that one customer's
        # documents are read from the index alone (a customer with 20k
        # invoices: 13 ms instead of 60 ms per refresh).
        if not index_exists(self.env.cr, "account_move_crm_lifecycle_customer_index"):
            self.env.cr.execute(
                SQL(
                    """
                    CREATE INDEX account_move_crm_lifecycle_customer_index
                        ON account_move (commercial_partner_id, company_id,
                                         invoice_date)
                           INCLUDE (move_type, amount_untaxed_signed)
                     WHERE state = 'posted'
                       AND move_type IN ('out_invoice', 'out_refund')
                    """
                )
            )

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    @api.model
    @api.returns("self")
    def recompute(self, reference_date=None, partners=None):
        """Evaluate facts and stages as of ``reference_date`` (default today).

        Users evaluate as of today only: customers they may read, or every
        customer for lifecycle administrators. Other dates are for the
        system (data files, scripts, tests) and Settings administrators.

        :param partners: ``res.partner`` records or their ids (contacts are
            mapped to their commercial partner), or None for every customer
            of ``env.companies``.
        :return: the profiles of those customers in ``env.companies`` (their
            ids over RPC).
        """
        today = fields.Date.context_today(self)
        date = (
            arguments.to_date(
                self.env, reference_date, arguments.REFERENCE_DATE, required=False
            )
            or today
        )
        if partners is not None:
            # over RPC: a list of partner ids
            partners = arguments.to_records(
                self.env, "res.partner", partners, arguments.CUSTOMERS
            )
        if not self.env.is_system():
            self._check_may_evaluate(date, today, partners)
        partner_ids = None
        if partners is not None:
            partner_ids = sorted(set(partners.commercial_partner_id.ids))
            if not partner_ids:
                return self.browse()
        companies = self.env.companies
        self.sudo()._evaluate(date, companies.ids, partner_ids)
        domain = [("company_id", "in", companies.ids)]
        if partner_ids is not None:
            domain.append(("partner_id", "in", partner_ids))
        return self.search(domain, order="id")

    @api.model
    def _check_may_evaluate(self, date, today, partners):
        """Refuse an evaluation the user may not ask for (see ``recompute``)."""
        user = self.env.user
        if not (
            user.has_group("crm_lifecycle.group_lifecycle_user")
            or user.has_group("account.group_account_invoice")
        ):
            raise AccessError(
                self.env._("You are not allowed to recompute customer lifecycles.")
            )
        if date != today:
            raise UserError(
                self.env._(
                    "Customers are evaluated as of today; only administrators "
                    "evaluate them as of another date."
                )
            )
        if partners is None:
            if not user.has_group("crm_lifecycle.group_lifecycle_manager"):
                raise AccessError(
                    self.env._(
                        "Only lifecycle administrators evaluate every customer at once."
                    )
                )
        else:
            partners.check_access("read")

    def set_stage(self, stage, reason, until=None):
        """Set the stage by hand; it holds through recomputes until ``until``."""
        if not self.env.user.has_group("crm_lifecycle.group_lifecycle_manager"):
            raise AccessError(
                self.env._("Only lifecycle managers can set a customer's stage.")
            )
        if not isinstance(stage, str) or stage not in dict(LIFECYCLE_STAGES):
            raise UserError(self.env._("Unknown lifecycle stage: %s", stage))
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(self.env._("Give a reason for setting the stage by hand."))
        until = arguments.to_date(self.env, until, arguments.UNTIL, required=False)
        today = fields.Date.context_today(self)
        if until and until < today:
            raise UserError(
                self.env._("The override must hold until today or a later date.")
            )
        self.check_access("read")
        history_vals = []
        for profile in self:
            history_vals.append(
                {
                    "profile_id": profile.id,
                    "partner_id": profile.partner_id.id,
                    "company_id": profile.company_id.id,
                    "stage_from": profile.lifecycle_stage,
                    "stage_to": stage,
                    "date": today,
                    "rule": "manual",
                    "reason": reason,
                    "is_manual": True,
                    "locked_until": until or today,
                    "user_id": self.env.user.id,
                }
            )
        changed = self.filtered(lambda p: p.lifecycle_stage != stage)
        # Profiles and history are system-maintained (no write access for
        # anyone through the UI): the manager right was checked above.
        self.sudo().write(
            {
                "stage_locked_until": until or today,
                "stage_lock_reason": reason,
                "stage_rule": "manual",
                "stage_reason": reason,
            }
        )
        changed.sudo().write({"lifecycle_stage": stage, "stage_date": today})
        histories = self.env["crm.lifecycle.history"].sudo().create(history_vals)
        self._sync_partner_stages(
            [(p.partner_id.id, p.company_id.id, stage) for p in changed]
        )
        self.env["crm.lifecycle.playbook"]._run_for_histories(
            histories.filtered(lambda h: h.stage_from != h.stage_to)
        )
        return True

    def action_open_stage_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Set Lifecycle Stage"),
            "res_model": "crm.lifecycle.stage.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_profile_ids": self.ids},
        }

    def action_recompute(self):
        partners = self.partner_id
        self.with_company(self.company_id[:1] or self.env.company).recompute(
            partners=partners
        )
        return True

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [
            ("commercial_partner_id", "=", self.partner_id.id),
            ("company_id", "=", self.company_id.id),
            ("move_type", "in", ("out_invoice", "out_refund")),
        ]
        action["context"] = {"default_move_type": "out_invoice"}
        return action

    # ------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------

    @api.model
    def _cron_recompute(self, batch_size=CRON_BATCH_SIZE):
        """Evaluate every customer of every company as of today, for the
        passage of time, one batch of commercial partners per call. The
        progress is on the profiles: a customer whose facts do not hold as of
        today is still to do (see ``_pending_partner_ids``)."""
        today = fields.Date.context_today(self)
        # every company, whichever companies the cron user is allowed
        company_ids = self.env["res.company"].sudo().search([]).ids
        pending = self._pending_partner_ids(today, company_ids)
        batch = pending[:batch_size]
        if batch:
            evaluated = self._evaluate_unlocked(today, company_ids, batch)
            # customers being evaluated elsewhere: evaluated again once free
            self.env["crm.customer.refresh"]._add(
                set(batch) - set(evaluated), company_ids
            )
        remaining = len(pending) - len(batch)
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=remaining)
        return remaining

    # ------------------------------------------------------------
    # BUSINESS HELPERS
    # ------------------------------------------------------------

    @api.model
    def _refresh_customers(self, pairs, moves=None):
        """Evaluate the (commercial partner id, company id) ``pairs`` as of
        today, e.g. right after an invoice was posted or cancelled.

        ``moves``: customer invoices and credit notes just posted. The stored
        facts of a customer with one of them take it in (see
        ``lifecycle_sql.document_facts``), whatever its number of other
        documents; the other customers' documents are aggregated again."""
        pairs = {(p, c) for p, c in pairs if p and c}
        if not pairs:
            return
        company_ids = sorted({c for _p, c in pairs})
        partner_ids = sorted({p for p, _c in pairs})
        # one new document per customer and company, else aggregate again
        by_customer = {}
        for move in moves or ():
            key = (move.commercial_partner_id.id, move.company_id.id)
            by_customer[key] = None if key in by_customer else move.id
        today = fields.Date.context_today(self)
        evaluated = self._evaluate_unlocked(
            today, company_ids, partner_ids, by_customer
        )
        # customers another transaction is evaluating: right after it
        self.env["crm.customer.refresh"]._add(
            set(partner_ids) - set(evaluated), company_ids
        )

    @api.model
    def _evaluate_unlocked(self, date, company_ids, partner_ids, documents=None):
        """Evaluate the customers ``partner_ids`` of ``company_ids`` as of
        ``date`` (see ``_evaluate``) that no other transaction is evaluating
        or has just evaluated, and return their ids: the others are left as
        they are, nothing waits and nothing fails for them.

        ``documents``: {(partner id, company id): id of the one document just
        posted for it, or None}: documents the stored facts may take in."""
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                locked = self._lock_customers(partner_ids, company_ids)
                move_ids = [
                    move_id
                    for (partner_id, _company_id), move_id in (documents or {}).items()
                    if move_id and partner_id in locked
                ]
                if locked:
                    self._evaluate(date, company_ids, sorted(locked), move_ids)
        except (pgerrors.LockNotAvailable, pgerrors.SerializationFailure):
            # another transaction changed one of them since this one started
            return []
        return sorted(locked)

    @api.model
    def _lock_customers(self, partner_ids, company_ids):
        """Lock the commercial partners ``partner_ids`` and their profiles in
        ``company_ids`` that no other transaction holds, until the end of
        this transaction; return the ids of the partners locked with all
        their profiles."""
        partner_ids = list(partner_ids)
        locked = self.env.execute_query(
            SQL(
                "SELECT id FROM res_partner WHERE id = ANY(%s) "
                "FOR NO KEY UPDATE SKIP LOCKED",
                partner_ids,
            )
        )
        profiles = SQL(
            "SELECT partner_id FROM crm_customer_profile "
            "WHERE partner_id = ANY(%s) AND company_id = ANY(%s)",
            partner_ids,
            list(company_ids),
        )
        held = Counter(
            partner_id
            for (partner_id,) in self.env.execute_query(
                SQL("%s FOR NO KEY UPDATE SKIP LOCKED", profiles)
            )
        )
        total = Counter(
            partner_id for (partner_id,) in self.env.execute_query(profiles)
        )
        return {
            partner_id
            for (partner_id,) in locked
            if held[partner_id] == total[partner_id]
        }

    @api.model
    def _lock_company_customers(self, company_id):
        """Lock every profile of ``company_id`` and its partner until the end
        of this transaction, for a ranking of all of them; raise
        ``LockNotAvailable`` if another transaction holds one."""
        self.env.execute_query(
            SQL(
                """
                SELECT pr.id
                  FROM crm_customer_profile pr
                  JOIN res_partner p ON p.id = pr.partner_id
                 WHERE pr.company_id = %s
                   FOR NO KEY UPDATE NOWAIT
                """,
                company_id,
            )
        )

    @api.model
    def _pending_partner_ids(self, date, company_ids):
        """Commercial partners, by id, with a customer of ``company_ids`` to
        evaluate as of ``date``: a profile whose facts hold as of another
        date, or documents or a prospect and no profile yet; customers
        waiting in ``crm.customer.refresh`` are left to it."""
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
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
        )
        waiting = set(self.env["crm.customer.refresh"].sudo().search([]).partner_id.ids)
        return [partner_id for (partner_id,) in rows if partner_id not in waiting]

    @api.model
    def _evaluate(self, date, company_ids, partner_ids=None, move_ids=None):
        """Evaluate the facts and stages of DOMAIN §0-1 as of ``date`` for
        the customers ``partner_ids`` (commercial partner ids; None: every
        customer) of ``company_ids``, in set-based steps through the
        temporary table ``crm_lifecycle_evaluation`` (see
        ``_write_evaluation``); then run the playbooks of the stage changes
        and the hook ``_customers_evaluated``.

        ``move_ids``: documents just posted, at most one per customer, that
        the customer's stored facts may take in instead of aggregating its
        documents again."""
        if not company_ids:
            return self.env["crm.lifecycle.history"]
        self.env.flush_all()
        # the reasons in the language of whoever triggers the evaluation
        templates = {key: self.env._(text) for key, text in REASONS.items()}
        # an earlier evaluation in the same transaction left its table
        self.env.execute_query(SQL("DROP TABLE IF EXISTS crm_lifecycle_evaluation"))
        many = partner_ids is None or len(partner_ids) > MANY_CUSTOMERS
        if many:
            # sorting every document of many customers: in memory, not on
            # disk (reset below)
            self.env.execute_query(SQL("SET LOCAL work_mem = %s", WORK_MEM))
        if move_ids:
            self.env.execute_query(
                SQL(
                    "CREATE TEMPORARY TABLE crm_lifecycle_evaluation "
                    "ON COMMIT DROP AS %s",
                    self._evaluation_query(
                        date, company_ids, templates, move_ids=move_ids
                    ),
                )
            )
            taken = set(
                self.env.execute_query(
                    SQL("SELECT partner_id, company_id FROM crm_lifecycle_evaluation")
                )
            )
            # the other customers, company by company (a customer may have
            # taken its document in in one company and not in another)
            for company_id in company_ids:
                rest = [p for p in partner_ids if (p, company_id) not in taken]
                if rest:
                    self.env.execute_query(
                        SQL(
                            "INSERT INTO crm_lifecycle_evaluation %s",
                            self._evaluation_query(
                                date, [company_id], templates, partner_ids=rest
                            ),
                        )
                    )
        else:
            self.env.execute_query(
                SQL(
                    "CREATE TEMPORARY TABLE crm_lifecycle_evaluation "
                    "ON COMMIT DROP AS %s",
                    self._evaluation_query(
                        date, company_ids, templates, partner_ids=partner_ids
                    ),
                )
            )
        if many:
            self.env.execute_query(SQL("SET LOCAL work_mem TO DEFAULT"))
        moved_ids, histories = self._write_evaluation(date)
        Playbook = self.env["crm.lifecycle.playbook"]
        watched = Playbook._watched_stages()
        Playbook._run_for_histories(
            histories.filtered(lambda history: history.stage_to in watched)
        )
        self._customers_evaluated(
            date, company_ids, None if partner_ids is None else moved_ids
        )
        return histories

    @api.model
    def _evaluation_query(
        self, date, company_ids, templates, partner_ids=None, move_ids=None
    ):
        """SQL: every customer in scope once, with its facts as of ``date``,
        the first rule of DOMAIN §1 it matches, its new stage (a stage held
        by hand holds) and reason, and whether its stage or anything stored
        moved: the rows of ``crm_lifecycle_evaluation`` (see ``_evaluate``).

        In scope: the customers ``partner_ids`` (None: every customer) with
        documents, a profile or a prospect, their documents aggregated; or,
        with ``move_ids``, the customers whose stored facts take one of
        these documents in (see ``lifecycle_sql.document_facts``)."""
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
                       CASE WHEN e.locked THEN e.old_reason
                            WHEN e.locked_until < %(date)s
                            THEN %(expired)s || ' ' || %(rule_reason)s
                            ELSE %(rule_reason)s END AS reason,
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
            rule_reason=lifecycle_sql.rule_reason(SQL("e.rule"), templates),
            expired=self.env._(OVERRIDE_EXPIRED),
            date=date,
        )

    @api.model
    def _write_evaluation(self, date):
        """Write ``crm_lifecycle_evaluation`` (see ``_evaluation_query``):
        every profile in it takes its facts as of ``date`` and its stage
        (profiles are created for new customers), a history row is written
        for every change of stage and the partners' stage follows.

        Returns the commercial partner ids whose facts or stage moved and
        the new history rows."""
        uid = self.env.uid
        self.env.execute_query(
            SQL(
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
                       stage_reason = e.reason,
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
        )
        self.env.execute_query(
            SQL(
                """
                INSERT INTO crm_customer_profile (
                    partner_id, company_id, user_id, team_id,
                    first_purchase_date, last_purchase_date, purchase_count,
                    purchase_count_12m, revenue_total, revenue_12m,
                    revenue_prev_12m, avg_purchase_interval, last_return_date,
                    facts_date, lifecycle_stage, stage_date, stage_rule,
                    stage_reason, create_uid, create_date, write_uid, write_date)
                SELECT e.partner_id, e.company_id, p.user_id, u.sale_team_id,
                       e.first_date, e.last_date, e.purchase_count,
                       e.purchase_count_12m, e.revenue_total, e.revenue_12m,
                       e.revenue_prev_12m, e.stored_interval, e.last_return_date,
                       %(date)s, e.stage,
                       CASE WHEN e.stage IS NOT NULL THEN %(date)s::date END,
                       e.stage_rule, e.reason,
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
        )
        rows = self.env.execute_query(
            SQL(
                """
                INSERT INTO crm_lifecycle_history (
                    profile_id, partner_id, company_id, stage_from, stage_to,
                    date, rule, reason, is_manual, user_id,
                    create_uid, create_date, write_uid, write_date)
                SELECT pr.id, e.partner_id, e.company_id, e.old_stage, e.stage,
                       %(date)s, e.stage_rule, e.reason, FALSE, %(uid)s,
                       %(uid)s, now() AT TIME ZONE 'UTC',
                       %(uid)s, now() AT TIME ZONE 'UTC'
                  FROM crm_lifecycle_evaluation e
                  JOIN crm_customer_profile pr
                    ON pr.partner_id = e.partner_id AND pr.company_id = e.company_id
                 WHERE e.stage_moved
                RETURNING id
                """,
                date=date,
                uid=uid,
            )
        )
        histories = self.env["crm.lifecycle.history"].sudo().browse(r[0] for r in rows)
        written = self.env.execute_query(
            SQL(
                """
                SELECT pr.id, e.partner_id, e.company_id, e.stage, e.stage_moved,
                       e.moved
                  FROM crm_lifecycle_evaluation e
                  JOIN crm_customer_profile pr
                    ON pr.partner_id = e.partner_id AND pr.company_id = e.company_id
                """
            )
        )
        self._sync_partner_stages(
            [
                (p, c, stage)
                for _id, p, c, stage, stage_moved, _m in written
                if stage_moved
            ]
        )
        # other addons' stored fields that depend on the profiles follow
        profiles = self.browse(row[0] for row in written)
        self.invalidate_model()
        profiles.modified(lifecycle_sql.PROFILE_FIELDS)
        self.env["crm.lifecycle.history"].invalidate_model()
        return sorted({row[1] for row in written if row[5]}), histories

    def _customers_evaluated(self, date, company_ids, partner_ids):
        """Hook: figures that other addons derive from the customers' fresh
        facts, in the same transaction. ``partner_ids``: None after an
        evaluation of every customer, else the customers whose facts or stage
        moved."""
        return

    def _sync_partner_stages(self, triples):
        """Mirror (partner id, company id, stage) onto the partners'
        company-dependent ``lifecycle_stage``."""
        if not triples:
            return
        Partner = self.env["res.partner"]
        Partner.flush_model(["lifecycle_stage"])
        self.env.execute_query(
            SQL(
                """
                UPDATE res_partner p
                   SET lifecycle_stage = jsonb_strip_nulls(
                           coalesce(p.lifecycle_stage, '{}'::jsonb) || s.stages)
                  FROM (SELECT t.partner_id,
                               jsonb_object_agg(t.company_id::text, t.stage) AS stages
                          FROM unnest(%s::int[], %s::int[], %s::varchar[])
                               AS t(partner_id, company_id, stage)
                      GROUP BY t.partner_id) s
                 WHERE p.id = s.partner_id
                """,
                [t[0] for t in triples],
                [t[1] for t in triples],
                [t[2] for t in triples],
            )
        )
        partners = Partner.browse({t[0] for t in triples})
        partners.invalidate_recordset(["lifecycle_stage"])
        partners.modified(["lifecycle_stage"])
