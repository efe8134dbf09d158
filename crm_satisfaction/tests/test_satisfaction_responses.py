from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import SatisfactionCommon


@tagged("post_install", "-at_install")
class TestSatisfactionResponses(SatisfactionCommon):
    def test_question_measures_are_validated(self):
        base = {"survey_id": self.survey.id, "title": "Bad question"}
        for values in (
            {"question_type": "char_box", "crm_measure": "overall"},
            {"question_type": "scale", "scale_min": 1, "scale_max": 10,
             "crm_measure": "recommend"},
            {"question_type": "scale", "scale_min": 0, "scale_max": 4,
             "crm_measure": "kano_functional", "crm_dimension_id": self.dim_a.id},
            {"question_type": "scale", "scale_min": 1, "scale_max": 5,
             "crm_measure": "perception"},
        ):  # fmt: skip
            with self.subTest(values=values), self.assertRaises(ValidationError):
                self.env["survey.question"].create(base | values)
        question = self.env["survey.question"].create(
            base
            | {
                "question_type": "scale",
                "scale_min": 0,
                "scale_max": 10,
                "crm_measure": "recommend",
            }
        )
        self.assertEqual(question.crm_measure, "recommend")

    def test_bad_answers_are_refused_and_nothing_is_stored(self):
        results = self.env["crm.satisfaction.result"]
        before = self.env["survey.user_input.line"].search_count([])
        self.q["expectation_a"].scale_min = 0
        # The respondent's request is rolled back as a whole (a savepoint here).
        with (
            self.assertRaisesRegex(ValidationError, "expectation must be above 0"),
            self.env.cr.savepoint(),
        ):
            self.respond({"expectation_a": 0, "perception_a": 3})
        with (
            self.assertRaisesRegex(ValidationError, "outside its scale"),
            self.env.cr.savepoint(),
        ):
            self.respond({"overall": 6})
        self.assertEqual(self.env["survey.user_input.line"].search_count([]), before)
        self.assertFalse(results.search([("partner_id", "=", self.customer.id)]))

    def test_completion_stores_results_and_partner_figures(self):
        contact = self.env["res.partner"].create(
            {"name": "Buyer", "parent_id": self.customer.id}
        )
        self.customer.user_id = self.salesman
        first = self.respond(
            {"expectation_a": 4, "perception_a": 4, "recommend": 3},
            partner=contact,
        )
        first.end_datetime = fields.Datetime.now() - timedelta(days=3)
        self.respond(
            {"expectation_a": 4, "perception_a": 5, "recommend": 9},
            partner=contact,
        )
        self.respond({}, partner=contact, done=False)
        # facts on the commercial partner, with its salesperson
        result = self.env["crm.satisfaction.result"].search(
            [("partner_id", "=", self.customer.id)], order="ratio"
        )
        self.assertEqual(result.mapped("ratio"), [1.0, 1.25])
        self.assertEqual(result.user_id, self.salesman)
        self.assertEqual(result.dimension_id, self.dim_a)
        for partner in (self.customer, contact):
            self.assertAlmostEqual(partner.crm_satisfaction_csi, 1.25)
            self.assertEqual(partner.crm_nps_category, "promoter")
            self.assertEqual(partner.crm_satisfaction_count, 2)
        # the salesperson sees the same figures on the partner form
        as_sales = self.customer.with_user(self.salesman)
        self.assertEqual(as_sales.crm_satisfaction_count, 2)

    def test_no_survey_without_an_e_mail_address(self):
        """The invitation goes by e-mail: without an address the user is
        told so (in their language), and no invitation is prepared."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["crm_satisfaction"], ["zh_CN"], overwrite=True
        )
        customer = self.env["res.partner"].create({"name": "No Mail Ltd"})
        with self.assertRaises(UserError) as caught:
            customer.with_user(self.salesman).action_crm_send_survey()
        self.assertEqual(
            str(caught.exception),
            "No Mail Ltd has no e-mail address: add one to the contact to send "
            "a satisfaction survey.",
        )
        with self.assertRaises(UserError) as caught:
            customer.with_user(self.salesman).with_context(
                lang="zh_CN"
            ).action_crm_send_survey()
        self.assertEqual(
            str(caught.exception),
            "No Mail Ltd 没有电子邮件地址："
            "请先为该联系人添加电子邮件地址，再发送满意度调查。",
        )
        invoice = self.init_invoice("out_invoice", partner=customer, amounts=[100])
        with self.assertRaises(UserError):
            invoice.action_crm_send_survey()
        self.assertFalse(
            self.env["survey.user_input"].search([("partner_id", "=", customer.id)])
        )

    def test_send_from_invoice_keeps_the_link(self):
        invoice = self.init_invoice(
            "out_invoice", partner=self.customer, amounts=[100], post=True
        )
        action = invoice.action_crm_send_survey()
        self.assertEqual(action["res_model"], "survey.invite")
        wizard = (
            self.env["survey.invite"]
            .with_context(**action["context"])
            .create({"survey_id": self.survey.id})
        )
        self.assertEqual(wizard.partner_ids, self.customer)
        wizard.action_invite()
        response = invoice.crm_survey_input_ids
        self.assertEqual(len(response), 1)
        self.assertEqual(response.crm_partner_id, self.customer)
        self.assertEqual(response.crm_company_id, invoice.company_id)
        self.assertEqual(response.survey_id, self.survey)

    def test_send_from_sale_order_and_partner(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.product_a.id})],
            }
        )
        order.action_confirm()
        action = order.action_crm_send_survey()
        self.env["survey.invite"].with_context(**action["context"]).create(
            {"survey_id": self.survey.id}
        ).action_invite()
        self.assertEqual(order.crm_survey_input_ids.crm_partner_id, self.customer)
        action = self.customer.action_crm_send_survey()
        self.assertEqual(
            action["context"]["default_survey_id"],
            self.env.ref("crm_satisfaction.survey_customer_satisfaction").id,
        )

    def test_cron_invites_after_invoicing_once_per_interval(self):
        today = fields.Date.context_today(self.env.user)
        self.company.write(
            {
                "crm_survey_auto_send": True,
                "crm_survey_auto_survey_id": self.survey.id,
                "crm_survey_delay_days": 7,
                "crm_survey_min_interval_days": 90,
            }
        )
        self.customer.email = "satisfied@example.com"
        other = self.env["res.partner"].create(
            {"name": "Other Customer", "email": "other@example.com"}
        )
        no_email = self.env["res.partner"].create({"name": "No Email Customer"})
        due = today - timedelta(days=7)
        for partner, invoice_date in (
            (self.customer, due),
            (self.customer, due),  # a second invoice: still one invitation
            (other, due),
            (other, today - timedelta(days=6)),  # not due yet
            (no_email, due),  # cannot be invited by email
        ):
            self.init_invoice(
                "out_invoice",
                partner=partner,
                invoice_date=invoice_date,
                amounts=[100],
                post=True,
            )
        invited = self.env["account.move"]._cron_crm_send_surveys()
        self.assertEqual(invited.crm_partner_id, self.customer | other)
        self.assertEqual(len(invited), 2)
        self.assertTrue(all(invited.mapped("crm_invoice_id")))
        # again the same day: both were invited within 90 days
        self.assertFalse(self.env["account.move"]._cron_crm_send_surveys())

    def test_settings_bounds(self):
        Settings = self.env["res.config.settings"].with_company(self.company)
        for values, message in (
            (
                {"crm_survey_delay_days": 3651},
                "Days After Invoice must be between 0 and 3,650 days, not 3,651.",
            ),
            (
                {"crm_survey_min_interval_days": -1},
                "Ask a Customer at Most Every (days) must be between 0 and 3,650 "
                "days, not -1.",
            ),
            (
                {"crm_satisfaction_min_responses": 0},
                "Minimum Responses must be between 1 and 1,000,000, not 0.",
            ),
            (
                {"crm_index_weight_value": 1e6},
                "Index Weight: Value must be between 0 and 100, not 1,000,000.",
            ),
            (
                {"crm_matrix_importance_mid": 11},
                "Importance Mid-point must be between 0 and 10, not 11.",
            ),
        ):
            with (
                self.subTest(values=values),
                self.assertRaises(ValidationError) as raised,
            ):
                Settings.create(values).execute()
            self.assertEqual(
                raised.exception.args[0], f"{self.company.name}: {message}"
            )
        Settings.create(
            {"crm_survey_delay_days": 3650, "crm_survey_min_interval_days": 0}
        ).execute()
        self.assertEqual(
            (
                self.company.crm_survey_delay_days,
                self.company.crm_survey_min_interval_days,
            ),
            (3650, 0),
        )

    def test_auto_send_needs_a_survey(self):
        with self.assertRaises(ValidationError):
            self.company.write(
                {"crm_survey_auto_send": True, "crm_survey_auto_survey_id": False}
            )

    def test_analysis_wizard_matrix_chart_and_drill_down(self):
        self.respond(
            {
                "importance_a": 5, "perception_a": 2, "expectation_a": 4,
                "importance_b": 2, "perception_b": 5, "expectation_b": 4,
                "overall": 4,
            }
        )  # fmt: skip
        self.respond({}, done=False)
        wizard = self.env["crm.satisfaction.matrix"].create(
            {"survey_ids": [Command.set(self.survey.ids)]}
        )
        wizard.action_compute()
        self.assertEqual((wizard.responses, wizard.invited), (1, 2))
        self.assertAlmostEqual(wizard.response_rate, 50.0)
        self.assertTrue(wizard.low_confidence)
        self.assertTrue(wizard.has_csat)
        self.assertFalse(wizard.has_nps)
        lines = {line.dimension_id: line for line in wizard.line_ids}
        self.assertEqual(lines[self.dim_a].quadrant, "urgent")
        self.assertEqual(lines[self.dim_b].quadrant, "surplus")
        # the chart: both dimensions, quadrant lines at the means
        # (importance (5 + 2) / 2, satisfaction (2 + 5) / 2)
        self.assertEqual(
            wizard.chart,
            {
                "points": [
                    {
                        "dimension_id": self.dim_a.id,
                        "name": self.dim_a.display_name,
                        "importance": 5.0,
                        "perception": 2.0,
                        "quadrant": "urgent",
                    },
                    {
                        "dimension_id": self.dim_b.id,
                        "name": self.dim_b.display_name,
                        "importance": 2.0,
                        "perception": 5.0,
                        "quadrant": "surplus",
                    },
                ],
                "thresholds": {"importance": 3.5, "satisfaction": 3.5},
                "quadrants": {
                    "urgent": "Urgent improvement",
                    "advantage": "Competitive advantage",
                    "secondary": "Secondary improvement",
                    "surplus": "Surplus",
                },
            },
        )
        self.assertEqual(wizard.display_name, "Satisfaction Analysis")
        action = lines[self.dim_a].action_view_answers()
        answers = self.env["survey.user_input.line"].search(action["domain"])
        self.assertEqual(sorted(answers.mapped("value_scale")), [2, 4, 5])
        # the list shows who answered what, as the web client reads it
        [(view_id, _list), _form] = action["views"]
        rows = answers.with_user(self.salesman).web_search_read(
            action["domain"],
            {"crm_partner_id": {"fields": {"display_name": {}}}, "value_scale": {}},
        )["records"]
        self.assertEqual(
            {row["crm_partner_id"]["display_name"] for row in rows},
            {"Satisfied Customer"},
        )
        arch = self.env["survey.user_input.line"].get_views([(view_id, "list")])
        list_fields = arch["models"]["survey.user_input.line"]["fields"]
        self.assertTrue(
            {"crm_partner_id", "question_id", "value_scale"} <= set(list_fields)
        )

    def test_analysis_opens_on_its_figures(self):
        """The menu opens the last 12 months' figures; Compute shows new
        figures in the same screen; only satisfaction users open it."""
        self.respond({"importance_a": 5, "perception_a": 2, "overall": 4})
        Matrix = self.env["crm.satisfaction.matrix"].with_user(self.salesman)
        action = Matrix.action_open()
        analysis = Matrix.browse(action["res_id"])
        today = fields.Date.context_today(analysis)
        self.assertEqual(
            (action["res_model"], action["view_mode"], action["name"]),
            ("crm.satisfaction.matrix", "form", "Satisfaction Analysis"),
        )
        self.assertEqual(
            (analysis.date_from, analysis.date_to),
            (today - timedelta(days=364), today),
        )
        self.assertEqual((analysis.computed, analysis.responses), (True, 1))
        self.respond({"importance_a": 3, "perception_a": 4, "overall": 5})
        self.assertFalse(analysis.action_compute())
        self.assertEqual(analysis.responses, 2)
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["crm_satisfaction"], ["zh_CN"], overwrite=True
        )
        chinese = analysis.with_context(lang="zh_CN")
        self.assertEqual(chinese.display_name, "满意度分析")
        self.assertEqual(chinese.action_open()["name"], "满意度分析")
        outsider = new_test_user(
            self.env, login="sat_outsider", groups="base.group_user"
        )
        with self.assertRaises(AccessError):
            self.env["crm.satisfaction.matrix"].with_user(outsider).action_open()

    def test_kano_of_a_dimension_never_asked_is_empty(self):
        # Quality: Kano answers only, O (1, 5), M (2, 5), A (1, 3): a tie,
        # must-be first; Better (A + O) / (A + O + M + I) = 2/3, Worse
        # -(O + M) / 3 = -2/3. Delivery: expectation and perception only.
        for functional, dysfunctional in ((1, 5), (2, 5), (1, 3)):
            self.respond(
                {
                    "kano_functional_a": functional,
                    "kano_dysfunctional_a": dysfunctional,
                    "expectation_b": 4,
                    "perception_b": 3,
                }
            )
        figures = self.analyse()["dimensions"]
        quality, delivery = figures[self.dim_a.id], figures[self.dim_b.id]
        self.assertEqual(quality["kano"], "M")
        self.assertAlmostEqual(quality["better"], 2 / 3)
        self.assertAlmostEqual(quality["worse"], -2 / 3)
        for key in ("expectation", "perception", "importance", "ratio"):
            self.assertIsNone(quality[key], key)
        self.assertEqual(
            (delivery["kano"], delivery["better"], delivery["worse"]),
            (None, None, None),
        )
        self.assertAlmostEqual(delivery["ratio"], 0.75)
        # stored results: no category where Kano was not asked
        results = self.env["crm.satisfaction.result"].search(
            [("survey_id", "=", self.survey.id)]
        )
        by_dimension = {
            dimension: results.filtered(lambda r, d=dimension: r.dimension_id == d)
            for dimension in (self.dim_a, self.dim_b)
        }
        self.assertEqual(
            sorted(by_dimension[self.dim_a].mapped("kano_category")), ["A", "M", "O"]
        )
        self.assertEqual(by_dimension[self.dim_b].mapped("kano_category"), [False] * 3)
        # and no C where expectation and perception were not asked
        self.assertEqual(by_dimension[self.dim_a].mapped("has_ratio"), [False] * 3)
        self.assertEqual(by_dimension[self.dim_b].mapped("has_ratio"), [True] * 3)
        self.assertEqual(by_dimension[self.dim_b].mapped("has_importance"), [False] * 3)
        self.assertEqual(by_dimension[self.dim_b].mapped("ratio"), [0.75] * 3)
        # the wizard: empty, with a flag that hides the 0.00 Odoo would show
        wizard = self.env["crm.satisfaction.matrix"].create(
            {"survey_ids": [Command.set(self.survey.ids)]}
        )
        wizard.action_compute()
        lines = {line.dimension_id: line for line in wizard.line_ids}
        quality, delivery = lines[self.dim_a], lines[self.dim_b]
        self.assertEqual(
            (quality.kano, quality.has_better_worse, quality.better, quality.worse),
            ("M", True, 0.67, -0.67),
        )
        self.assertEqual((delivery.kano, delivery.has_better_worse), (False, False))
        self.assertEqual(
            (quality.has_ratio, quality.has_importance, delivery.has_ratio),
            (False, False, True),
        )
        self.assertAlmostEqual(delivery.ratio, 0.75)
        arch = wizard.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="better" invisible="not has_better_worse"', arch)

    def test_results_carry_the_product_of_the_order(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.product_a.id})],
            }
        )
        response = self.respond(
            {"expectation_a": 4, "perception_a": 3}, crm_sale_order_id=order.id
        )
        self.assertEqual(response.crm_product_id, self.product_a)
        self.assertEqual(response.crm_result_ids.product_id, self.product_a)
