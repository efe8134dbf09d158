from odoo.addons.crm_lifecycle.tests.common import LifecycleCommon


class AnalyticsCommon(LifecycleCommon):
    """Lifecycle fixtures plus full rankings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Period = cls.env["crm.customer.snapshot.period"]
        cls.Ranking = cls.env["crm.value.ranking"]

    @classmethod
    def customers(cls, count, prefix="Customer"):
        return cls.env["res.partner"].create(
            [{"name": f"{prefix} {i:03d}", "is_company": True} for i in range(count)]
        )

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
