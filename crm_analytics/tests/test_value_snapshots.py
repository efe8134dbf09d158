from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import SQL

from ..const import SNAPSHOT_COLUMNS
from .common import AnalyticsCommon

# a snapshot's values; a profile's ranking figures
VALUES = tuple(SNAPSHOT_COLUMNS)
RFM = ("rfm_frequency", *VALUES[1:])


@tagged("post_install", "-at_install")
class TestValueSnapshots(AnalyticsCommon):
    """Snapshots are stored as periods of unchanged values; these tests read
    them back per ranking date, as the issue defines them (one row per
    customer and full-ranking date): the periods holding on that date."""

    def holding(self, day, partners, company=None):
        return self.Period.search(
            [
                ("snapshot_date", "=", day),
                ("partner_id", "in", partners.ids),
                ("company_id", "=", (company or self.company).id),
            ]
        )

    def values(self, records):
        return {r.partner_id.id: tuple(r[name] for name in VALUES) for r in records}

    def periods(self, partners):
        return self.env["crm.customer.snapshot.period"].search(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", self.company.id),
            ],
            order="partner_id, date_from",
        )

    def test_snapshots_of_each_ranking_date(self):
        """Rankings out of date order and a rerun of a date: every date keeps
        the snapshots its own (last) ranking wrote."""
        a, b, c, d = partners = self.customers(4)
        day1, day2, day3 = (
            self.REF - timedelta(days=20),
            self.REF - timedelta(days=10),
            self.REF,
        )
        self.post_invoices(
            [
                (a, day1 - timedelta(days=5), 100),
                (b, day1 - timedelta(days=5), 200),
                (c, day1 - timedelta(days=40), 300),
            ]
        )
        expected = {}

        def rank_and_capture(day):
            self.rank(day)
            expected[day] = self.values(self.profiles(partners))

        def check():
            for day, rows in expected.items():
                self.assertEqual(self.values(self.holding(day, partners)), rows, day)

        rank_and_capture(day1)
        self.post_invoices(
            [(d, day3 - timedelta(days=2), 500), (a, day3 - timedelta(days=1), 1000)]
        )
        rank_and_capture(day3)
        check()
        self.assertEqual(expected[day3][a.id][1], "vip")
        self.assertEqual(expected[day1][c.id][1], "vip")
        # a ranking of a date between the two splits the periods holding on it
        rank_and_capture(day2)
        check()
        # a new invoice before day2, and day2 ranked again: day2's snapshots
        # change, day3's stay those of day3's ranking
        self.post_invoices([(c, day2 - timedelta(days=1), 5000)])
        rank_and_capture(day2)
        check()
        self.assertEqual(expected[day2][c.id][1:3], ("vip", 5300))
        self.assertEqual(expected[day3][c.id][2], 300)
        # a profile gone (its customer merged away, say): no snapshot on a
        # later ranking, its earlier snapshots kept
        self.profiles(b).sudo().unlink()
        day4 = self.REF + timedelta(days=1)
        self.Profile._rank_values(day4, self.company.ids, from_facts=False)
        expected[day4] = self.values(self.profiles(partners))
        check()
        self.assertNotIn(b.id, expected[day4])
        self.assertEqual(
            [bool(self.holding(day, b)) for day in (day1, day2, day3, day4)],
            [True, True, True, False],
        )

    def test_only_moved_customers_write_a_period(self):
        partners = self.customers(5)
        day1 = self.REF - timedelta(days=2)
        self.post_invoices([(p, day1 - timedelta(days=30), 100) for p in partners])
        self.rank(day1)
        self.rank(day1 + timedelta(days=1))
        periods = self.periods(partners)
        self.assertEqual(len(periods), 5)
        self.assertEqual(set(periods.mapped("date_from")), {day1})
        self.assertFalse(any(periods.mapped("date_to")))
        for day in (day1, day1 + timedelta(days=1)):
            self.assertEqual(self.holding(day, partners), periods, day)
        # the first customer (already VIP: first by revenue, then by id) buys
        # again: only its values change
        self.post_invoices([(partners[0], self.REF, 400)])
        self.rank(self.REF)
        periods = self.periods(partners)
        self.assertEqual(len(periods), 6)
        moved = periods.filtered(lambda p: p.partner_id == partners[0])
        self.assertEqual(
            [(p.date_from, p.date_to, p.rfm_monetary) for p in moved],
            [(day1, self.REF, 100), (self.REF, False, 500)],
        )
        self.assertEqual(moved[1].value_tier, "vip")
        self.assertEqual(len(self.holding(day1, partners)), 5)
        self.assertEqual(
            self.holding(self.REF, partners).mapped("rfm_monetary"),
            [500, 100, 100, 100, 100],
        )
        # the tier history's pivot: the revenue of a customer's periods is
        # not added up; its measure is the mean per period, per customer on
        # one date
        [total] = self.Period.read_group(
            [("partner_id", "in", partners.ids)], ["rfm_monetary"], []
        )
        self.assertAlmostEqual(total["rfm_monetary"], (5 * 100 + 500) / 6)
        [total] = self.Period.read_group(
            [("partner_id", "in", partners.ids), ("snapshot_date", "=", self.REF)],
            ["rfm_monetary"],
            [],
        )
        self.assertEqual((total["__count"], total["rfm_monetary"]), (5, 180))

    def test_holding_on_a_date(self):
        """The tier history's "Holding on" search: each customer's period
        with date_from <= D < date_to (or still open), on a ranking date or
        between two; the pivot and the grouped list read it per tier."""
        self.company.write(
            {
                "crm_tier_mode": "thresholds",
                "crm_tier_vip_threshold": 100000,
                "crm_tier_key_threshold": 20000,
                "crm_tier_ordinary_threshold": 5000,
            }
        )
        a, b, c = partners = self.customers(3)
        day1, day2, day3 = (self.REF - timedelta(days=n) for n in (20, 10, 0))
        self.post_invoices(
            [
                (a, day1 - timedelta(days=5), 150000),
                (b, day1 - timedelta(days=5), 6000),
            ]
        )
        self.rank(day1)
        # b climbs to key, c arrives small
        self.post_invoices(
            [
                (b, day2 - timedelta(days=1), 20000),
                (c, day2 - timedelta(days=1), 1000),
            ]
        )
        self.rank(day2)
        # c's refund takes it out of the pyramid
        self.post_invoices([(c, day3 - timedelta(days=1), 1000, "out_refund")])
        self.rank(day3)

        def tiers(day):
            return {p.partner_id: p.value_tier for p in self.holding(day, partners)}

        self.assertEqual(tiers(day1 - timedelta(days=1)), {})
        self.assertEqual(tiers(day1), {a: "vip", b: "ordinary"})
        self.assertEqual(tiers(day2), {a: "vip", b: "key", c: "small"})
        self.assertEqual(tiers(day3), {a: "vip", b: "key", c: False})
        # every ranking moved the three (the others' scores move too): a
        # period per customer and ranking; on a date exactly one of them,
        # between two rankings the earlier's, after the last the open ones
        periods = self.periods(partners)
        self.assertEqual(
            [(p.partner_id, p.date_from, p.date_to) for p in periods],
            [
                (a, day1, day2),
                (a, day2, day3),
                (a, day3, False),
                (b, day1, day2),
                (b, day2, day3),
                (b, day3, False),
                (c, day2, day3),
                (c, day3, False),
            ],
        )
        self.assertEqual(
            self.holding(day1 + timedelta(days=5), partners), periods[0] | periods[3]
        )
        self.assertEqual(
            self.holding(day2, partners), periods[1] | periods[4] | periods[6]
        )
        current = periods[2] | periods[5] | periods[7]
        self.assertEqual(self.holding(self.REF + timedelta(days=30), partners), current)
        self.assertEqual(
            self.Period.search(
                [("date_to", "=", False), ("partner_id", "in", partners.ids)]
            ),
            current,
        )
        # as the search bar sends it (an ISO string); several dates: any
        self.assertEqual(
            self.Period.search(
                [
                    ("snapshot_date", "=", str(day2)),
                    ("partner_id", "in", partners.ids),
                ]
            ),
            self.holding(day2, partners),
        )
        self.assertEqual(
            self.Period.search(
                [
                    ("snapshot_date", "in", [day1, day3]),
                    ("partner_id", "in", partners.ids),
                ]
            ),
            self.holding(day1, partners) | self.holding(day3, partners),
        )
        for operator, value in (
            (">", day1),
            ("=", False),
            ("=", "yesterday"),
            ("=", 42),
        ):
            with (
                self.subTest(operator=operator, value=value),
                self.assertRaises(UserError),
            ):
                self.Period.search([("snapshot_date", operator, value)])
        # grouped by tier, as the list (lazy: every tier, pyramid order) and
        # the pivot (eager) read it
        domain = [("snapshot_date", "=", day2), ("partner_id", "in", partners.ids)]
        groups = self.Period.read_group(domain, ["rfm_monetary:avg"], ["value_tier"])
        self.assertEqual(
            [
                (g["value_tier"], g["value_tier_count"], g["rfm_monetary"])
                for g in groups
            ],
            [
                ("vip", 1, 150000),
                ("key", 1, 26000),
                ("ordinary", 0, False),
                ("small", 1, 1000),
            ],
        )
        groups = self.Period.read_group(
            domain, ["rfm_monetary:avg"], ["value_tier"], lazy=False
        )
        self.assertEqual(
            {g["value_tier"]: g["__count"] for g in groups},
            {"vip": 1, "key": 1, "small": 1},
        )
        [total] = self.Period.read_group(domain, ["rfm_monetary:avg"], [])
        self.assertEqual(
            (total["__count"], total["rfm_monetary"]), (3, (150000 + 26000 + 1000) / 3)
        )

    def test_ranking_reads_the_stored_facts(self):
        """A full ranking right after the lifecycle's evaluation takes the
        window figures from the facts it stored (12 months = the RFM window);
        aggregating the documents again gives the same figures."""
        partners = self.customers(6)
        self.post_invoices(
            [
                (p, self.days_before(10 + 30 * i), 100 * (i + 1))
                for i, p in enumerate(partners)
            ]
            + [(partners[0], self.days_before(200), 50)]
            + [(partners[1], self.days_before(400), 70)]
            + [(partners[2], self.days_before(5), 300, "out_refund")]
        )
        self.rank()
        profiles = self.profiles(partners)
        stored = {p.partner_id: tuple(p[name] for name in RFM) for p in profiles}
        self.assertEqual(
            profiles.filtered(lambda p: p.partner_id == partners[0]).rfm_frequency, 2
        )
        self.assertEqual(
            profiles.filtered(lambda p: p.partner_id == partners[2]).value_tier, False
        )
        self.Profile._rank_values(self.REF, self.company.ids, from_facts=False)
        self.assertEqual(
            {p.partner_id: tuple(p[name] for name in RFM) for p in profiles}, stored
        )
        # a marker in the stored facts shows which figures a ranking reads
        profile = profiles.filtered(lambda p: p.partner_id == partners[5])
        self.env.cr.execute(
            SQL(
                "UPDATE crm_customer_profile SET purchase_count_12m = 42 WHERE id = %s",
                profile.id,
            )
        )
        self.Profile.invalidate_model()
        self.Profile._rank_values(self.REF, self.company.ids)
        self.assertEqual(profile.rfm_frequency, 42)
        self.assertEqual(profile.rfm_frequency_score, 5)
        self.Profile._rank_values(self.REF, self.company.ids, from_facts=False)
        self.assertEqual(profile.rfm_frequency, 1)

    def test_migration_turns_snapshot_rows_into_periods(self):
        """Upgrade from 18.0.1.0.0, where snapshots were rows of a table."""
        a, b, c = partners = self.customers(3)
        days = [self.REF - timedelta(days=n) for n in (2, 1, 0)]
        self.Ranking.sudo().create(
            [{"company_id": self.company.id, "date": day} for day in days]
        )
        self.env.cr.execute(
            SQL(
                """
                CREATE TABLE crm_customer_snapshot_legacy (
                    id serial, date date, partner_id int, company_id int,
                    lifecycle_stage varchar, value_tier varchar,
                    rfm_monetary numeric, rfm_recency_score int,
                    rfm_frequency_score int, rfm_monetary_score int);
                INSERT INTO crm_customer_snapshot_legacy (
                    date, partner_id, company_id, lifecycle_stage, value_tier,
                    rfm_monetary, rfm_recency_score, rfm_frequency_score,
                    rfm_monetary_score)
                SELECT t.date, t.partner_id, %(company)s, 'new', t.tier, t.revenue,
                       1, 1, 1
                  FROM unnest(%(dates)s::date[], %(partners)s::int[],
                              %(tiers)s::varchar[], %(revenues)s::numeric[])
                       AS t(date, partner_id, tier, revenue)
                """,
                company=self.company.id,
                # a: the same on the three dates, but a second row on the
                # middle one (a partner merged into it), which wins; b: a new
                # tier on the last; c: missing on the middle date
                dates=[*days, *days, days[0], days[2], days[1]],
                partners=[a.id] * 3 + [b.id] * 3 + [c.id] * 2 + [a.id],
                tiers=["vip"] * 3 + ["key", "key", "vip"] + ["small"] * 3,
                revenues=[100] * 3 + [50, 50, 80] + [10, 10, 5],
            )
        )
        self.run_migration("18.0.1.1.0/post-migration.py", "18.0.1.0.0")
        self.assertEqual(
            [
                (p.partner_id, p.date_from, p.date_to, p.value_tier)
                for p in self.periods(partners)
            ],
            [
                (a, days[0], days[1], "vip"),
                (a, days[1], days[2], "small"),
                (a, days[2], False, "vip"),
                (b, days[0], days[2], "key"),
                (b, days[2], False, "vip"),
                (c, days[0], days[1], "small"),
                (c, days[2], False, "small"),
            ],
        )
        self.env.cr.execute(
            SQL("SELECT to_regclass('crm_customer_snapshot_legacy') IS NULL")
        )
        self.assertTrue(self.env.cr.fetchone()[0])
        # 8 snapshots: a and b on the three dates, c on two
        self.assertEqual([len(self.holding(day, partners)) for day in days], [3, 2, 3])

    def test_migration_drops_the_snapshot_view(self):
        """Upgrade from 18.0.1.2.0: Odoo removes the records of the model
        ``crm.customer.snapshot``, not its SQL view nor its saved searches."""
        self.env.cr.execute(
            SQL(
                """
                CREATE VIEW crm_customer_snapshot AS
                    SELECT id, partner_id FROM crm_customer_snapshot_period;
                INSERT INTO ir_filters (name, model_id, domain, context, sort)
                VALUES ('VIPs', 'crm.customer.snapshot', '[]', '{}', '[]'),
                       ('VIPs', 'crm.customer.snapshot.period', '[]', '{}', '[]')
                """
            )
        )
        self.run_migration("18.0.1.3.0/pre-migration.py", "18.0.1.2.0")
        self.env.cr.execute(
            SQL(
                """SELECT to_regclass('crm_customer_snapshot') IS NULL,
                          array_agg(model_id ORDER BY model_id)
                     FROM ir_filters WHERE name = 'VIPs'"""
            )
        )
        self.assertEqual(
            self.env.cr.fetchone(), (True, ["crm.customer.snapshot.period"])
        )

    def test_lifecycle_cron_places_only_the_customers_it_evaluated(self):
        """Between two full rankings the lifecycle's daily cron places again
        the customers it evaluated (those due), not every customer of its
        slices."""
        # customers of this company only (a customer is a prospect, due every
        # day, in the companies where it has not bought)
        due, quiet = self.customers(2)
        (due | quiet).company_id = self.company
        new_days = self.company.crm_new_days
        # due on the next day: no longer new; quiet: nothing happens then
        self.post_invoices(
            [(due, self.days_before(new_days), 500), (quiet, self.days_before(40), 100)]
        )
        # every company evaluated: the cron evaluates only the due customers
        companies = self.env["res.company"].sudo().search([])
        self.Profile.sudo().with_context(allowed_company_ids=companies.ids).recompute(
            self.REF
        )
        self.assertEqual(self.profiles(due).value_tier, "vip")
        # a wrong tier on both, as a marker of who is placed again; the two
        # partners written long before (a partner written since a day before
        # the evaluation may be a new prospect: due)
        self.env.flush_all()
        self.env.execute_query(
            SQL(
                """UPDATE crm_customer_profile SET value_tier = 'key'
                    WHERE partner_id = ANY(%(partners)s);
                   UPDATE res_partner SET write_date = write_date - interval '1 week'
                    WHERE id = ANY(%(partners)s)""",
                partners=[due.id, quiet.id],
            )
        )
        self.env.invalidate_all()
        with freeze_time(self.REF + timedelta(days=1)):
            while self.Profile._cron_recompute(batch_size=5):
                pass
        # no longer new (DOMAIN rule 5: no revenue the year before)
        self.assertEqual(self.profiles(due).lifecycle_stage, "growing")
        self.assertEqual(self.profiles(due).value_tier, "vip")
        self.assertEqual(self.profiles(quiet).value_tier, "key")

    def test_tiers_cron_ranks_from_the_day_s_evaluation(self):
        """After the lifecycle's cron evaluated every customer of the day, the
        tiers' cron only ranks them: it does not evaluate them again."""
        partners = self.customers(3)
        self.post_invoices(
            [
                (p, self.days_before(10 * (i + 1)), 100 * (i + 1))
                for i, p in enumerate(partners)
            ]
        )
        companies = self.env["res.company"].sudo().search([])
        with freeze_time(self.REF):
            while self.Profile._cron_recompute():
                pass
            # every customer's facts hold as of the day
            self.assertFalse(self.Profile._pending_partner_ids(self.REF, companies.ids))
            # a marker that an evaluation would replace (no reason: due)
            marked = self.profiles(partners[0])
            self.env.flush_all()
            self.env.execute_query(
                SQL(
                    "UPDATE crm_customer_profile SET stage_reason_figures = NULL "
                    "WHERE id = %s",
                    marked.id,
                )
            )
            self.Profile.invalidate_model()
            self.Ranking.sudo().search([("date", "=", self.REF)]).unlink()
            while self.Profile._cron_rank_values():
                pass
        self.assertEqual(
            self.Ranking.sudo().search([("date", "=", self.REF)]).company_id, companies
        )
        profiles = self.profiles(partners).sorted("rfm_monetary")
        self.assertEqual(profiles.mapped("rfm_monetary"), [100, 200, 300])
        self.assertTrue(all(profiles.mapped("value_tier")))
        self.assertEqual(len(self.holding(self.REF, partners)), 3)
        self.assertFalse(marked.stage_reason_figures)

    def test_deleting_a_ranking_deletes_its_snapshots_only(self):
        a, b = partners = self.customers(2)
        days = [self.REF - timedelta(days=n) for n in (20, 10, 0)]
        self.post_invoices([(a, days[0] - timedelta(days=1), 100)])
        expected = {}
        for day, spec in zip(days, [None, (b, 300), (a, 500)], strict=True):
            if spec:
                self.post_invoices([(spec[0], day - timedelta(days=1), spec[1])])
            self.rank(day)
            expected[day] = self.values(self.profiles(partners))
        self.Ranking.sudo().search(
            [("date", "=", days[1]), ("company_id", "=", self.company.id)]
        ).unlink()
        del expected[days[1]]
        for day, rows in expected.items():
            self.assertEqual(self.values(self.holding(day, partners)), rows, day)
        # the latest snapshot on or before the deleted date: the one before
        rows = self.env.execute_query(
            SQL(
                """SELECT m.partner_id, m.tier_from, m.tier_to, m.revenue
                     FROM (%s) m WHERE m.partner_id = ANY(%s)""",
                self.Period._migration_query(days[0], days[1], self.company.ids),
                partners.ids,
            )
        )
        tier = expected[days[0]][a.id][1]
        self.assertEqual(rows, [(a.id, tier, tier, 100)])
        # the last ranking deleted too: the next one compares with the
        # snapshots of the first
        self.Ranking.sudo().search(
            [("date", "=", days[2]), ("company_id", "=", self.company.id)]
        ).unlink()
        day = self.REF + timedelta(days=1)
        self.rank(day)
        snapshots = self.holding(day, partners)
        self.assertEqual(self.values(snapshots), self.values(self.profiles(partners)))
        self.assertEqual(len(snapshots), 2)

    def test_merged_customers_keep_one_snapshot_history(self):
        """The partner kept by a merge keeps its own snapshots; the merged
        partner's, on other dates, would overlap them."""
        # the merged customer's values stay the same when the kept one comes:
        # tiers by thresholds, and it is the worst on every measure (no one
        # strictly worse: the lowest scores whatever the number of customers)
        self.company.crm_tier_mode = "thresholds"
        merged = self.customers(1, prefix="Merged")
        self.post_invoices([(merged, self.days_before(300), 1)])
        self.rank(self.REF - timedelta(days=1))
        kept = self.customers(1, prefix="Kept")
        self.post_invoices([(kept, self.days_before(5), 100)])
        self.rank()
        wizard = self.env["base.partner.merge.automatic.wizard"].create({})
        wizard._merge((kept | merged).ids, dst_partner=kept, extra_checks=False)
        periods = self.env["crm.customer.snapshot.period"].search(
            [("partner_id", "=", kept.id), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(
            [(p.date_from, p.date_to, p.rfm_monetary) for p in periods],
            [(self.REF, False, 100)],
        )
        self.assertFalse(self.holding(self.REF - timedelta(days=1), kept))
        # the merged invoices are the kept customer's now
        self.rank(self.REF + timedelta(days=1))
        snapshot = self.holding(self.REF + timedelta(days=1), kept)
        self.assertEqual(snapshot.rfm_monetary, 101)

    def test_tiers_cron_brings_stale_facts_to_the_day(self):
        """A profile recomputed as of another day after the lifecycle's
        cron evaluated the day is brought back to the day before ranking."""
        partner = self.customers(1)
        partner.company_id = self.company
        self.post_invoices([(partner, self.days_before(5), 100)])
        companies = self.env["res.company"].sudo().search([])
        with freeze_time(self.REF):
            while self.Profile._cron_recompute():
                pass
            # recomputed as of a year on
            self.Profile.recompute(self.REF + timedelta(days=400), partners=partner)
            self.assertEqual(self.profiles(partner).revenue_12m, 0)
            self.Ranking.sudo().search([("date", "=", self.REF)]).unlink()
            while self.Profile._cron_rank_values():
                pass
        self.assertFalse(self.Profile._pending_partner_ids(self.REF, companies.ids))
        profile = self.profiles(partner)
        self.assertEqual((profile.facts_date, profile.revenue_12m), (self.REF, 100))
        self.assertEqual(profile.rfm_monetary, 100)
        self.assertTrue(profile.value_tier)


@tagged("post_install", "-at_install")
class TestTierHistoryTour(HttpCase):
    def test_tier_history_tour(self):
        """On the demo database, the Tier History opens on the current
        periods, finds every customer's periods holding on a date typed in
        the search bar, and shows them in the pivot."""
        if not self.env.ref("crm_lifecycle.demo_partner_northwind", False):
            self.skipTest("needs the demo data")
        day = fields.Date.context_today(self.env.user) - timedelta(days=200)
        # the demo's first full ranking, a year ago, holds on that date
        self.assertTrue(
            self.env["crm.customer.snapshot.period"].search_count(
                [("snapshot_date", "=", day), ("value_tier", "!=", False)]
            )
        )
        self.start_tour(
            "/odoo/action-crm_analytics.crm_customer_snapshot_action",
            "crm_analytics_tier_history_tour",
            login="admin",
        )
