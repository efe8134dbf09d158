import re

from freezegun import freeze_time

from odoo.tests import tagged

from ..const import REASON_FIGURES, REASONS
from .common import LifecycleCommon

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@tagged("post_install", "-at_install")
@freeze_time(LifecycleCommon.REF)
class TestLifecycleReasons(LifecycleCommon):
    """A stage's reason is stored as its rule and figures and read in the
    reader's language, with dates and amounts in the reader's format."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            ["crm_lifecycle"], ["zh_CN"], overwrite=True
        )

    def test_every_reason_quotes_the_figures_of_its_rule(self):
        english = self.env(context={"lang": "en_US"})
        chinese = self.env(context={"lang": "zh_CN"})
        for rule, template in REASONS.items():
            with self.subTest(rule=rule):
                figures = sorted(REASON_FIGURES.get(rule, ()))
                self.assertEqual(
                    sorted(PLACEHOLDER.findall(english._(template))), figures
                )
                self.assertEqual(
                    sorted(PLACEHOLDER.findall(chinese._(template))), figures
                )
                self.assertNotEqual(chinese._(template), english._(template))

    def test_reason_in_the_reader_s_language(self):
        partner = self.customer("Growing Fast")
        self.invoice(partner, self.days_before(400), 1000)
        self.invoice(partner, self.days_before(50), 1500)
        profile = self.profile_of(partner)
        self.assertEqual(profile.lifecycle_stage, "growing")
        self.assertEqual(
            profile.stage_reason_figures,
            {"revenue": 1500.0, "growth": 0.1, "revenue_prev": 1000.0},
        )
        self.assertEqual(
            profile.stage_reason,
            "Rule 5: revenue of the last 12 months $\xa01,500.00 is more than "
            "10% above the previous 12 months ($\xa01,000.00).",
        )
        self.assertEqual(
            profile.with_context(lang="zh_CN").stage_reason,
            "规则 5：近 12 个月收入 $\xa01,500.00，比前 12 个月（$\xa01,000.00）"
            "高出 10% 以上。",
        )
        history = self.history_of(partner)[-1]
        self.assertEqual(history.stage_to, "growing")
        self.assertEqual(
            history.with_context(lang="zh_CN").reason,
            profile.with_context(lang="zh_CN").stage_reason,
        )

    def test_dates_in_the_reader_s_format(self):
        partner = self.customer("Long Gone")
        self.invoice(partner, self.days_before(500), 100)
        profile = self.profile_of(partner)
        self.assertEqual(
            profile.with_context(lang="zh_CN").stage_reason,
            "规则 2：自 2024年02月16日 起未再购买，超过了 365 天的流失期。",
        )

    def test_reason_set_by_hand_is_shown_as_written(self):
        partner = self.customer("Held")
        self.invoice(partner, self.days_before(30), 100)
        profile = self.profile_of(partner)
        profile.with_user(self.sales_manager).set_stage("mature", "Parent group")
        self.assertEqual(profile.stage_rule, "manual")
        self.assertEqual(
            profile.with_context(lang="zh_CN").stage_reason, "Parent group"
        )
        history = self.history_of(partner)[-1]
        self.assertEqual(history.with_context(lang="zh_CN").reason, "Parent group")
        self.assertFalse(history.reason_figures)

    def test_recompute_tells_what_changed(self):
        """The Recompute button evaluates as of today and says what changed,
        then the screen reloads."""
        partner = self.customer("Moving On")
        partner.user_id = self.salesman
        self.invoice(partner, self.days_before(100), 100)
        # evaluated 50 days ago: new then
        profile = self.profile_of(partner, self.days_before(50))
        self.assertEqual(profile.lifecycle_stage, "new")
        profile = profile.with_user(self.salesman)
        action = profile.action_recompute()
        self.assertEqual(profile.lifecycle_stage, "growing")
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["next"]["tag"], "soft_reload")
        self.assertEqual(
            action["params"]["message"], "Moving On moved from New to Growing."
        )
        self.assertEqual(
            profile.with_context(lang="zh_CN").action_recompute()["params"]["message"],
            "Moving On 保持在成长期；其事实数据已更新至今日。",
        )
        other = self.customer("Staying")
        other.user_id = self.salesman
        self.invoice(other, self.days_before(10), 100)
        both = profile | self.profile_of(other).with_user(self.salesman)
        self.assertEqual(
            both.action_recompute()["params"]["message"],
            "2 customers evaluated as of today, 0 changed stage.",
        )
