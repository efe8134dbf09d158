from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.sql import index_exists

from ..const import (
    CRON_BATCH_SIZE,
    LIFECYCLE_STAGES,
    MANY_CUSTOMERS,
    RULE_LABELS,
    WORK_MEM,
)
from ..tools import arguments, evaluation_sql, lifecycle_sql, reasons


class CrmCustomerProfile(models.Model):
    _name = "crm.customer.profile"
    _inherit = ["crm.selection.order.mixin"]
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
    stage_reason = fields.Text(compute="_compute_stage_reason")
    stage_reason_figures = fields.Json(
        readonly=True, help="The figures the rule read, quoted by the reason."
    )
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

    @api.model
    def _selection_groups_in_order(self):
        # the lifecycle funnel
        return super()._selection_groups_in_order() | {"lifecycle_stage"}

    @api.depends(
        "stage_rule",
        "stage_reason_figures",
        "stage_lock_reason",
        "company_id.currency_id",
    )
    @api.depends_context("lang")
    def _compute_stage_reason(self):
        for profile in self:
            if profile.stage_rule == "manual":
                profile.stage_reason = profile.stage_lock_reason
            else:
                profile.stage_reason = reasons.render(
                    self.env,
                    profile.stage_rule,
                    profile.stage_reason_figures,
                    profile.company_id.currency_id,
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
        if partner_ids is None:
            # Every customer: lock them all first, those with a profile and
            # those that get one now, so that a posting holding one stops
            # the evaluation before anything is written (LockNotAvailable or
            # SerializationFailure: Odoo retries the request) rather than
            # halfway, and no posting waits for it.
            Refresh = self.env["crm.customer.refresh"]
            for company in companies:
                Refresh._lock_company_customers(company.id)
            pending = self.env.execute_query(
                evaluation_sql.pending_customers(date, companies.ids)
            )
            Refresh._lock_partners(partner_id for (partner_id,) in pending)
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
                    "note": reason,
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
                "stage_reason_figures": False,
            }
        )
        changed.sudo().write({"lifecycle_stage": stage, "stage_date": today})
        histories = self.env["crm.lifecycle.history"].sudo().create(history_vals)
        self.env["res.partner"]._set_lifecycle_stages(
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
        """The Recompute button: evaluate the customers as of today and tell
        the user what changed; the screen then shows the new figures."""
        before = {profile: profile.lifecycle_stage for profile in self}
        self.with_company(self.company_id[:1] or self.env.company).recompute(
            partners=self.partner_id
        )
        stages = dict(self._fields["lifecycle_stage"]._description_selection(self.env))
        moved = self.filtered(lambda p: p.lifecycle_stage != before[p])
        if len(self) > 1:
            message = self.env._(
                "%(count)s customers evaluated as of today, %(moved)s changed stage.",
                count=len(self),
                moved=len(moved),
            )
        elif moved:
            message = self.env._(
                "%(customer)s moved from %(old)s to %(new)s.",
                customer=self.partner_id.display_name,
                old=stages.get(before[self], self.env._("no stage")),
                new=stages.get(self.lifecycle_stage, self.env._("no stage")),
            )
        else:
            message = self.env._(
                "%(customer)s stays %(stage)s; its facts are as of today.",
                customer=self.partner_id.display_name,
                stage=stages.get(self.lifecycle_stage, self.env._("no stage")),
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Lifecycle evaluated"),
                "message": message,
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

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
            self.env["crm.customer.refresh"]._evaluate_or_queue(
                today, company_ids, batch
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
        self.env["crm.customer.refresh"]._evaluate_or_queue(
            today, company_ids, partner_ids, by_customer
        )

    @api.model
    def _pending_partner_ids(self, date, company_ids):
        """Commercial partners, by id, with a customer of ``company_ids`` to
        evaluate as of ``date``: a profile whose facts hold as of another
        date, or documents or a prospect and no profile yet; customers
        waiting in ``crm.customer.refresh`` are left to it."""
        self.env.flush_all()
        rows = self.env.execute_query(
            evaluation_sql.pending_customers(date, company_ids)
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
                    evaluation_sql.evaluation(date, company_ids, move_ids=move_ids),
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
                            evaluation_sql.evaluation(
                                date, [company_id], partner_ids=rest
                            ),
                        )
                    )
        else:
            self.env.execute_query(
                SQL(
                    "CREATE TEMPORARY TABLE crm_lifecycle_evaluation "
                    "ON COMMIT DROP AS %s",
                    evaluation_sql.evaluation(
                        date, company_ids, partner_ids=partner_ids
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
    def _write_evaluation(self, date):
        """Write ``crm_lifecycle_evaluation`` (see ``evaluation_sql.evaluation``):
        every profile in it takes its facts as of ``date`` and its stage
        (profiles are created for new customers), a history row is written
        for every change of stage and the partners' stage follows.

        Returns the commercial partner ids whose facts or stage moved and
        the new history rows."""
        uid = self.env.uid
        self.env.execute_query(evaluation_sql.update_profiles(date, uid))
        self.env.execute_query(evaluation_sql.insert_profiles(date, uid))
        histories = self.env["crm.lifecycle.history"]._create_from_evaluation(date)
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
        self.env["res.partner"]._set_lifecycle_stages(
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
        return sorted({row[1] for row in written if row[5]}), histories

    def _customers_evaluated(self, date, company_ids, partner_ids):
        """Hook: figures that other addons derive from the customers' fresh
        facts, in the same transaction. ``partner_ids``: None after an
        evaluation of every customer, else the customers whose facts or stage
        moved."""
        return
