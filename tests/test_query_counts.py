"""The hot paths of the three addons, pinned by their number of queries:
posting an invoice, a batch of the lifecycle's cron and the dashboard's data
RPC. A change that adds queries to them shows here first."""

from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.crm_analytics.tests.common import AnalyticsCommon


@tagged("post_install", "-at_install")
@freeze_time(AnalyticsCommon.REF)
class TestQueryCounts(AnalyticsCommon):
    test_module = "crm_analytics"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partners = cls.customers(5, prefix="Counted")
        # the same last 12 months; the last one has 40 older invoices
        cls.post_invoices(
            [(partner, cls.days_before(30), 100) for partner in cls.partners]
            + [(cls.partners[-1], cls.days_before(800 + n), 10) for n in range(40)]
        )
        cls.Profile.recompute(cls.REF)

    def draft(self, partner, days_before=1):
        move = self.invoice(partner, self.days_before(days_before), 50, post=False)
        self.env.flush_all()
        self.env.invalidate_all()
        return move

    def posting_queries(self, move):
        """Post ``move``; return the queries of the addons' refresh of its
        customer (Odoo's own posting queries vary with the customer's
        history: its sequence checks read earlier invoices)."""
        Profile = type(self.Profile)
        refresh = Profile._refresh_customers
        counts = []

        def counted_refresh(records, *args, **kwargs):
            before = self.env.cr.sql_log_count
            result = refresh(records, *args, **kwargs)
            records.env.flush_all()
            counts.append(self.env.cr.sql_log_count - before)
            return result

        with patch.object(Profile, "_refresh_customers", counted_refresh):
            move.action_post()
        self.assertEqual(len(counts), 1)
        return counts[0]

    def test_posting_an_invoice(self):
        """Posting costs the same queries whatever the customer's number of
        invoices; a back-dated invoice aggregates the customer's documents
        again, at a few more queries."""
        light, heavy = self.partners[-2], self.partners[-1]
        # the first posting of the test fills caches
        self.posting_queries(self.draft(self.partners[1]))
        counts = {
            "light": self.posting_queries(self.draft(light)),
            "heavy": self.posting_queries(self.draft(heavy)),
        }
        # both were ranked small (last by partner among equals) and enter
        # VIP by the ranking's cut-offs
        self.assertEqual(
            self.profiles(light | heavy).mapped("value_tier"), ["vip", "vip"]
        )
        self.assertEqual(counts["light"], counts["heavy"])
        # the lock of the customer in a savepoint (savepoint, partner,
        # profiles held, profiles, release), the lifecycle's evaluation
        # (drop, create, read back, update, insert profiles, insert history,
        # read what moved), the tier placement, and the playbook of the VIP
        # tier scheduling an activity
        self.assertEqual(counts["heavy"], 30)
        # aggregated again (no read-back), no tier entered: no playbook
        back_dated = self.posting_queries(self.draft(heavy, days_before=400))
        self.assertEqual(back_dated, 17)
        profile = self.profiles(heavy)
        self.assertEqual(profile.purchase_count, 41 + 2)
        self.assertEqual(profile.facts_date, self.REF)

    def test_cron_batch(self):
        """A batch of the lifecycle's cron costs the same queries for 2 or 5
        customers."""
        later = self.REF + timedelta(days=1)
        Profile = self.Profile.with_context(ir_cron_progress_id=False)
        with freeze_time(later):
            while Profile._cron_recompute():
                pass
        profiles = self.profiles(self.partners)

        def batch_queries(size):
            with self.env.cr.savepoint() as savepoint:
                # as after a change of settings: these customers to do again
                self.env.flush_all()
                self.env.execute_query(
                    SQL(
                        "UPDATE crm_customer_profile SET facts_date = NULL "
                        "WHERE id = ANY(%s)",
                        profiles.ids,
                    )
                )
                before = self.env.cr.sql_log_count
                with freeze_time(later):
                    Profile._cron_recompute(batch_size=size)
                self.env.flush_all()
                count = self.env.cr.sql_log_count - before
                savepoint.rollback()
            self.env.invalidate_all()
            return count

        batch_queries(5)  # fills the caches
        # the companies, the pending customers, the waiting customers, the
        # lock in a savepoint (savepoint, partner, profiles held, profiles,
        # release), the evaluation (drop, create, update, insert profiles,
        # insert history, read what moved) and two reads of the user that
        # the invalidated cache lost
        self.assertEqual(batch_queries(2), 16)
        self.assertEqual(batch_queries(5), 16)

    def test_dashboard_data(self):
        Dashboard = self.env["crm.analytics.dashboard"].with_context(
            allowed_company_ids=self.company.ids
        )
        Dashboard.get_dashboard_data()
        self.env.invalidate_all()
        with self.assertQueryCount(16):
            data = Dashboard.get_dashboard_data()
        self.assertTrue(data)
