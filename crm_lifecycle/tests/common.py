from contextlib import contextmanager
from datetime import date, timedelta

from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@contextmanager
def readonly_env(test, env):
    """``env`` on a read-only cursor, as Odoo runs an ``@api.readonly`` RPC
    (on a replica with ``db_replica_host``): any write fails. The cursor
    sees what ``env`` flushed; the test's registry is in test mode
    meanwhile, as in an ``HttpCase``."""
    env.flush_all()
    test.registry.enter_test_mode(env.cr)
    try:
        with test.registry.cursor(readonly=True) as cr:
            yield env(cr=cr)
    finally:
        test.registry.leave_test_mode()


class LifecycleCommon(AccountTestInvoicingCommon):
    """Companies, users, customers and a fast way to post invoices.

    Tests compute facts as of the explicit reference date ``REF``; invoices
    are dated relative to it with :meth:`days_before`.
    """

    REF = date(2025, 6, 30)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.Profile = cls.env["crm.customer.profile"]
        cls.History = cls.env["crm.lifecycle.history"]
        cls.eur = cls.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])

        companies = cls.company | cls.company_b
        cls.salesman = new_test_user(
            cls.env,
            login="lc_salesman",
            name="Sally Salesman",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[Command.set(companies.ids)],
        )
        cls.sales_manager = new_test_user(
            cls.env,
            login="lc_manager",
            name="Manny Manager",
            groups="sales_team.group_sale_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(companies.ids)],
        )
        cls.accountant = new_test_user(
            cls.env,
            login="lc_accountant",
            name="Ada Accountant",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.user_company_b = new_test_user(
            cls.env,
            login="lc_user_b",
            name="Bob of Company B",
            groups="sales_team.group_sale_manager",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )

    @classmethod
    def days_before(cls, days):
        return cls.REF - timedelta(days=days)

    @classmethod
    def customer(cls, name, **vals):
        return cls.env["res.partner"].create(
            {"name": name, "is_company": True, "user_id": cls.salesman.id} | vals
        )

    @classmethod
    def invoice(
        cls,
        partner,
        invoice_date,
        amount,
        move_type="out_invoice",
        company=None,
        currency=None,
        post=True,
    ):
        company = company or cls.company
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "invoice_date": invoice_date,
                    "date": invoice_date,
                    "currency_id": (currency or company.currency_id).id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Consulting",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def post_invoices(cls, specs, company=None):
        """Create and post, in one go, invoices ``(partner, date, amount)``
        or ``(partner, date, amount, move_type)``."""
        company = company or cls.company
        moves = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                [
                    {
                        "move_type": spec[3] if len(spec) > 3 else "out_invoice",
                        "partner_id": spec[0].id,
                        "invoice_date": spec[1],
                        "date": spec[1],
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": "Consulting",
                                    "quantity": 1,
                                    "price_unit": spec[2],
                                    "tax_ids": [Command.clear()],
                                }
                            )
                        ],
                    }
                    for spec in specs
                ]
            )
        )
        moves.action_post()
        return moves

    @classmethod
    def history_of(cls, partner, company=None):
        return cls.History.search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", (company or cls.company).id),
            ],
            order="id",
        )

    def profile_of(self, partner, reference_date=None, company=None):
        """Recompute ``partner`` as of ``reference_date`` (default REF) and
        return its profile in ``company`` (default the main test company)."""
        company = company or self.company
        profiles = (
            self.Profile.with_company(company)
            .with_context(allowed_company_ids=[company.id])
            .recompute(reference_date or self.REF, partners=partner)
        )
        return profiles.filtered(lambda p: p.company_id == company)
