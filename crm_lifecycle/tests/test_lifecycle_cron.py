from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import LifecycleCommon


@tagged("post_install", "-at_install")
class TestLifecycleCron(LifecycleCommon):
    def test_cron_reevaluates_everyone_in_slices(self):
        with freeze_time(self.REF):
            partners = self.env["res.partner"]
            for index in range(5):
                partner = self.customer(f"Cron Customer {index}")
                self.invoice(partner, self.days_before(10 + index), 100)
                partners |= partner
        profiles = self.Profile.search(
            [("partner_id", "in", partners.ids), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(set(profiles.mapped("lifecycle_stage")), {"new"})
        # flagged as customers by their first invoice: prospects elsewhere
        elsewhere = self.Profile.search(
            [("partner_id", "in", partners.ids), ("company_id", "=", self.company_b.id)]
        )
        self.assertEqual(set(elsewhere.mapped("lifecycle_stage")), {"prospect"})

        later = self.REF + timedelta(days=400)
        cron = self.env.ref("crm_lifecycle.ir_cron_crm_lifecycle_recompute")
        slices = 0
        with freeze_time(later):
            progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
            Profile = self.Profile.with_context(ir_cron_progress_id=progress.id)
            remaining = None
            while remaining != 0:
                remaining = Profile._cron_recompute(batch_size=3)
                slices += 1
                self.assertEqual(progress.remaining, remaining)
                self.assertLessEqual(progress.done, 3)
        self.assertGreater(slices, 2)
        # every customer's facts hold as of that day: postings may add to
        # the stored facts
        profiles.invalidate_recordset()
        self.assertEqual(set((profiles | elsewhere).mapped("facts_date")), {later})
        self.assertEqual(set(profiles.mapped("lifecycle_stage")), {"churned"})
        self.assertEqual(set(profiles.mapped("stage_date")), {later})

        # Running again the same day finds nothing left to do.
        with freeze_time(later):
            self.assertEqual(Profile._cron_recompute(batch_size=3), 0)
        self.assertEqual(progress.done, 0)
