from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestPartnerBadges(HttpCase):
    """A salesperson sees the customer's lifecycle stage, value tier, CSI and
    NPS category next to the name on the partner form at 1440 × 900, in
    English and in Chinese: not among the stat buttons that Odoo folds
    into "More" below 1534 px."""

    browser_size = "1440x900"

    def setUp(self):
        super().setUp()
        # a customer of the demo data who answered a satisfaction survey
        if not self.env.ref("crm_lifecycle.demo_partner_northwind", False):
            self.skipTest("needs the demo data")
        response = self.env["survey.user_input"].search(
            [
                ("state", "=", "done"),
                ("crm_partner_id", "!=", False),
                ("crm_nps_category", "!=", False),
            ],
            limit=1,
        )
        self.assertTrue(response, "the demo holds a completed survey with an NPS")
        self.partner = response.crm_partner_id
        # the stage and tier written as the nightly recompute would
        self.partner.with_company(response.crm_company_id).write(
            {"lifecycle_stage": "growing", "value_tier": "vip"}
        )
        self.url = f"/odoo/contacts/{self.partner.id}"

    def test_badges_in_english(self):
        self.start_tour(self.url, "crm_analytics_partner_badges_tour", login="admin")

    def test_badges_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["crm_lifecycle", "crm_satisfaction", "crm_analytics"],
            ["zh_CN"],
            overwrite=True,
        )
        self.env.ref("base.user_admin").lang = "zh_CN"
        self.start_tour(self.url, "crm_analytics_partner_badges_tour_zh", login="admin")
