from odoo.tests import tagged

from .common import LifecycleCommon

# The stages in lifecycle order, and alphabetically as Odoo 18 sorts keys.
IN_ORDER = ["prospect", "new", "growing", "mature", "declining", "churned", "won_back"]
BY_KEY = ["churned", "declining", "growing", "mature", "new", "prospect", "won_back"]


@tagged("post_install", "-at_install")
class TestLifecycleGroupOrder(LifecycleCommon):
    """The stages come in lifecycle order, not alphabetically, in each view
    that groups by them, asked as the web client asks: the graph
    (``web_read_group``, ``lazy=False``), the pivot (``read_group``,
    ``lazy=False``), a list grouped by stage (``web_read_group``, lazy) and
    the search panel."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer("Ordered Prospect", customer_rank=1)
        specs = {
            "Ordered New A": [(30, 100)],
            "Ordered New B": [(20, 100)],
            "Ordered Growing": [(200, 100)],
            "Ordered Mature": [(400, 1000), (50, 1000)],
            "Ordered Declining": [(400, 1000), (50, 500)],
            "Ordered Churned": [(800, 100), (400, 100)],
            "Ordered Won Back": [(700, 100), (100, 100)],
        }
        invoices = []
        for name, purchases in specs.items():
            partner = cls.customer(name)
            invoices += [
                (partner, cls.days_before(days), amount) for days, amount in purchases
            ]
        cls.post_invoices(invoices)
        cls.partners = cls.env["res.partner"].search([("name", "=like", "Ordered %")])
        cls.Profile.with_company(cls.company).with_context(
            allowed_company_ids=cls.company.ids
        ).recompute(cls.REF, partners=cls.partners)
        cls.domain = [
            ("partner_id", "in", cls.partners.ids),
            ("company_id", "=", cls.company.id),
        ]

    def stages(self, groups, field="lifecycle_stage"):
        return [group[field] for group in groups]

    def test_pages_and_dates_keep_the_order(self):
        """Pages of groups are cut from the ordered groups; a date group-by
        named by its field in ``orderby`` still orders the stages within."""
        Profile = self.Profile.with_company(self.company)
        pages = [
            self.stages(
                Profile.read_group(
                    self.domain,
                    ["__count"],
                    ["lifecycle_stage"],
                    offset=offset,
                    limit=3,
                )
            )
            for offset in (0, 3, 6)
        ]
        self.assertEqual(pages, [IN_ORDER[:3], IN_ORDER[3:6], IN_ORDER[6:]])
        by_year = Profile.read_group(
            self.domain,
            ["__count"],
            ["facts_date:year", "lifecycle_stage"],
            orderby="facts_date desc",
            lazy=False,
        )
        self.assertEqual(self.stages(by_year), IN_ORDER)

    def test_funnel_graph_pivot_and_list(self):
        Profile = self.Profile.with_company(self.company)
        domain = self.domain
        # unordered, the database gives the stages alphabetically
        self.assertEqual(
            [
                stage
                for stage, _count in Profile._read_group(
                    domain, ["lifecycle_stage"], ["__count"]
                )
            ],
            BY_KEY,
        )
        graph = Profile.web_read_group(
            domain, ["__count"], ["lifecycle_stage"], lazy=False
        )["groups"]
        self.assertEqual(self.stages(graph), IN_ORDER)
        self.assertEqual([g["__count"] for g in graph], [1, 2, 1, 1, 1, 1, 1])
        pivot = Profile.read_group(domain, ["__count"], ["lifecycle_stage"], lazy=False)
        self.assertEqual(self.stages(pivot), IN_ORDER)
        listed = Profile.web_read_group(
            domain,
            ["revenue_12m:sum"],
            ["lifecycle_stage"],
            orderby="",
            lazy=True,
            limit=80,
            offset=0,
        )
        self.assertEqual(self.stages(listed["groups"]), IN_ORDER)
        self.assertEqual(listed["length"], 7)
        # a list sorted by the stage column, descending
        descending = Profile.web_read_group(
            domain, [], ["lifecycle_stage"], orderby="lifecycle_stage DESC"
        )["groups"]
        self.assertEqual(self.stages(descending), IN_ORDER[::-1])
        # a list sorted by a measure keeps that order
        by_count = Profile.web_read_group(
            domain, [], ["lifecycle_stage"], orderby="__count desc"
        )["groups"]
        self.assertEqual(by_count[0]["lifecycle_stage"], "new")
        self.assertEqual(by_count[0]["lifecycle_stage_count"], 2)

    def test_search_panel(self):
        Profile = self.Profile.with_company(self.company)
        for expand in (False, True):
            with self.subTest(expand=expand):
                values = Profile.search_panel_select_range(
                    "lifecycle_stage",
                    enable_counters=True,
                    expand=expand,
                    search_domain=[("partner_id", "in", self.partners.ids)],
                )["values"]
                self.assertEqual([v["id"] for v in values], IN_ORDER)
                self.assertEqual(values[1]["__count"], 2)

    def test_partner_stage_groups(self):
        Partner = self.env["res.partner"].with_company(self.company)
        domain = [("id", "in", self.partners.ids)]
        for lazy in (True, False):
            with self.subTest(lazy=lazy):
                groups = Partner.web_read_group(
                    domain, ["__count"], ["lifecycle_stage"], lazy=lazy
                )["groups"]
                self.assertEqual(self.stages(groups), IN_ORDER)

    def test_history_pivot_from_and_to(self):
        """A pivot of the history, stage reached × stage left: both in
        lifecycle order, the first entries (no stage before) last. Posting
        the invoices evaluated each buyer as of today (years after REF):
        churned; the evaluation as of REF set their stage of then; 400 days
        after REF, every buyer has churned again."""
        self.Profile.with_company(self.company).with_context(
            allowed_company_ids=self.company.ids
        ).recompute(self.days_before(-400), partners=self.partners)
        groups = self.History.read_group(
            self.domain, ["__count"], ["stage_to", "stage_from"], lazy=False
        )
        self.assertEqual(
            [(g["stage_to"], g["stage_from"], g["__count"]) for g in groups],
            [
                ("prospect", False, 1),
                ("new", "churned", 2),
                ("growing", "churned", 1),
                ("mature", "churned", 1),
                ("declining", "churned", 1),
                ("churned", "new", 2),
                ("churned", "growing", 1),
                ("churned", "mature", 1),
                ("churned", "declining", 1),
                ("churned", "won_back", 1),
                ("churned", False, 7),
                ("won_back", "churned", 1),
            ],
        )
        # the list of the history grouped by stage left, then (lazily) reached
        groups = self.History.web_read_group(
            self.domain, [], ["stage_from", "stage_to"]
        )["groups"]
        self.assertEqual(
            self.stages(groups, "stage_from"),
            ["new", "growing", "mature", "declining", "churned", "won_back", False],
        )
