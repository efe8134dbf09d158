from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import OwnCustomersCommon

INTERNAL_FIELDS = (
    "value_tier",
    "crm_relationship_type",
    "crm_service_attitude",
    "crm_potential_spend",
    "crm_satisfaction_trap",
)
PARTNER_VIEWS = [(False, "form"), (False, "list"), (False, "kanban"), (False, "search")]


@tagged("post_install", "-at_install")
@freeze_time(OwnCustomersCommon.REF)
class TestAnalyticsOwnCustomers(OwnCustomersCommon):
    """A salesperson limited to their own documents reads the snapshot
    periods and the per-customer analyses of their own customers and of
    customers without a salesperson, on the dashboard too; the partner's
    tier, segments, potential and trap flag stay internal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = new_test_user(
            cls.env, login="va_portal", groups="base.group_portal"
        )
        cls.employee = new_test_user(
            cls.env, login="va_plain", groups="base.group_user"
        )
        survey = cls.env["survey.survey"].create({"title": "Own customers survey"})
        cls.overall = cls.env["survey.question"].create(
            {
                "survey_id": survey.id,
                "title": "Overall",
                "question_type": "scale",
                "scale_min": 1,
                "scale_max": 5,
                "crm_measure": "overall",
            }
        )
        cls.Profile.with_context(allowed_company_ids=cls.company.ids).recompute(cls.REF)

    def setUp(self):
        super().setUp()
        for partner in self.churned.values():
            self.complete_response(partner, [(self.overall, 5)])
        self.nobody = self.env["res.users"]
        self.own = (self.salesman, self.nobody)

    def rows(self, model, user, **context):
        return (
            self.env[model]
            .with_user(user)
            .with_context(**context)
            .search(
                [
                    ("partner_id", "in", self.everyone.ids),
                    ("company_id", "=", self.company.id),
                ]
            )
        )

    def test_fixture(self):
        profiles = self.Profile.search(
            [
                ("partner_id", "in", self.everyone.ids),
                ("company_id", "=", self.company.id),
            ]
        )
        self.assertEqual(
            set(profiles.mapped(lambda p: (p.partner_id.name, p.lifecycle_stage))),
            {
                ("Active lc_salesman", "new"),
                ("Active va_colleague", "new"),
                ("Active nobody", "new"),
                ("Churned lc_salesman", "churned"),
                ("Churned va_colleague", "churned"),
                ("Churned nobody", "churned"),
            },
        )

    def test_own_documents_salesperson(self):
        for model, role in (
            ("crm.customer.snapshot.period", "all"),
            ("crm.value.tier.report", "active"),
            ("crm.pareto.report", "active"),
            ("crm.satisfaction.trap.report", "churned"),
        ):
            with self.subTest(model=model):
                self.assertEqual(
                    self.rows(model, self.salesman).partner_id,
                    self.customers_of(self.salesman, self.nobody, role=role),
                )
                self.assertEqual(
                    self.rows(model, self.colleague).partner_id,
                    self.customers_of(self.colleague, self.nobody, role=role),
                )
                theirs = self.rows(model, self.sales_manager).filtered(
                    lambda row: row.partner_id.user_id == self.colleague
                )
                self.assertEqual(
                    theirs.partner_id, self.customers_of(self.colleague, role=role)
                )
                with self.assertRaises(AccessError):
                    theirs.with_user(self.salesman).read(["partner_id"])

    def test_all_documents_and_managers(self):
        for user in (self.all_docs, self.sales_manager):
            with self.subTest(user=user.login):
                self.assertEqual(
                    self.rows("crm.customer.snapshot.period", user).partner_id,
                    self.everyone,
                )
                self.assertEqual(
                    self.rows("crm.value.tier.report", user).partner_id,
                    self.customers_of(*self.active, role="active"),
                )
                self.assertEqual(
                    self.rows("crm.satisfaction.trap.report", user).partner_id,
                    self.customers_of(*self.churned, role="churned"),
                )
        self.assertEqual(
            self.rows("crm.customer.snapshot.period", self.accountant).partner_id,
            self.everyone,
        )

    def test_dashboard_counts_what_the_user_reads(self):
        # a satisfaction response of company B: not in company A's matrix
        response_b = (
            self.env["survey.user_input"]
            .sudo()
            .create(
                {
                    "survey_id": self.overall.survey_id.id,
                    "partner_id": self.active[self.nobody].id,
                    "crm_company_id": self.company_b.id,
                }
            )
        )
        self.env["survey.user_input.line"].sudo().create(
            {
                "user_input_id": response_b.id,
                "question_id": self.overall.id,
                "answer_type": "scale",
                "value_scale": 1,
            }
        )
        response_b._mark_done()
        Dashboard = self.env["crm.analytics.dashboard"].with_context(
            allowed_company_ids=self.company.ids
        )
        # prospects: the demo customers (of their salespeople) and the
        # invoicing fixtures' partners (of nobody) are prospects in every
        # company
        prospects = [
            ("company_id", "=", self.company.id),
            ("lifecycle_stage", "=", "prospect"),
        ]
        own_prospects = self.Profile.search_count(
            [*prospects, ("user_id", "in", [self.salesman.id, False])]
        )
        all_prospects = self.Profile.search_count(prospects)
        # the matrix is the selected companies', record rules or not
        data = Dashboard.sudo().get_dashboard_data(
            {"date_from": "2000-01-01", "date_to": "2100-12-31"}
        )
        self.assertEqual(
            (data["matrix"]["invited"], data["matrix"]["responses"]), (3, 3)
        )
        figures = {}
        for user in (self.salesman, self.sales_manager):
            # responses are dated by the database's clock, not the frozen one
            data = Dashboard.with_user(user).get_dashboard_data(
                {"date_from": "2000-01-01", "date_to": "2100-12-31"}
            )
            figures[user] = {
                "pyramid": sum(tier["count"] for tier in data["pyramid"]),
                "funnel": {s["key"]: s["count"] for s in data["funnel"] if s["count"]},
                "flow": {(f["from"], f["to"]): f["count"] for f in data["stage_flow"]},
                "trap": data["trap"]["count"],
                "matrix": (data["matrix"]["invited"], data["matrix"]["responses"]),
            }
        self.assertEqual(
            figures[self.salesman],
            {
                "pyramid": 2,
                "funnel": {"prospect": own_prospects, "new": 2, "churned": 2},
                "flow": {
                    ("None", "Prospect"): own_prospects,
                    ("None", "New"): 2,
                    ("None", "Churned"): 2,
                },
                "trap": 2,
                "matrix": (2, 2),
            },
        )
        self.assertEqual(
            figures[self.sales_manager],
            {
                "pyramid": 3,
                "funnel": {"prospect": all_prospects, "new": 3, "churned": 3},
                "flow": {
                    ("None", "Prospect"): all_prospects,
                    ("None", "New"): 3,
                    ("None", "Churned"): 3,
                },
                "trap": 3,
                "matrix": (3, 3),
            },
        )

    def test_classification_is_internal(self):
        """Portal users and employees without analytics or invoicing rights
        neither read nor search the tier, segments, potential spend or trap
        flag of a partner; the partner views still open for an employee."""
        partner = self.active[self.salesman]
        for user in (self.portal, self.employee):
            for fname in INTERNAL_FIELDS:
                with self.subTest(user=user.login, field=fname):
                    with self.assertRaises(AccessError):
                        partner.with_user(user).read([fname])
                    with self.assertRaises(AccessError):
                        self.env["res.partner"].with_user(user).search(
                            [(fname, "!=", False)]
                        )
        views = (
            self.env["res.partner"].with_user(self.employee).get_views(PARTNER_VIEWS)
        )
        for view_type, view in views["views"].items():
            for fname in INTERNAL_FIELDS:
                with self.subTest(view=view_type, field=fname):
                    self.assertNotIn(f'name="{fname}"', view["arch"])
        for fname in INTERNAL_FIELDS:
            self.assertNotIn(fname, views["models"]["res.partner"]["fields"])
        partner.write(
            {
                "crm_relationship_type": "business",
                "crm_service_attitude": "caring",
                "crm_potential_spend": 2000,
            }
        )
        for user in (self.salesman, self.accountant):
            with self.subTest(user=user.login):
                [values] = (
                    partner.with_user(user)
                    .with_context(allowed_company_ids=self.company.ids)
                    .read(list(INTERNAL_FIELDS))
                )
                self.assertEqual(
                    [values[fname] for fname in INTERNAL_FIELDS],
                    ["small", "business", "caring", 2000, False],
                )
                self.assertEqual(
                    self.env["res.partner"]
                    .with_user(user)
                    .with_context(allowed_company_ids=self.company.ids)
                    .search(
                        [
                            ("crm_satisfaction_trap", "=", True),
                            ("id", "in", self.everyone.ids),
                        ]
                    ),
                    self.customers_of(*self.churned, role="churned"),
                )
        arch = (
            self.env["res.partner"]
            .with_user(self.salesman)
            .get_views([(False, "search")])["views"]["search"]["arch"]
        )
        self.assertIn('name="satisfaction_trap"', arch)
