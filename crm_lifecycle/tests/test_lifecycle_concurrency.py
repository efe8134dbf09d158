import time
from contextlib import closing

from psycopg2 import errors

from odoo import Command, fields
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestLifecycleConcurrency(TransactionCase):
    """A posting that meets another transaction evaluating the same customer
    neither waits nor fails: the customer waits in ``crm.customer.refresh``
    and the cron evaluates it. The other transaction is a second, real
    connection to the database, on a customer of the demo data (committed
    rows, which that connection sees)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Profile = cls.env["crm.customer.profile"]
        cls.Refresh = cls.env["crm.customer.refresh"]
        cls.company = cls.env.ref("base.main_company")
        # two customers: the rows the other connection changes stay changed
        # for the rest of this class's transaction
        cls.profiles = cls.Profile.search(
            [("company_id", "=", cls.company.id), ("purchase_count", ">", 0)],
            order="id",
            limit=2,
        )

    def setUp(self):
        super().setUp()
        self.use(self.profiles[0])

    def use(self, profile):
        self.profile = profile
        self.partner = profile.partner_id
        self.purchases = profile.purchase_count

    def other_connection(self):
        return closing(db_connect(self.env.cr.dbname).cursor())

    def post_invoice(self):
        invoice = (
            self.env["account.move"]
            .with_company(self.company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.partner.id,
                    "invoice_date": fields.Date.context_today(self.Profile),
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Consulting", "quantity": 1, "price_unit": 100}
                        )
                    ],
                }
            )
        )
        invoice.action_post()
        return invoice

    def waiting(self):
        return self.Refresh.search([("partner_id", "=", self.partner.id)])

    def evaluate_waiting(self):
        return self.Refresh.with_context(ir_cron_progress_id=False)._cron_evaluate()

    def test_posting_while_another_transaction_holds_the_customer(self):
        self.assertEqual(len(self.profiles), 2, "the demo data has customers")
        self.assertFalse(self.waiting())
        with self.other_connection() as other:
            other.execute(
                "SELECT id FROM crm_customer_profile WHERE id = %s FOR UPDATE",
                [self.profile.id],
            )
            invoice = self.post_invoice()
            self.assertEqual(invoice.state, "posted")
            # nothing waited for the other transaction, nothing failed
            self.assertEqual(self.profile.purchase_count, self.purchases)
            self.assertEqual(
                self.waiting().mapped(lambda row: (row.partner_id, row.company_id)),
                [(self.partner, self.company)],
            )
            # still held: the customer waits for the next call
            self.assertEqual(self.evaluate_waiting(), len(self.Refresh.search([])))
            self.assertTrue(self.waiting())
            other.rollback()
        self.assertEqual(self.evaluate_waiting(), 0)
        self.assertFalse(self.waiting())
        self.assertEqual(self.profile.purchase_count, self.purchases + 1)
        self.assertEqual(self.profile.last_purchase_date, invoice.invoice_date)
        self.assertEqual(
            self.profile.facts_date, fields.Date.context_today(self.Profile)
        )

    def test_posting_after_another_transaction_changed_the_customer(self):
        self.use(self.profiles[1])
        # this transaction has begun: its snapshot predates the other's commit
        self.assertEqual(self.profile.purchase_count, self.purchases)
        with self.other_connection() as other:
            other.execute(
                "UPDATE crm_customer_profile SET write_date = write_date WHERE id = %s",
                [self.profile.id],
            )
            other.commit()
        invoice = self.post_invoice()
        self.assertEqual(invoice.state, "posted")
        # evaluating it here would fail to serialize: it waits instead
        self.assertEqual(len(self.waiting()), 1)
        self.assertEqual(self.profile.purchase_count, self.purchases)

    def test_full_evaluation_while_a_posting_holds_a_customer(self):
        """An evaluation of every customer locks them all before writing
        anything: one held by another transaction stops it at once, without
        waiting (Odoo retries the request on LockNotAvailable)."""
        # as of another date, so that an evaluation would write every profile
        later = fields.Date.add(fields.Date.context_today(self.Profile), days=400)
        Profile = self.Profile.with_company(self.company).with_context(
            allowed_company_ids=self.company.ids
        )
        with self.other_connection() as other:
            other.execute(
                "SELECT id FROM crm_customer_profile WHERE id = %s FOR UPDATE",
                [self.profile.id],
            )
            start = time.monotonic()
            with self.assertRaises(errors.LockNotAvailable), self.env.cr.savepoint():
                Profile.recompute(later)
            self.assertLess(time.monotonic() - start, 5, "it waited")
            other.rollback()
        profiles = Profile.recompute(later)
        self.assertEqual(profiles.mapped("facts_date"), [later] * len(profiles))

    def test_full_evaluation_while_a_posting_holds_a_new_customer(self):
        """A customer with documents and no profile yet (one still waiting
        for evaluation) is locked too: the evaluation that would create its
        profile stops at once rather than waiting for the posting."""
        self.use(self.profiles[1])
        # in this transaction only: the customer has no profile yet
        self.env.cr.execute(
            "DELETE FROM crm_customer_profile WHERE id = %s", [self.profile.id]
        )
        self.Profile.invalidate_model()
        Profile = self.Profile.with_company(self.company).with_context(
            allowed_company_ids=self.company.ids
        )
        with self.other_connection() as other:
            other.execute(
                "SELECT id FROM res_partner WHERE id = %s FOR UPDATE",
                [self.partner.id],
            )
            # a lock wait would end in a lock timeout after 10 s
            self.env.cr.execute("SET LOCAL lock_timeout = '10s'")
            start = time.monotonic()
            with self.assertRaises(errors.LockNotAvailable), self.env.cr.savepoint():
                Profile.recompute()
            self.assertLess(time.monotonic() - start, 5, "it waited")
            other.rollback()
        profiles = Profile.recompute()
        self.assertIn(self.partner, profiles.partner_id)
