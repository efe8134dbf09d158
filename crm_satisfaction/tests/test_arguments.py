import re
from datetime import datetime

from psycopg2.errors import ReadOnlySqlTransaction

from odoo.api import call_kw
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.crm_lifecycle.tests.common import readonly_env

from .common import SatisfactionCommon


@tagged("post_install", "-at_install")
class TestArguments(SatisfactionCommon):
    """compute() and service_controls() answer bad arguments with a
    UserError in the user's language, and run on a read-only cursor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Case = cls.env["crm.service.case"]
        cls.team = cls.env["crm.team"].create({"name": "Argument Team"})
        # R1: C_a = 5/4, overall 5; R2: C_a = 3/4, overall 1 (bottom two)
        for answers in (
            {"expectation_a": 4, "perception_a": 5, "overall": 5},
            {"expectation_a": 4, "perception_a": 3, "overall": 1},
        ):
            cls.respond(answers).sudo().end_datetime = datetime(2025, 5, 10)
        cls.Case.create(
            {
                "name": "Late parcel",
                "partner_id": cls.customer.id,
                "case_type": "complaint",
                "team_id": cls.team.id,
                "date_recorded": datetime(2025, 5, 12),
            }
        )

    def controls(self, *args, **kwargs):
        return self.Case.with_context(crm_now=datetime(2025, 6, 15)).service_controls(
            *args, **kwargs
        )

    def test_compute_refuses_bad_domains(self):
        for domain, message in (
            (
                "abc",
                "“abc” is not a search domain: a list of conditions (field, "
                "operator, value) and of the operators &, | and !.",
            ),
            (
                {"state": "done"},
                "“{'state': 'done'}” is not a search domain: a list of "
                "conditions (field, operator, value) and of the operators &, | "
                "and !.",
            ),
            (
                [1, 2],
                "“[1, 2]” is not a search domain: a list of conditions (field, "
                "operator, value) and of the operators &, | and !.",
            ),
            (
                [("state",)],
                "“[('state',)]” is not a search domain: a list of conditions "
                "(field, operator, value) and of the operators &, | and !.",
            ),
            (
                [("nonsense", "=", 1)],
                "The domain “[('nonsense', '=', 1)]” cannot be searched: Invalid "
                "field survey.user_input.nonsense in leaf ('nonsense', '=', 1)",
            ),
            (
                [("state", "like2", "done")],
                "The domain “[('state', 'like2', 'done')]” cannot be searched: "
                "Invalid leaf ('state', 'like2', 'done')",
            ),
            (
                ["|", ("state", "=", "done")],
                "The domain “['|', ('state', '=', 'done')]” cannot be searched: "
                "Domain ['|', ('state', '=', 'done')] is syntactically not "
                "correct.",
            ),
        ):
            with (
                self.subTest(domain=domain),
                self.assertRaises(UserError) as caught,
            ):
                call_kw(self.Analysis, "compute", [domain], {})
            self.assertEqual(str(caught.exception), message)
        # a list of lists, as JSON sends it, is a domain
        figures = call_kw(
            self.Analysis, "compute", [[["survey_id", "=", self.survey.id]]], {}
        )
        self.assertEqual(figures["responses"], 2)

    def test_service_controls_refuse_bad_dates_and_teams(self):
        for args, message in (
            (
                ["2025-05-31", "2025-05-01"],
                "The period ends (05/01/2025) before it starts (05/31/2025).",
            ),
            (
                ["abc", "2025-05-31"],
                "Start date: “abc” is not a date (expected YYYY-MM-DD).",
            ),
            (
                ["2025-05-01", 20250531],
                "End date: “20250531” is not a date (expected YYYY-MM-DD).",
            ),
            (
                ["2025-05-01", "2025-02-30"],
                "End date: “2025-02-30” is not a date (expected YYYY-MM-DD).",
            ),
            (["2025-05-01", False], "End date is missing: give a date."),
        ):
            with (
                self.subTest(args=args),
                self.assertRaises(UserError) as caught,
            ):
                call_kw(self.Case, "service_controls", args, {})
            self.assertEqual(str(caught.exception), message)
        for team, message in (
            ("abc", "Sales Team: expected Sales Team records or their ids, not “abc”."),
            (
                [self.team.id],
                f"Sales Team: expected Sales Team records or their ids, "
                f"not “[{self.team.id}]”.",
            ),
            (
                self.team | self.env["crm.team"].search([], limit=1),
                "Sales Team: expected Sales Team records or their ids, not ",
            ),
        ):
            with (
                self.subTest(team=team),
                self.assertRaisesRegex(UserError, f"^{re.escape(message)}"),
            ):
                self.controls("2025-05-01", "2025-05-31", team=team)
        # the team's id, as RPC sends it, is the team
        self.assertEqual(
            self.controls("2025-05-01", "2025-05-31", team=self.team.id),
            self.controls("2025-05-01", "2025-05-31", team=self.team),
        )

    def test_messages_in_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        Case = self.Case.with_context(lang="zh_CN")
        with self.assertRaises(UserError) as caught:
            Case.service_controls("2025-05-01", "abc")
        self.assertEqual(
            str(caught.exception), "结束日期：“abc”不是日期（应为 YYYY-MM-DD）。"
        )
        with self.assertRaises(UserError) as caught:
            self.Analysis.with_context(lang="zh_CN").compute("abc")
        self.assertTrue(str(caught.exception).startswith("“abc”不是搜索条件"))

    def test_readonly_on_a_read_only_cursor(self):
        """Marked ``@api.readonly``: the web client's call_kw serves them from
        a read-only cursor (a replica), where they give the same figures."""
        for model, method in (
            ("crm.satisfaction.analysis", "compute"),
            ("crm.service.case", "service_controls"),
        ):
            self.assertTrue(getattr(self.env[model], method)._readonly)
        domain = [("survey_id", "=", self.survey.id)]
        figures = self.Analysis.compute(domain)
        controls = self.controls("2025-05-01", "2025-05-31")
        # R1 C = 1.25, R2 C = 0.75; overall 5 and 1: CSAT 50 %
        self.assertAlmostEqual(figures["csi"], 1.0)
        self.assertAlmostEqual(figures["csat"], 50.0)
        # one complaint, no invoice; one of two responses dissatisfied
        self.assertEqual(
            (controls["complaints"], controls["responses"], controls["dissatisfied"]),
            (1, 2, 1),
        )
        with readonly_env(self, self.env) as env:
            self.assertEqual(
                call_kw(env["crm.satisfaction.analysis"], "compute", [domain], {}),
                figures,
            )
            self.assertEqual(
                call_kw(
                    env["crm.service.case"].with_context(crm_now=datetime(2025, 6, 15)),
                    "service_controls",
                    ["2025-05-01", "2025-05-31"],
                    {},
                ),
                controls,
            )
            # and the cursor is read-only indeed (not self.assertRaises: it
            # would flush the test's own cursor on the same connection)
            refused = False
            try:
                with mute_logger("odoo.sql_db"), env.cr.savepoint(flush=False):
                    env.cr.execute("UPDATE crm_team SET sequence = 1")
            except ReadOnlySqlTransaction:
                refused = True
            self.assertTrue(refused)
