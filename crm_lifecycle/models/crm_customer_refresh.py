from datetime import timedelta

from odoo import api, fields, models

from ..const import CRON_BATCH_SIZE


class CrmCustomerRefresh(models.Model):
    """A customer waiting to be evaluated as of today: one that a posting or a
    cron batch could not evaluate at once because another transaction was
    evaluating it (see ``crm.customer.profile._evaluate_unlocked``). Rows are
    only ever inserted and deleted, so that concurrent postings never collide
    on them; the cron "evaluate waiting customers", triggered on insert,
    evaluates them shortly after the posting commits."""

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
        Profile = self.env["crm.customer.profile"].sudo()
        done = waiting.browse()
        for company_id, partner_ids in by_company.items():
            evaluated = Profile._evaluate_unlocked(
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
