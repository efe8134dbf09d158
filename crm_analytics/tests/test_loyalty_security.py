from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import AnalyticsCommon

REPORTS = (
    "crm.satisfaction.trap.report",
    "crm.repurchase.report",
    "crm.cohort.report",
    "crm.churn.report",
    "crm.roi.report",
)


@tagged("post_install", "-at_install")
class TestLoyaltySecurity(AnalyticsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        a, b = cls.customers(2, prefix="Secure Loyalty")
        cls.post_invoices([(a, date(2024, 1, 5), 100), (a, date(2024, 2, 5), 100)])
        cls.post_invoices(
            [(b, date(2024, 1, 5), 100), (b, date(2024, 2, 5), 100)],
            company=cls.company_b,
        )
        cls.env["crm.cost.entry"].create(
            {"name": "Tools", "date": date(2024, 1, 1), "amount": 10}
        )
        cls.employee = new_test_user(
            cls.env, login="loyalty_employee", groups="base.group_user"
        )

    def test_company_b_sees_its_own_rows(self):
        for model in ("crm.repurchase.report", "crm.cohort.report", "crm.roi.report"):
            with self.subTest(model=model):
                rows = self.env[model].with_user(self.user_company_b).search([])
                self.assertTrue(rows)
                self.assertEqual(rows.company_id, self.company_b)
        self.assertFalse(
            self.env["crm.cost.entry"].with_user(self.user_company_b).search([])
        )

    def test_salesperson_reads_manager_configures(self):
        for model in REPORTS:
            with self.subTest(model=model):
                self.env[model].with_user(self.salesman).search([])
        self.assertTrue(self.env["crm.cost.entry"].with_user(self.salesman).search([]))
        with self.assertRaises(AccessError):
            self.env["crm.cost.entry"].with_user(self.salesman).create(
                {"name": "Nope", "amount": 1}
            )
        with self.assertRaises(AccessError):
            self.env["crm.salesperson.scorecard"].with_user(self.salesman).create({})
        scorecard = (
            self.env["crm.salesperson.scorecard"]
            .with_user(self.sales_manager)
            .create({})
        )
        self.assertTrue(scorecard.date_from <= scorecard.date_to)
        data = (
            self.env["crm.analytics.dashboard"]
            .with_user(self.sales_manager)
            .get_dashboard_data({})
        )
        self.assertEqual(len(data["pyramid"]), 4)

    def test_results_belong_to_their_user(self):
        """A scorecard, an ROI and a tier migration are read and computed by
        the user who made them only: not by a manager of another company,
        nor by another manager of the same one."""
        other_manager = new_test_user(
            self.env,
            login="loyalty_other_manager",
            groups="sales_team.group_sale_manager",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        for model, compute in (
            ("crm.salesperson.scorecard", "action_compute"),
            ("crm.roi.wizard", "action_compute"),
            ("crm.tier.migration.wizard", "action_open_matrix"),
        ):
            with self.subTest(model=model):
                Wizard = self.env[model].with_user(self.sales_manager)
                mine = Wizard.create({})
                getattr(mine, compute)()
                self.assertEqual(Wizard.search([("id", "=", mine.id)]), mine)
                for intruder in (self.user_company_b, other_manager):
                    theirs = mine.with_user(intruder)
                    self.assertFalse(theirs.search([("id", "=", mine.id)]))
                    with self.assertRaises(AccessError):
                        theirs.read(["create_uid"])
                    with self.assertRaises(AccessError):
                        getattr(theirs, compute)()
        # a customer of the salesperson, scored for 2024
        self.post_invoices([(self.customer("Scored Customer"), date(2024, 3, 5), 100)])
        lines = (
            self.env["crm.salesperson.scorecard"]
            .with_user(self.sales_manager)
            .create({"date_from": date(2024, 1, 1), "date_to": date(2024, 12, 31)})
        )
        lines.action_compute()
        self.assertTrue(lines.line_ids)
        with self.assertRaises(AccessError):
            lines.line_ids.with_user(other_manager).read(["user_id"])

    def test_plain_employee_is_refused(self):
        for model in (*REPORTS, "crm.cost.entry"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.employee).search([])
        with self.assertRaises(AccessError):
            self.env["crm.analytics.dashboard"].with_user(
                self.employee
            ).get_dashboard_data({})
        with self.assertRaises(AccessError):
            self.env["crm.roi.report"].with_user(self.employee).roi(
                date(2024, 1, 1), date(2024, 6, 30)
            )
