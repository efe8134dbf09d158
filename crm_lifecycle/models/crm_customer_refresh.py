from collections import Counter
from datetime import timedelta

from psycopg2 import errors as pgerrors

from odoo import api, fields, models
from odoo.tools import SQL

from ..const import CRON_BATCH_SIZE


class CrmCustomerRefresh(models.Model):
    """A customer waiting to be evaluated as of today: one that a posting or a
    cron batch could not evaluate at once because another transaction was
    evaluating it. The model also holds that choice: evaluate the customers
    no other transaction holds, queue the others (``_evaluate_or_queue``).
    Rows are only ever inserted and deleted, so that concurrent postings
    never collide on them; the cron "evaluate waiting customers", triggered
    on insert, evaluates them shortly after the posting commits."""

    _name = "crm.customer.refresh"
    _description = "Customer Waiting for Evaluation"
    _order = "id"
    _log_access = False

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, ondelete="cascade"
    )
    queued_at = fields.Datetime(
        readonly=True, default=fields.Datetime.now, string="Waiting Since"
    )

    @api.model
    def _add(self, partner_ids, company_ids):
        """Queue the commercial partners ``partner_ids`` in ``company_ids``
        and trigger the cron that evaluates them."""
        if not partner_ids or not company_ids:
            return
        self.sudo().create(
            [
                {"partner_id": partner_id, "company_id": company_id}
                for partner_id in sorted(partner_ids)
                for company_id in sorted(company_ids)
            ]
        )
        cron = self.env.ref(
            "crm_lifecycle.ir_cron_crm_customer_refresh", raise_if_not_found=False
        )
        if cron:
            cron.sudo()._trigger()

    @api.model
    def _cron_evaluate(self, batch_size=CRON_BATCH_SIZE):
        """Evaluate the waiting customers as of today, one batch per call; a
        customer still being evaluated elsewhere waits for the next call,
        triggered a minute later."""
        waiting = self.sudo().search([], limit=batch_size)
        by_company = {}
        for row in waiting:
            by_company.setdefault(row.company_id.id, set()).add(row.partner_id.id)
        today = fields.Date.context_today(self)
        done = waiting.browse()
        for company_id, partner_ids in by_company.items():
            evaluated = self.sudo()._evaluate_unlocked(
                today, [company_id], sorted(partner_ids)
            )
            done |= waiting.filtered(
                lambda row, company_id=company_id, evaluated=set(evaluated): (
                    row.company_id.id == company_id and row.partner_id.id in evaluated
                )
            )
        # only the rows read: a row queued meanwhile waits for the next call
        done.unlink()
        remaining = self.sudo().search_count([])
        if remaining and not done:
            cron = self.env.ref("crm_lifecycle.ir_cron_crm_customer_refresh")
            cron.sudo()._trigger(fields.Datetime.now() + timedelta(minutes=1))
        self.env["ir.cron"]._notify_progress(done=len(done), remaining=remaining)
        return remaining

    @api.model
    def _evaluate_or_queue(self, date, company_ids, partner_ids, documents=None):
        """Evaluate the customers ``partner_ids`` of ``company_ids`` that no
        other transaction holds (see ``_evaluate_unlocked``) and queue the
        others, to be evaluated right after that transaction."""
        evaluated = self._evaluate_unlocked(date, company_ids, partner_ids, documents)
        self._add(set(partner_ids) - set(evaluated), company_ids)
        return evaluated

    @api.model
    def _evaluate_unlocked(self, date, company_ids, partner_ids, documents=None):
        """Evaluate the customers ``partner_ids`` of ``company_ids`` as of
        ``date`` (see ``crm.customer.profile._evaluate``) that no other
        transaction is evaluating or has just evaluated, and return their
        ids: the others are left as they are, nothing waits and nothing fails
        for them.

        ``documents``: {(partner id, company id): id of the one document just
        posted for it, or None}: documents the stored facts may take in."""
        try:
            with self.env.cr.savepoint():
                locked = self._lock_customers(partner_ids, company_ids)
                move_ids = [
                    move_id
                    for (partner_id, _company_id), move_id in (documents or {}).items()
                    if move_id and partner_id in locked
                ]
                if locked:
                    self.env["crm.customer.profile"]._evaluate(
                        date, company_ids, sorted(locked), move_ids
                    )
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
        locked = self._execute_lock(
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
            for (partner_id,) in self._execute_lock(
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
    def _execute_lock(self, query):
        """Run the row-locking ``query`` and return its rows. A row another
        transaction holds or has changed meanwhile raises ``LockNotAvailable``
        or ``SerializationFailure`` for the caller to handle, without an
        ERROR in the log (as ``sequence.mixin._locked_increment`` does)."""
        self.env.flush_query(query)
        self.env.cr.execute(query, log_exceptions=False)
        return self.env.cr.fetchall()

    @api.model
    def _lock_company_customers(self, company_id):
        """Lock every profile of ``company_id`` and its partner until the end
        of this transaction, for a ranking of all of them; raise
        ``LockNotAvailable`` if another transaction holds one, or
        ``SerializationFailure`` if one changed since this transaction
        began."""
        self._execute_lock(
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
    def _lock_partners(self, partner_ids):
        """Lock the partners ``partner_ids`` until the end of this
        transaction; raise as ``_lock_company_customers`` does."""
        self._execute_lock(
            SQL(
                "SELECT id FROM res_partner WHERE id = ANY(%s) "
                "FOR NO KEY UPDATE NOWAIT",
                list(partner_ids),
            )
        )
