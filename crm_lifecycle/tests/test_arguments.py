from datetime import datetime

from freezegun import freeze_time

from odoo.api import call_kw
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..tools import arguments
from .common import LifecycleCommon

# what a JSON-RPC client may send instead of a date, and the message quoting it
NOT_DATES = [
    ("abc", "“abc”"),
    (12, "“12”"),
    ("2026-13-01", "“2026-13-01”"),
    (["2025-06-30"], "“['2025-06-30']”"),
    ("2025-06-30 garbage", "“2025-06-30 garbage”"),
    (True, "“True”"),
]


@tagged("post_install", "-at_install")
@freeze_time(LifecycleCommon.REF)
class TestArguments(LifecycleCommon):
    """The public methods of crm_lifecycle answer bad arguments with a
    UserError in the user's language before they write anything."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.customer("Argued With")
        cls.invoice(cls.partner, cls.days_before(10), 100)

    def test_to_date(self):
        env = self.env
        for value, expected in (
            ("2025-06-30", self.REF),
            ("2025-06-30 23:59:59", self.REF),
            (self.REF, self.REF),
            (datetime(2025, 6, 30, 12), self.REF),
        ):
            self.assertEqual(
                arguments.to_date(env, value, arguments.REFERENCE_DATE), expected
            )
        for empty in (None, False, ""):
            self.assertIsNone(
                arguments.to_date(env, empty, arguments.REFERENCE_DATE, required=False)
            )
            with self.assertRaisesRegex(
                UserError, "^Reference date is missing: give a date.$"
            ):
                arguments.to_date(env, empty, arguments.REFERENCE_DATE)
        for value, shown in NOT_DATES:
            with (
                self.subTest(value=value),
                self.assertRaises(UserError) as caught,
            ):
                arguments.to_date(env, value, arguments.REFERENCE_DATE)
            self.assertEqual(
                str(caught.exception),
                f"Reference date: {shown} is not a date (expected YYYY-MM-DD).",
            )

    def test_check_period(self):
        self.assertEqual(
            arguments.check_period(self.env, "2025-06-01", self.REF),
            (self.REF.replace(day=1), self.REF),
        )
        with self.assertRaises(UserError) as caught:
            arguments.check_period(self.env, self.REF, "2025-06-01")
        self.assertEqual(
            str(caught.exception),
            "The period ends (06/01/2025) before it starts (06/30/2025).",
        )
        with self.assertRaisesRegex(UserError, "^End date is missing"):
            arguments.check_period(self.env, self.REF, None)

    def test_recompute_refuses_what_is_not_a_date(self):
        Profile = self.Profile.with_company(self.company)
        histories = self.History.search_count([])
        for value, shown in NOT_DATES:
            with (
                self.subTest(value=value),
                self.assertRaises(UserError) as caught,
            ):
                call_kw(Profile, "recompute", [value], {"partners": self.partner.ids})
            self.assertEqual(
                str(caught.exception),
                f"Reference date: {shown} is not a date (expected YYYY-MM-DD).",
            )
        # nothing evaluated
        self.assertEqual(self.History.search_count([]), histories)

    def test_recompute_takes_partner_ids_over_rpc(self):
        """Over JSON-RPC the customers come as a list of ids: evaluated like
        the records, the profiles' ids returned; anything else is refused."""
        Profile = self.Profile.with_company(self.company).with_context(
            allowed_company_ids=self.company.ids
        )
        profiles = call_kw(
            Profile, "recompute", ["2025-06-30"], {"partners": self.partner.ids}
        )
        self.assertEqual(profiles, self.profile_of(self.partner).ids)
        self.assertEqual(Profile.browse(profiles).lifecycle_stage, "new")
        # one id is one customer
        self.assertEqual(
            Profile.recompute(self.REF, partners=self.partner.id).partner_id,
            self.partner,
        )
        missing = self.env["res.partner"].search([], order="id desc", limit=1).id + 1
        for partners, message in (
            (
                "abc",
                "Customers: expected Contact records or their ids, not “abc”.",
            ),
            (
                [self.partner.id, "x"],
                f"Customers: expected Contact records or their ids, "
                f"not “[{self.partner.id}, 'x']”.",
            ),
            (
                [True],
                "Customers: expected Contact records or their ids, not “[True]”.",
            ),
            (
                self.salesman,
                f"Customers: expected Contact records or their ids, "
                f"not “res.users({self.salesman.id},)”.",
            ),
            (
                [missing],
                f"Customers: some of the records [{missing}] do not exist.",
            ),
        ):
            with (
                self.subTest(partners=partners),
                self.assertRaises(UserError) as caught,
            ):
                Profile.recompute(self.REF, partners=partners)
            self.assertEqual(str(caught.exception), message)

    def test_set_stage_refuses_bad_arguments_and_writes_nothing(self):
        profile = self.profile_of(self.partner)
        history = self.history_of(self.partner)
        Profile = self.Profile.with_user(self.sales_manager)
        for args, message in (
            (["mature", "Reason", "abc"], "Override until: “abc” is not a date"),
            (["mature", "Reason", 12], "Override until: “12” is not a date"),
            (["mature", "Reason", "2025-13-01"], "Override until: “2025-13-01”"),
            ([["mature"], "Reason", False], r"Unknown lifecycle stage: \['mature'\]"),
            (["mature", 12, False], "Give a reason"),
            (["mature", ["Reason"], False], "Give a reason"),
        ):
            with (
                self.subTest(args=args),
                self.assertRaisesRegex(UserError, f"^{message}"),
            ):
                call_kw(Profile, "set_stage", [profile.ids, *args], {})
        self.assertEqual(profile.lifecycle_stage, "new")
        self.assertFalse(profile.stage_locked_until)
        self.assertEqual(self.history_of(self.partner), history)
        # the same call with a date string works
        call_kw(
            Profile, "set_stage", [profile.ids, "mature", "Reason", "2025-07-31"], {}
        )
        self.assertEqual(profile.lifecycle_stage, "mature")
        self.assertEqual(str(profile.stage_locked_until), "2025-07-31")

    def test_messages_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        Profile = self.Profile.with_context(lang="zh_CN")
        with self.assertRaises(UserError) as caught:
            Profile.recompute("abc", partners=self.partner)
        self.assertEqual(
            str(caught.exception), "参考日期：“abc”不是日期（应为 YYYY-MM-DD）。"
        )
        with self.assertRaises(UserError) as caught:
            arguments.check_period(Profile.env, "2025-06-30", "2025-06-01")
        self.assertEqual(
            str(caught.exception),
            "期间的结束日期（2025年06月01日）早于开始日期（2025年06月30日）。",
        )
