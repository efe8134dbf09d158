from lxml import etree

from odoo import Command
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import AnalyticsCommon

ADDONS = ("crm_lifecycle", "crm_satisfaction", "crm_analytics")


@tagged("post_install", "-at_install")
class TestSearchViews(AnalyticsCommon):
    """Searching or grouping by a field from the UI either works or is not
    offered: every group-by of the addons' search views, and every field
    the web client offers to group by, groups every record once; the
    non-stored fields searched through a method agree with what is shown."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # every group of the three addons and multi-company: every filter shown
        cls.admin = new_test_user(
            cls.env,
            login="search_admin",
            groups=",".join(
                [
                    "base.group_system",
                    "base.group_multi_company",
                    "sales_team.group_sale_manager",
                    "crm_lifecycle.group_lifecycle_manager",
                    "crm_satisfaction.group_satisfaction_manager",
                    "crm_analytics.group_analytics_manager",
                    "account.group_account_manager",
                ]
            ),
            company_id=cls.company.id,
            company_ids=[Command.set((cls.company | cls.company_b).ids)],
        )
        regular = cls.customers(1, prefix="Searched")
        prospect = cls.customer("Searched Prospect", customer_rank=1)
        cls.post_invoices(
            [
                (regular, cls.days_before(400), 100),
                (regular, cls.days_before(300), 100),
            ]
        )
        cls.env["crm.customer.profile"].with_company(cls.company).recompute(
            partners=regular | prospect
        )

    def search_views(self):
        """The search views the addons define or extend, as their primary
        view (with every extension applied)."""
        views = self.env["ir.ui.view"].browse(
            self.env["ir.model.data"]
            .search([("model", "=", "ir.ui.view"), ("module", "in", ADDONS)])
            .mapped("res_id")
        )
        roots = self.env["ir.ui.view"]
        for view in views.filtered(lambda v: v.type == "search"):
            root = view
            while root.inherit_id and root.mode != "primary":
                root = root.inherit_id
            roots |= root
        return roots

    def test_every_group_by_filter_groups(self):
        checked = set()
        for view in self.search_views():
            Model = self.env[view.model].with_user(self.admin)
            arch = etree.fromstring(Model.get_view(view.id, "search")["arch"])
            total = Model.search_count([])
            for node in arch.iter("filter"):
                context = safe_eval(node.get("context") or "{}", {"uid": self.admin.id})
                group_by = context.get("group_by")
                if not group_by:
                    continue
                for spec in [group_by] if isinstance(group_by, str) else group_by:
                    with self.subTest(view=view.xml_id, group_by=spec):
                        groups = Model.read_group([], ["__count"], [spec], lazy=True)
                        count = f"{spec.split(':')[0]}_count"
                        self.assertEqual(sum(g[count] for g in groups), total)
                        web = Model.web_read_group([], ["__count"], [spec])
                        self.assertEqual(web["length"], len(groups))
                        checked.add((view.model, spec))
        # the views of the three addons' models, core models they extend
        self.assertIn(("crm.customer.profile", "value_tier"), checked)
        self.assertIn(("crm.service.case", "date_recorded:month"), checked)
        self.assertIn(("res.partner", "lifecycle_stage"), checked)
        self.assertIn(("crm.value.tier.report", "crm_relationship_type"), checked)

    def test_groupable_fields_group_and_others_are_not_offered(self):
        """The web client offers to group by the fields ``fields_get`` calls
        groupable: each of those of the addons' models groups every record;
        a computed field without storage (churn risk band) is not offered."""
        models = {view.model for view in self.search_views()}
        for model in sorted(models):
            Model = self.env[model].with_user(self.admin)
            total = Model.search_count([])
            for name, description in Model.fields_get(
                attributes=["groupable", "type"]
            ).items():
                field = Model._fields[name]
                if not description.get("groupable") or field._module not in ADDONS:
                    continue
                if description["type"] in ("many2many", "binary", "json"):
                    continue
                spec = (
                    f"{name}:month"
                    if description["type"] in ("date", "datetime")
                    else name
                )
                with self.subTest(model=model, field=name):
                    groups = Model.read_group([], ["__count"], [spec], lazy=False)
                    self.assertEqual(sum(g["__count"] for g in groups), total)
        description = self.Profile.fields_get(["churn_risk_band"])["churn_risk_band"]
        self.assertFalse(description["groupable"])
        self.assertFalse(description["sortable"])
        self.assertTrue(description["searchable"])

    def test_churn_risk_band_search_agrees_with_band_shown(self):
        """Every condition the domain editor offers on a selection."""
        Profile = self.Profile.with_user(self.admin).with_company(self.company)
        profiles = Profile.search([("company_id", "=", self.company.id)])
        self.assertEqual(set(profiles.mapped("churn_risk_band")), {"high", False})
        for operator, value in (
            ("=", "high"),
            ("!=", "high"),
            ("in", ["high", "low"]),
            ("not in", ["high"]),
            ("=", False),  # is not set: never bought
            ("!=", False),  # is set
            ("in", [False, "high"]),
        ):
            with self.subTest(operator=operator, value=value):
                values = value if isinstance(value, list) else [value]
                positive = operator in ("=", "in")
                self.assertEqual(
                    Profile.search(
                        [
                            ("company_id", "=", self.company.id),
                            ("churn_risk_band", operator, value),
                        ]
                    ),
                    profiles.filtered(
                        lambda p: (p.churn_risk_band in values) == positive  # noqa: B023
                    ),
                )
