import importlib.util

from odoo import Command
from odoo.tests import new_test_user
from odoo.tools import file_path

from odoo.addons.crm_lifecycle.tests.common import LifecycleCommon


class AnalyticsCommon(LifecycleCommon):
    """Lifecycle fixtures plus full rankings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Period = cls.env["crm.customer.snapshot.period"]
        cls.Ranking = cls.env["crm.value.ranking"]

    def run_migration(self, script, version):
        """Run the migration script ``script`` (a path under the addon's
        migrations/) as an update from ``version`` would."""
        path = file_path(f"crm_analytics/migrations/{script}")
        spec = importlib.util.spec_from_file_location("crm_analytics_migration", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.migrate(self.env.cr, version)

    @classmethod
    def customers(cls, count, prefix="Customer"):
        return cls.env["res.partner"].create(
            [{"name": f"{prefix} {i:03d}", "is_company": True} for i in range(count)]
        )

    @classmethod
    def _message(
        cls, record, message_type, author, date, subject, subtype="mt_comment"
    ):
        """A message on ``record`` by ``author``, dated ``date`` (a touch)."""
        message = record.message_post(
            body=subject,
            subject=subject,
            author_id=author.id,
            message_type=message_type,
            subtype_xmlid=f"mail.{subtype}",
        )
        # a message's date is not the poster's to change
        message.sudo().date = date
        return message

    @classmethod
    def _activity_done(cls, record, xmlid, date):
        """An activity of type ``xmlid`` done by the salesperson on
        ``record``, its message dated ``date`` (a touch)."""
        activity = record.activity_schedule(xmlid, user_id=cls.salesman.id)
        message = activity.with_user(cls.salesman)._action_done(feedback="Done")[0]
        # a message's date is not the poster's to change
        message.sudo().date = date
        return message

    def rank(self, reference_date=None, company=None):
        """Full recompute (lifecycle and value ranking) as of
        ``reference_date`` (default REF) in ``company``."""
        company = company or self.company
        return (
            self.Profile.with_company(company)
            .with_context(allowed_company_ids=company.ids)
            .recompute(reference_date or self.REF)
        )

    def profiles(self, partners, company=None):
        company = company or self.company
        return self.Profile.search(
            [("partner_id", "in", partners.ids), ("company_id", "=", company.id)]
        )

    def complete_response(self, partner, answers):
        """A completed response of ``partner`` in the test company to the
        survey of ``answers`` [(survey.question, value)], written as the
        survey controller does (superuser)."""
        response = (
            self.env["survey.user_input"]
            .sudo()
            .create(
                {
                    "survey_id": answers[0][0].survey_id.id,
                    "partner_id": partner.id,
                    "crm_company_id": self.company.id,
                }
            )
        )
        self.env["survey.user_input.line"].sudo().create(
            [
                {
                    "user_input_id": response.id,
                    "question_id": question.id,
                    "answer_type": "scale",
                    "value_scale": value,
                }
                for question, value in answers
            ]
        )
        response._mark_done()
        return response.with_env(self.env)


class OwnCustomersCommon(AnalyticsCommon):
    """Salespeople limited to their own documents (``salesman``,
    ``colleague``), one who reads all documents (``all_docs``), and per
    owner (the empty recordset for none) an active customer, bought 10 days
    before REF for 100, 200 and 300, and a churned one, bought 400 days
    before REF for 100. Subclasses add their data, then evaluate."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login, groups):
            return new_test_user(
                cls.env,
                login=login,
                groups=groups,
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
            )

        cls.colleague = user("va_colleague", "sales_team.group_sale_salesman")
        cls.all_docs = user("va_all_docs", "sales_team.group_sale_salesman_all_leads")
        cls.nobody = cls.env["res.users"]
        # per owner, an active customer (new, with a tier) and a churned one
        cls.active = {}
        cls.churned = {}
        for owner in (cls.salesman, cls.colleague, cls.nobody):
            name = owner.login or "nobody"
            cls.active[owner] = cls.customer(f"Active {name}", user_id=owner.id)
            cls.churned[owner] = cls.customer(f"Churned {name}", user_id=owner.id)
        cls.post_invoices(
            [
                (p, cls.days_before(10), 100 * (i + 1))
                for i, p in enumerate(cls.active.values())
            ]
            + [(p, cls.days_before(400), 100) for p in cls.churned.values()]
        )
        cls.everyone = cls.customers_of(*cls.active)

    @classmethod
    def customers_of(cls, *owners, role="all"):
        """The active and/or churned customers of ``owners`` (users, the
        empty recordset for none)."""
        partners = cls.env["res.partner"]
        for owner in owners:
            if role in ("all", "active"):
                partners |= cls.active[owner]
            if role in ("all", "churned"):
                partners |= cls.churned[owner]
        return partners
