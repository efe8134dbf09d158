from odoo.tests import tagged

from odoo.addons.crm_lifecycle.const import LIFECYCLE_STAGES

from ..const import VALUE_TIERS
from .common import AnalyticsCommon

# Tiers from the top of the pyramid down; alphabetically, as Odoo 18 sorts keys.
PYRAMID = ["vip", "key", "ordinary", "small"]
BY_KEY = ["key", "ordinary", "small", "vip"]


@tagged("post_install", "-at_install")
class TestGroupOrder(AnalyticsCommon):
    """Tiers in pyramid order and stages in lifecycle order in each view
    grouping by them, asked as the web client asks: a graph
    (``web_read_group``, ``lazy=False``), a pivot (``read_group``,
    ``lazy=False``, rows × columns), a list grouped by (``web_read_group``,
    lazy) and the search panel; and in the CLV and migration RPCs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "crm_tier_mode": "thresholds",
                "crm_tier_vip_threshold": 800,
                "crm_tier_key_threshold": 400,
                "crm_tier_ordinary_threshold": 100,
            }
        )
        cls.vip, cls.key, cls.ordinary, cls.ordinary_2, cls.small = cls.customers(
            5, prefix="Tiered"
        )
        cls.post_invoices(
            [
                # new (first purchase within 90 days)
                (cls.vip, cls.days_before(30), 1000),
                (cls.ordinary, cls.days_before(20), 150),
                # growing
                (cls.key, cls.days_before(200), 500),
                (cls.small, cls.days_before(300), 50),
                # mature: as much as the year before
                (cls.ordinary_2, cls.days_before(400), 200),
                (cls.ordinary_2, cls.days_before(50), 200),
            ]
        )
        cls.partners = cls.vip | cls.key | cls.ordinary | cls.ordinary_2 | cls.small
        cls.env["crm.customer.profile"].with_company(cls.company).with_context(
            allowed_company_ids=cls.company.ids
        ).recompute(cls.REF)
        cls.domain = [
            ("partner_id", "in", cls.partners.ids),
            ("company_id", "=", cls.company.id),
        ]

    def pairs(self, groups, *fields):
        return [(*(g[f] for f in fields), g["__count"]) for g in groups]

    def test_fixture(self):
        self.assertEqual(
            {
                p.partner_id: (p.value_tier, p.lifecycle_stage)
                for p in self.profiles(self.partners)
            },
            {
                self.vip: ("vip", "new"),
                self.key: ("key", "growing"),
                self.ordinary: ("ordinary", "new"),
                self.ordinary_2: ("ordinary", "mature"),
                self.small: ("small", "growing"),
            },
        )

    def test_profile_tiers_graph_pivot_list_search_panel(self):
        Profile = self.Profile.with_company(self.company)
        self.assertEqual(
            [
                t
                for t, _c in Profile._read_group(
                    self.domain, ["value_tier"], ["__count"]
                )
            ],
            BY_KEY,
        )
        graph = Profile.web_read_group(
            self.domain, ["__count"], ["value_tier"], lazy=False
        )["groups"]
        self.assertEqual(
            self.pairs(graph, "value_tier"),
            [("vip", 1), ("key", 1), ("ordinary", 2), ("small", 1)],
        )
        # the pivot's table: tiers as rows, stages as columns
        pivot = Profile.read_group(
            self.domain, ["__count"], ["value_tier", "lifecycle_stage"], lazy=False
        )
        self.assertEqual(
            self.pairs(pivot, "value_tier", "lifecycle_stage"),
            [
                ("vip", "new", 1),
                ("key", "growing", 1),
                ("ordinary", "new", 1),
                ("ordinary", "mature", 1),
                ("small", "growing", 1),
            ],
        )
        # the same pivot flipped: stages as rows, tiers within
        pivot = Profile.read_group(
            self.domain, ["__count"], ["lifecycle_stage", "value_tier"], lazy=False
        )
        self.assertEqual(
            self.pairs(pivot, "lifecycle_stage", "value_tier"),
            [
                ("new", "vip", 1),
                ("new", "ordinary", 1),
                ("growing", "key", 1),
                ("growing", "small", 1),
                ("mature", "ordinary", 1),
            ],
        )
        listed = Profile.web_read_group(
            self.domain, ["revenue_12m:sum"], ["value_tier"], orderby="", limit=80
        )["groups"]
        self.assertEqual([g["value_tier"] for g in listed], PYRAMID)
        self.assertEqual([g["revenue_12m"] for g in listed], [1000, 500, 350, 50])
        panel = Profile.search_panel_select_range(
            "value_tier", enable_counters=True, search_domain=self.domain
        )["values"]
        self.assertEqual(
            [(v["id"], v["__count"]) for v in panel],
            [("vip", 1), ("key", 1), ("ordinary", 2), ("small", 1)],
        )

    def test_partner_tiers(self):
        Partner = self.env["res.partner"].with_company(self.company)
        domain = [("id", "in", self.partners.ids)]
        for lazy in (True, False):
            with self.subTest(lazy=lazy):
                groups = Partner.web_read_group(
                    domain, ["__count"], ["value_tier"], lazy=lazy
                )["groups"]
                self.assertEqual([g["value_tier"] for g in groups], PYRAMID)
        panel = Partner.search_panel_select_range(
            "value_tier", enable_counters=True, search_domain=domain
        )["values"]
        self.assertEqual([v["id"] for v in panel], PYRAMID)

    def test_reports(self):
        """The Customer Pyramid, Tier History, ROI and CLV reports."""
        Pyramid = self.env["crm.value.tier.report"].with_company(self.company)
        graph = Pyramid.web_read_group(
            self.domain, ["__count", "customer_share:sum"], ["value_tier"], lazy=False
        )["groups"]
        self.assertEqual([g["value_tier"] for g in graph], PYRAMID)
        self.assertEqual([g["customer_share"] for g in graph], [20, 20, 40, 20])
        Periods = self.Period.with_company(self.company)
        pivot = Periods.read_group(
            self.domain, ["__count"], ["value_tier", "lifecycle_stage"], lazy=False
        )
        self.assertEqual(
            [(g["value_tier"], g["lifecycle_stage"]) for g in pivot],
            [
                ("vip", "new"),
                ("key", "growing"),
                ("ordinary", "new"),
                ("ordinary", "mature"),
                ("small", "growing"),
            ],
        )
        # revenue and margin by month of each stage and tier: lifecycle then
        # pyramid order, whatever the months
        Roi = self.env["crm.roi.report"].with_company(self.company)
        graph = Roi.web_read_group(
            [("company_id", "=", self.company.id)],
            ["__count"],
            ["lifecycle_stage", "value_tier"],
            lazy=False,
        )["groups"]
        stages = [key for key, _label in LIFECYCLE_STAGES] + [False]
        tiers = [*PYRAMID, False]
        positions = [
            (stages.index(g["lifecycle_stage"]), tiers.index(g["value_tier"]))
            for g in graph
        ]
        self.assertGreater(len({stage for stage, _tier in positions}), 1)
        self.assertEqual(positions, sorted(positions))
        Clv = self.env["crm.clv.report"].with_company(self.company)
        self.assertEqual(
            Clv.search([("company_id", "=", self.company.id)]).mapped("value_tier"),
            PYRAMID,
        )
        graph = Clv.web_read_group(
            [("company_id", "=", self.company.id)],
            ["clv:sum"],
            ["value_tier"],
            lazy=False,
        )["groups"]
        self.assertEqual([g["value_tier"] for g in graph], PYRAMID)
        self.assertEqual(
            list(self.Profile.with_company(self.company).clv(self.REF)), PYRAMID
        )

    def test_migration_matrix_pivot(self):
        """Tier before as rows, tier after as columns: both from the top of
        the pyramid down, "no tier" last, as the matrix RPC returns them."""
        d1 = self.days_before(180)
        late, fallen = self.customers(2, prefix="Moved")
        self.post_invoices(
            [
                (late, self.days_before(10), 900),
                # VIP at d1; by REF only the 150 of the last year count
                (fallen, self.days_before(500), 900),
                (fallen, self.days_before(20), 150),
            ]
        )
        self.rank(d1)
        self.rank()
        wizard = self.env["crm.tier.migration.wizard"].create(
            {"date_from": d1, "date_to": self.REF}
        )
        domain = wizard.action_open_matrix()["domain"]
        Line = self.env["crm.tier.migration.line"]
        groups = Line.read_group(
            domain, ["__count"], ["tier_from", "tier_to"], lazy=False
        )
        matrix = self.Period.with_company(self.company).migration_matrix(d1, self.REF)
        self.assertEqual(
            [(g["tier_from"], g["tier_to"], g["__count"]) for g in groups],
            [(m["tier_from"], m["tier_to"], m["count"]) for m in matrix],
        )
        # the other customers of the company, prospects without a tier: the
        # demo data's customers (flagged as customers in every company)
        others = self.Profile.search_count(
            [
                ("company_id", "=", self.company.id),
                ("partner_id", "not in", (self.partners | late | fallen).ids),
            ]
        )
        self.assertEqual(
            [(g["tier_from"], g["tier_to"], g["__count"]) for g in groups],
            [
                ("vip", "ordinary", 1),
                ("key", "key", 1),
                ("ordinary", "ordinary", 1),
                ("small", "small", 1),
                ("none", "vip", 2),
                ("none", "ordinary", 1),
            ]
            + ([("none", "none", others)] if others else []),
        )
        # the dashboard's stage flow: the biggest moves first, then in
        # lifecycle order
        data = (
            self.env["crm.analytics.dashboard"]
            .with_context(allowed_company_ids=self.company.ids)
            .get_dashboard_data({"date_from": str(d1), "date_to": str(self.REF)})
        )
        self.assertEqual(
            [(f["from"], f["to"], f["count"]) for f in data["stage_flow"]],
            [
                ("Prospect", "New", 3),
                ("New", "Growing", 1),
                ("Growing", "Mature", 1),
                ("Growing", "Won Back", 1),
            ],
        )
        graph = Line.web_read_group(domain, ["__count"], ["direction"], lazy=False)
        self.assertEqual(
            [(g["direction"], g["__count"]) for g in graph["groups"]],
            [("up", 3), ("down", 1), ("same", 3 + others)],
        )

    def test_every_stage_and_tier_field_groups_in_order(self):
        """Every stored selection of stages or tiers of the addons' models
        groups in order (but the stage wizard's, a form)."""
        orders = {
            tuple(key for key, _label in LIFECYCLE_STAGES),
            tuple(key for key, _label in VALUE_TIERS),
            (*(key for key, _label in VALUE_TIERS), "none"),
        }
        found = []
        for name in self.env.registry:
            Model = self.env[name]
            for field in Model._fields.values():
                if (
                    field.type == "selection"
                    and field.store
                    and tuple(field.get_values(self.env)) in orders
                    and name != "crm.lifecycle.stage.wizard"
                ):
                    found.append((name, field.name))
                    with self.subTest(model=name, field=field.name):
                        self.assertIn(field.name, Model._selection_groups_in_order())
        self.assertIn(("crm.tier.migration.line", "tier_to"), found)
