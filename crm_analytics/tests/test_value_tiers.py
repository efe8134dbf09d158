import math

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import AnalyticsCommon


def expected_score(values, mine, worse):
    """DOMAIN §2: 1 + floor(5 k / n), k = values strictly worse than mine."""
    k = sum(1 for value in values if worse(value, mine))
    return 1 + math.floor(5 * k / len(values))


@tagged("post_install", "-at_install")
class TestValueTiers(AnalyticsCommon):
    def assert_tier_boundaries(self, n, vip, key, ordinary):
        """n customers whose revenues come in equal pairs: the tiers follow
        the rank by revenue, ties broken by the lower partner id."""
        partners = self.customers(n)
        amounts = {p: 1000 - 10 * (i // 2) for i, p in enumerate(partners)}
        self.post_invoices(
            [(p, self.days_before(30), amount) for p, amount in amounts.items()]
        )
        self.rank()
        order = sorted(partners, key=lambda p: (-amounts[p], p.id))
        expected = {}
        for position, partner in enumerate(order, start=1):
            if position <= vip:
                expected[partner] = "vip"
            elif position <= key:
                expected[partner] = "key"
            elif position <= ordinary:
                expected[partner] = "ordinary"
            else:
                expected[partner] = "small"
        profiles = self.profiles(partners)
        self.assertEqual(len(profiles), n)
        self.assertEqual(
            {p.partner_id: p.value_tier for p in profiles},
            expected,
        )
        # The partner mirrors the tier in the current company.
        self.assertEqual(order[0].with_company(self.company).value_tier, "vip")
        ranking = self.Ranking.search([("company_id", "=", self.company.id)])
        self.assertEqual((ranking.date, ranking.customer_count), (self.REF, n))
        return order, profiles

    def test_tier_boundaries_n1(self):
        self.assert_tier_boundaries(1, 1, 1, 1)

    def test_tier_boundaries_n19(self):
        # ceil(0.95) = 1, ceil(3.8) = 4, ceil(9.5) = 10
        order, _profiles = self.assert_tier_boundaries(19, 1, 4, 10)
        # ranks 4 and 5 share a revenue: the lower id is key, the other ordinary
        self.assertEqual(
            (order[3].value_tier, order[4].value_tier), ("key", "ordinary")
        )

    def test_tier_boundaries_n20(self):
        self.assert_tier_boundaries(20, 1, 4, 10)

    def test_tier_boundaries_n21(self):
        # ceil(1.05) = 2, ceil(4.2) = 5, ceil(10.5) = 11
        order, _profiles = self.assert_tier_boundaries(21, 2, 5, 11)
        # ranks 1 and 2 tie, both VIP; ranks 3 and 4 tie across no boundary
        self.assertEqual(order[1].value_tier, "vip")
        self.assertEqual(order[2].value_tier, "key")

    def test_tier_boundaries_n100(self):
        _order, profiles = self.assert_tier_boundaries(100, 5, 20, 50)
        counts = {
            tier: len(profiles.filtered(lambda p, t=tier: p.value_tier == t))
            for tier in ("vip", "key", "ordinary", "small")
        }
        self.assertEqual(counts, {"vip": 5, "key": 15, "ordinary": 30, "small": 50})

    def test_quintile_scores_with_ties(self):
        # (days before REF of each invoice, amount of each invoice)
        plan = [
            ([10], 100),
            ([10, 200], 50),
            ([40, 50], 100),
            ([40], 300),
            ([40, 60, 70], 100),
            ([100], 300),
            ([5, 6], 200),
            ([5, 300, 310, 320], 125),
            ([1], 600),
            ([2, 3], 350),
        ]
        partners = self.customers(len(plan))
        self.post_invoices(
            [
                (partner, self.days_before(days), amount)
                for partner, (days_list, amount) in zip(partners, plan, strict=True)
                for days in days_list
            ]
        )
        self.rank()
        recency = [min(days) for days, _a in plan]
        frequency = [len(days) for days, _a in plan]
        monetary = [len(days) * amount for days, amount in plan]
        # hand check of the monetary scores: revenues 100 100 200 300 300 300
        # 400 500 600 700 -> k 0 0 2 3 3 3 6 7 8 9 -> 1 1 2 2 2 2 4 4 5 5
        self.assertEqual(
            sorted(expected_score(monetary, m, lambda v, x: v < x) for m in monetary),
            [1, 1, 2, 2, 2, 2, 4, 4, 5, 5],
        )
        for index, partner in enumerate(partners):
            profile = self.profiles(partner)
            with self.subTest(customer=index):
                self.assertEqual(profile.rfm_frequency, frequency[index])
                self.assertEqual(profile.rfm_monetary, monetary[index])
                self.assertEqual(
                    profile.rfm_recency_score,
                    expected_score(recency, recency[index], lambda v, x: v > x),
                )
                self.assertEqual(
                    profile.rfm_frequency_score,
                    expected_score(frequency, frequency[index], lambda v, x: v < x),
                )
                self.assertEqual(
                    profile.rfm_monetary_score,
                    expected_score(monetary, monetary[index], lambda v, x: v < x),
                )
        # days since the last purchase: 10 10 40 40 40 100 5 5 1 2; the
        # 1-day buyer has 9 worse -> 5, the two at 5 days share 1 + 5*6/10 = 4,
        # the 100-day one has none worse -> 1
        self.assertEqual(self.profiles(partners[8]).rfm_recency_score, 5)
        self.assertEqual(
            (self.profiles(partners[6]) | self.profiles(partners[7])).mapped(
                "rfm_recency_score"
            ),
            [4, 4],
        )
        self.assertEqual(self.profiles(partners[5]).rfm_recency_score, 1)
        # read together, on the profile and its current snapshot period
        best = self.profiles(partners[8])
        self.assertEqual(
            best.rfm_scores,
            f"R {best.rfm_recency_score} · F {best.rfm_frequency_score} "
            f"· M {best.rfm_monetary_score}",
        )
        period = self.env["crm.customer.snapshot.period"].search(
            [("partner_id", "=", partners[8].id), ("date_to", "=", False)]
        )
        self.assertEqual(period.rfm_scores, best.rfm_scores)

    def test_refund_to_zero_removes_tier(self):
        partners = self.customers(3)
        keeper, refunded, old_refund = partners
        self.post_invoices(
            [
                (keeper, self.days_before(20), 400),
                (refunded, self.days_before(20), 500),
                (refunded, self.days_before(10), 500, "out_refund"),
                (old_refund, self.days_before(100), 300),
                # a credit note older than the window does not count
                (old_refund, self.days_before(400), 300, "out_refund"),
            ]
        )
        self.rank()
        by_partner = {p.partner_id: p for p in self.profiles(partners)}
        self.assertEqual(by_partner[refunded].rfm_monetary, 0)
        self.assertFalse(by_partner[refunded].value_tier)
        self.assertFalse(by_partner[refunded].rfm_monetary_score)
        self.assertEqual(by_partner[old_refund].rfm_monetary, 300)
        # n = 2: keeper is VIP (ceil(0.1) = 1), old_refund small
        self.assertEqual(by_partner[keeper].value_tier, "vip")
        self.assertEqual(by_partner[old_refund].value_tier, "small")
        ranking = self.Ranking.search([("company_id", "=", self.company.id)])
        self.assertEqual(ranking.customer_count, 2)
        # A later refund below zero removes the tier at the next placement.
        self.post_invoices([(keeper, self.days_before(1), 450, "out_refund")])
        self.Profile.with_company(self.company).recompute(self.REF, partners=keeper)
        self.assertEqual(by_partner[keeper].rfm_monetary, -50)
        self.assertFalse(by_partner[keeper].value_tier)
        self.assertFalse(keeper.with_company(self.company).value_tier)

    def test_threshold_mode(self):
        self.company.write(
            {
                "crm_tier_mode": "thresholds",
                "crm_tier_vip_threshold": 1000,
                "crm_tier_key_threshold": 500,
                "crm_tier_ordinary_threshold": 100,
            }
        )
        partners = self.customers(4)
        self.post_invoices(
            [
                (partner, self.days_before(5), amount)
                for partner, amount in zip(
                    partners, (1000, 999.99, 100, 99.99), strict=True
                )
            ]
        )
        self.rank()
        self.assertEqual(
            [self.profiles(p).value_tier for p in partners],
            ["vip", "key", "ordinary", "small"],
        )

    def test_placement_between_full_rankings(self):
        partners = self.customers(20)
        self.post_invoices(
            [
                (partner, self.days_before(30), 100 * (i + 1))
                for i, partner in enumerate(partners)
            ]
        )
        self.rank()
        ranking = self.Ranking.search([("company_id", "=", self.company.id)])
        # n = 20: VIP = rank 1 (2000), key ranks 2-4 (1900..1700), ordinary
        # ranks 5-10 (1600..1100)
        self.assertEqual(
            (ranking.vip_cutoff, ranking.key_cutoff, ranking.ordinary_cutoff),
            (2000, 1700, 1100),
        )
        smallest = partners[0]
        self.assertEqual(self.profiles(smallest).value_tier, "small")
        periods = self.Period.search_count([])
        # 1000 more: 1100 reaches the ordinary cut-off exactly
        self.post_invoices([(smallest, self.days_before(1), 1000)])
        self.Profile.with_company(self.company).recompute(self.REF, partners=smallest)
        profile = self.profiles(smallest)
        self.assertEqual(profile.rfm_monetary, 1100)
        self.assertEqual(profile.value_tier, "ordinary")
        self.assertEqual(profile.tier_date, self.REF)
        # M score: 1100 beats the ranking's 10 customers below 1100 -> 1 + 5*10/20
        self.assertEqual(profile.rfm_monetary_score, 3)
        # F: 2 invoices beat everyone's 1 -> 5; R: 1 day beats 30 days -> 5
        self.assertEqual(
            (profile.rfm_frequency_score, profile.rfm_recency_score), (5, 5)
        )
        # Another 1000: above the VIP cut-off of the last ranking.
        self.post_invoices([(smallest, self.days_before(0), 1000)])
        self.Profile.with_company(self.company).recompute(self.REF, partners=smallest)
        self.assertEqual(profile.value_tier, "vip")
        # The others keep their tier until the next full ranking, and the
        # placement wrote no ranking and no snapshot period.
        self.assertEqual(self.profiles(partners[-1]).value_tier, "vip")
        self.assertEqual(
            len(self.Ranking.search([("company_id", "=", self.company.id)])), 1
        )
        self.assertEqual(self.Period.search_count([]), periods)
        # The next full ranking ranks everyone again: 2 VIPs at n = 20? No:
        # ceil(0.05 x 20) = 1, the new 2100 takes the only VIP place.
        self.rank()
        self.assertEqual(profile.value_tier, "vip")
        self.assertEqual(self.profiles(partners[-1]).value_tier, "key")

    def test_posting_places_the_customer_at_once(self):
        """Posting an invoice places its customer as of today with the cut-offs
        of the last full ranking, without anyone calling recompute."""
        today = fields.Date.today()
        partners = self.customers(10)
        self.post_invoices([(p, today, 100 * (i + 1)) for i, p in enumerate(partners)])
        self.rank(today)
        self.assertEqual(self.profiles(partners[0]).value_tier, "small")
        self.post_invoices([(partners[0], today, 5000)])
        self.assertEqual(self.profiles(partners[0]).value_tier, "vip")
        self.assertEqual(partners[0].with_company(self.company).value_tier, "vip")

    def test_each_company_ranks_over_its_own_window(self):
        """Two companies ranked together, one with a 90-day RFM window: an
        invoice of 200 days ago counts in the other company only, in the full
        ranking and in the placement after a posting."""
        self.company_b.crm_rfm_window_days = 90
        partner = self.customers(1)[0]
        other = self.customers(1, prefix="Other")[0]
        for company in (self.company, self.company_b):
            self.post_invoices(
                [
                    (partner, self.days_before(200), 500),
                    (other, self.days_before(5), 50),
                ],
                company=company,
            )
        both = self.company | self.company_b
        self.Profile.with_context(allowed_company_ids=both.ids).recompute(self.REF)
        profile_a = self.profiles(partner)
        profile_b = self.profiles(partner, company=self.company_b)
        self.assertEqual((profile_a.rfm_monetary, profile_a.value_tier), (500, "vip"))
        self.assertEqual((profile_b.rfm_monetary, profile_b.value_tier), (0, False))
        self.assertEqual(self.profiles(other, company=self.company_b).value_tier, "vip")
        # placed at once: the 90-day window of company B counts the new
        # invoice and not the old one
        self.post_invoices(
            [(partner, self.days_before(100), 70), (partner, self.days_before(1), 40)],
            company=self.company_b,
        )
        self.Profile.with_context(allowed_company_ids=both.ids).recompute(
            self.REF, partners=partner
        )
        profile_b.invalidate_recordset()
        self.assertEqual(profile_b.rfm_monetary, 40)
        self.assertEqual(profile_b.rfm_frequency, 1)
        self.assertEqual(profile_b.value_tier, "small")

    def test_rerun_replaces_the_date_snapshots(self):
        partners = self.customers(5)
        self.post_invoices([(p, self.days_before(3), 100) for p in partners])
        self.rank()
        self.rank()
        snapshots = self.Period.search(
            [("snapshot_date", "=", self.REF), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(len(snapshots.filtered("value_tier")), 5)
        self.assertEqual(len(snapshots.filtered(lambda s: s.partner_id in partners)), 5)
        self.assertEqual(
            self.Ranking.search_count(
                [("date", "=", self.REF), ("company_id", "=", self.company.id)]
            ),
            1,
        )
        snapshot = snapshots.filtered(lambda s: s.partner_id == partners[0])
        self.assertEqual(snapshot.rfm_monetary, 100)
        self.assertEqual(snapshot.lifecycle_stage, "new")

    def test_settings_are_validated(self):
        for values in (
            {"crm_tier_vip_share": 0},
            {"crm_tier_vip_share": 20},  # 20 > 15: not increasing
            {"crm_tier_small_share": 60},  # adds up to 110
            {"crm_tier_small_share": 40},  # 40 < 30 is fine, adds up to 90
            {"crm_tier_vip_threshold": -1},
            {"crm_tier_key_threshold": 200000},  # above VIP
            {"crm_tier_ordinary_threshold": 20000},  # equal to key
            {"crm_rfm_window_days": 0},
            {"crm_clv_discount_rate": -0.1},
            {"crm_clv_margin_rate": 1.5},
        ):
            with self.subTest(values=values), self.assertRaises(ValidationError):
                self.company.write(values)
        self.company.write(
            {
                "crm_tier_vip_share": 10,
                "crm_tier_key_share": 20,
                "crm_tier_ordinary_share": 30,
                "crm_tier_small_share": 40,
            }
        )
        self.assertEqual(self.company.crm_tier_small_share, 40)

    def test_settings_bounds(self):
        Settings = self.env["res.config.settings"].with_company(self.company)
        for values, message in (
            (
                {"crm_rfm_window_days": 100_000_000},
                "RFM Window (days) must be between 1 and 36,500 days, not 100,000,000.",
            ),
            (
                {"crm_clv_discount_rate": 2},
                "CLV Discount Rate must be between 0 and 1 (0.10 means 10%), not 2.",
            ),
            (
                {"crm_clv_margin_rate": -0.5},
                "Default Margin Rate must be between 0 and 1 (0.10 means 10%), not "
                "-0.5.",
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
        self.assertEqual(self.company.crm_rfm_window_days, 365)

    def test_settings_screen_saves_the_tiers_together(self):
        """The settings screen writes the company one field at a time: shares
        and thresholds that are only valid together are saved together, and
        an invalid set is still refused."""
        Settings = self.env["res.config.settings"].with_company(self.company)
        Settings.create(
            {
                "crm_tier_mode": "thresholds",
                "crm_tier_vip_threshold": 200,
                "crm_tier_key_threshold": 100,
                "crm_tier_ordinary_threshold": 50,
            }
        ).execute()
        Settings.create(
            {
                "crm_tier_vip_share": 10,
                "crm_tier_key_share": 20,
                "crm_tier_ordinary_share": 30,
                "crm_tier_small_share": 40,
            }
        ).execute()
        company = self.company
        self.assertEqual(
            (
                company.crm_tier_vip_threshold,
                company.crm_tier_key_threshold,
                company.crm_tier_ordinary_threshold,
                company.crm_tier_vip_share,
                company.crm_tier_small_share,
            ),
            (200, 100, 50, 10, 40),
        )
        with self.assertRaises(ValidationError):
            Settings.create({"crm_tier_vip_share": 25}).execute()

    def test_widest_rfm_window_keeps_posting(self):
        """The widest RFM window allowed (36,500 days) still posts an invoice
        and places its customer, which a window of 100 million days broke."""
        self.company.crm_rfm_window_days = 36_500
        partner = self.customers(1)
        invoice = self.invoice(partner, self.days_before(3000), 500, post=False)
        invoice.with_user(self.accountant).action_post()
        self.assertEqual(invoice.state, "posted")
        self.rank()
        self.assertEqual(
            (self.profiles(partner).rfm_frequency, self.profiles(partner).value_tier),
            (1, "vip"),
        )

    def test_entering_vip_schedules_the_manager_call_once(self):
        self.env["crm.team"].create(
            {
                "name": "Key Accounts",
                "user_id": self.sales_manager.id,
                "member_ids": [Command.set(self.salesman.ids)],
            }
        )
        partners = self.customers(3)
        partners.user_id = self.salesman
        self.post_invoices(
            [(p, self.days_before(2), 100 * (i + 1)) for i, p in enumerate(partners)]
        )
        self.rank()
        vip = partners[2]
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)]
        )
        vip_calls = activities.filtered(
            lambda a: a.summary == "VIP call by the sales manager"
        )
        self.assertEqual(vip_calls.res_id, vip.id)
        self.assertEqual(vip_calls.user_id, self.sales_manager)
        self.assertEqual(len(vip_calls), 1)
        self.rank()
        self.assertEqual(
            self.env["mail.activity"].search_count(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "=", vip.id),
                    ("summary", "=", "VIP call by the sales manager"),
                ]
            ),
            1,
        )
