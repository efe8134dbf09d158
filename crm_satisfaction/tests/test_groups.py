from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestGroups(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        users = cls.env["res.users"].with_context(no_reset_password=True)
        cls.employee = users.create(
            {
                "name": "Plain Employee",
                "login": "crm_satisfaction_employee",
                "groups_id": [(6, 0, [cls.env.ref("base.group_user").id])],
            }
        )
        cls.salesman = users.create(
            {
                "name": "Sales User",
                "login": "crm_satisfaction_salesman",
                "groups_id": [
                    (6, 0, [cls.env.ref("sales_team.group_sale_salesman").id])
                ],
            }
        )
        cls.sales_manager = users.create(
            {
                "name": "Sales Manager",
                "login": "crm_satisfaction_sales_manager",
                "groups_id": [
                    (6, 0, [cls.env.ref("sales_team.group_sale_manager").id])
                ],
            }
        )

    def test_salesman_is_satisfaction_user_only(self):
        self.assertTrue(
            self.salesman.has_group("crm_satisfaction.group_satisfaction_user")
        )
        self.assertFalse(
            self.salesman.has_group("crm_satisfaction.group_satisfaction_manager")
        )
        # reads and sends satisfaction surveys, edits no survey
        self.assertFalse(self.salesman.has_group("survey.group_survey_user"))
        self.assertTrue(self.sales_manager.has_group("survey.group_survey_user"))

    def test_sales_manager_is_satisfaction_manager(self):
        self.assertTrue(
            self.sales_manager.has_group("crm_satisfaction.group_satisfaction_user")
        )
        self.assertTrue(
            self.sales_manager.has_group("crm_satisfaction.group_satisfaction_manager")
        )

    def test_employee_has_no_satisfaction_group(self):
        self.assertFalse(
            self.employee.has_group("crm_satisfaction.group_satisfaction_user")
        )
        self.assertFalse(
            self.employee.has_group("crm_satisfaction.group_satisfaction_manager")
        )

    def test_manager_group_implies_user_group(self):
        manager = self.env.ref("crm_satisfaction.group_satisfaction_manager")
        user = self.env.ref("crm_satisfaction.group_satisfaction_user")
        self.assertIn(user, manager.trans_implied_ids)
        self.assertIn(self.env.ref("base.user_admin"), manager.users)
