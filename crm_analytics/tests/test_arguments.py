from freezegun import freeze_time

from odoo.api import call_kw
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.crm_lifecycle.tests.common import readonly_env

from .common import AnalyticsCommon

NOT_A_DATE = "“{}” is not a date (expected YYYY-MM-DD)."
BACKWARDS = "The period ends (05/31/2025) before it starts (06/30/2025)."


@tagged("post_install", "-at_install")
@freeze_time(AnalyticsCommon.REF)
class TestArguments(AnalyticsCommon):
    """The analyses answer bad arguments with a UserError in the user's
    language instead of a traceback or silent zeros, and run on a read-only
    cursor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partners = cls.customers(5, prefix="Argued")
        cls.post_invoices(
            [
                (partner, cls.days_before(10), amount)
                for partner, amount in zip(
                    cls.partners, (500, 300, 100, 60, 40), strict=True
                )
            ]
        )
        cls.Dashboard = cls.env["crm.analytics.dashboard"].with_context(
            allowed_company_ids=cls.company.ids
        )

    def assertUserError(self, message, model, method, args, kwargs=None):
        with self.assertRaises(UserError) as caught:
            call_kw(model, method, args, kwargs or {})
        self.assertEqual(str(caught.exception), message)

    def test_reference_dates(self):
        Pareto = self.env["crm.pareto.report"].with_company(self.company)
        Profile = self.Profile.with_company(self.company)
        for model, method in ((Pareto, "pareto"), (Profile, "clv")):
            for value in ("abc", 12, "2026-13-01", ["2025-06-30"]):
                with self.subTest(method=method, value=value):
                    shown = value if isinstance(value, str) else str(value)
                    self.assertUserError(
                        f"Reference date: {NOT_A_DATE.format(shown)}",
                        model,
                        method,
                        [value],
                    )
        # today by default
        self.assertEqual(
            call_kw(Pareto, "pareto", [], {}), {"customers": 5, "share_for_80": 40.0}
        )

    def test_periods(self):
        """roi and migration_matrix take a period: both dates, the end on or
        after the start (roi answered zeros for a backward period)."""
        Roi = self.env["crm.roi.report"].with_company(self.company)
        for model, method in (
            (Roi, "roi"),
            (self.Period.with_company(self.company), "migration_matrix"),
        ):
            for args, message in (
                (["2025-06-30", "2025-05-31"], BACKWARDS),
                (["2025-06-30", "abc"], f"End date: {NOT_A_DATE.format('abc')}"),
                ([12, "2025-06-30"], f"Start date: {NOT_A_DATE.format(12)}"),
                ([None, "2025-06-30"], "Start date is missing: give a date."),
            ):
                with self.subTest(method=method, args=args):
                    self.assertUserError(message, model, method, args)
        roi = call_kw(Roi, "roi", ["2025-06-01", "2025-06-30"], {})
        self.assertEqual((roi["revenue"], roi["cost"]), (1000.0, None))

    def test_dashboard_filters(self):
        team = self.env["crm.team"].create({"name": "Argued Team"})
        allowed = "allowed: date_from, date_to, team_id, user_id."
        for filters, message in (
            ("abc", "Filters must be a dictionary, not “abc”."),
            ([1, 2], "Filters must be a dictionary, not “[1, 2]”."),
            ({"team": 1}, f"Filters: unknown keys team; {allowed}"),
            (
                {"team_id": str(team.id)},
                f"Sales Team: expected Sales Team records or their ids, "
                f"not “{team.id}”.",
            ),
            (
                {"user_id": [self.salesman.id]},
                f"Salesperson: expected User records or their ids, "
                f"not “[{self.salesman.id}]”.",
            ),
            (
                {"user_id": 1.5},
                "Salesperson: expected User records or their ids, not “1.5”.",
            ),
            (
                {"date_from": "2025-06-30", "date_to": "2025-05-31"},
                BACKWARDS,
            ),
            ({"date_to": "30/06/2025"}, f"End date: {NOT_A_DATE.format('30/06/2025')}"),
        ):
            with self.subTest(filters=filters):
                self.assertUserError(
                    message, self.Dashboard, "get_dashboard_data", [filters]
                )
        data = call_kw(
            self.Dashboard,
            "get_dashboard_data",
            [{"team_id": team.id, "date_from": False, "date_to": "2025-06-30"}],
            {},
        )
        self.assertEqual(
            data["filters"],
            {
                "date_from": "2024-07-01",
                "date_to": "2025-06-30",
                "team_id": team.id,
                "user_id": False,
            },
        )

    def test_messages_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        with self.assertRaises(UserError) as caught:
            self.Dashboard.with_context(lang="zh_CN").get_dashboard_data(
                {"date_from": "2025-06-30", "date_to": "2025-05-31"}
            )
        self.assertEqual(
            str(caught.exception),
            "期间的结束日期（2025年05月31日）早于开始日期（2025年06月30日）。",
        )
        with self.assertRaises(UserError) as caught:
            self.Dashboard.with_context(lang="zh_CN").get_dashboard_data({"x": 1})
        self.assertEqual(
            str(caught.exception),
            "筛选条件：未知的键 x；允许的键：date_from, date_to, team_id, user_id。",
        )

    def test_readonly_analyses_on_a_read_only_cursor(self):
        """Marked ``@api.readonly`` (an Odoo deployment with a replica
        serves them from it), they give the same figures on a read-only
        cursor."""
        readonly = {
            "crm.analytics.dashboard": ["get_dashboard_data", "get_whale_data"],
            "crm.pareto.report": ["pareto"],
            "crm.customer.profile": ["clv"],
            "crm.roi.report": ["roi"],
            "crm.customer.snapshot.period": ["migration_matrix"],
            "crm.satisfaction.analysis": ["compute"],
            "crm.service.case": ["service_controls"],
        }
        for model, methods in readonly.items():
            for method in methods:
                self.assertTrue(
                    getattr(getattr(self.env[model], method), "_readonly", False),
                    f"{model}.{method}",
                )
        # what writes is not marked
        self.assertFalse(hasattr(self.Profile.recompute, "_readonly"))
        self.assertFalse(hasattr(self.Profile.set_stage, "_readonly"))
        self.rank(self.days_before(30))
        self.rank()
        calls = [
            ("crm.pareto.report", "pareto", ["2025-06-30"]),
            ("crm.customer.profile", "clv", ["2025-06-30"]),
            ("crm.roi.report", "roi", ["2025-06-01", "2025-06-30"]),
            (
                "crm.customer.snapshot.period",
                "migration_matrix",
                ["2025-05-31", "2025-06-30"],
            ),
            ("crm.analytics.dashboard", "get_dashboard_data", [{}]),
        ]
        env = self.env(
            context={"allowed_company_ids": self.company.ids}
        )  # the web client's context
        expected = [
            call_kw(env[model], method, args, {}) for model, method, args in calls
        ]
        # n = 5, total 1000: 500 + 300 reach 80 %
        self.assertEqual(expected[0], {"customers": 5, "share_for_80": 40.0})
        # n = 5: VIP 500 (ceil 0.5), no key (ceil 2 = 1 taken), ordinary
        # 300 and 100 (ceil 2.5 = 3), small 60 and 40
        self.assertEqual(
            {tier: figures["customers"] for tier, figures in expected[1].items()},
            {"vip": 1, "ordinary": 2, "small": 2},
        )
        self.assertEqual(expected[2]["revenue"], 1000.0)
        # nobody had a tier a month ago: every one of the five came in
        moved = {
            (row["tier_from"], row["tier_to"]): row["count"]
            for row in expected[3]
            if row["tier_from"] != "none" or row["tier_to"] != "none"
        }
        self.assertEqual(
            moved,
            {("none", "vip"): 1, ("none", "ordinary"): 2, ("none", "small"): 2},
        )
        self.assertEqual(
            sum(tier["count"] for tier in expected[4]["pyramid"] if tier["key"]), 5
        )
        with readonly_env(self, env) as ro_env:
            for (model, method, args), figures in zip(calls, expected, strict=True):
                with self.subTest(method=method):
                    self.assertEqual(call_kw(ro_env[model], method, args, {}), figures)
