from odoo.tests import tagged

from .common import SatisfactionCommon

# DOMAIN §3, rows functional, columns dysfunctional (1 like … 5 dislike)
KANO_TABLE = [
    "QAAAO",
    "RIIIM",
    "RIIIM",
    "RIIIM",
    "RRRRQ",
]


@tagged("post_install", "-at_install")
class TestSatisfactionIndices(SatisfactionCommon):
    def test_csi_weighted_equal_and_dimension_figures(self):
        # R1 answered importance for both dimensions: weighted CSI
        # C_a = 5/4 = 1.25 (importance 5), C_b = 4/5 = 0.8 (importance 1)
        # CSI = (1.25 x 5 + 0.8 x 1) / 6 = 1.175
        r1 = self.respond(
            {
                "expectation_a": 4, "perception_a": 5, "importance_a": 5,
                "expectation_b": 5, "perception_b": 4, "importance_b": 1,
            }
        )  # fmt: skip
        # R2 missed the importance of b: equal weights, (3/2 + 2/4) / 2 = 1.0
        r2 = self.respond(
            {
                "expectation_a": 2, "perception_a": 3, "importance_a": 4,
                "expectation_b": 4, "perception_b": 2,
            }
        )  # fmt: skip
        self.assertAlmostEqual(r1.crm_csi, 1.175)
        self.assertAlmostEqual(r2.crm_csi, 1.0)
        figures = self.analyse()
        self.assertAlmostEqual(figures["csi"], (1.175 + 1.0) / 2)
        dim_a = figures["dimensions"][self.dim_a.id]
        dim_b = figures["dimensions"][self.dim_b.id]
        # aggregated C = mean perception / mean expectation
        self.assertAlmostEqual(dim_a["expectation"], 3.0)
        self.assertAlmostEqual(dim_a["perception"], 4.0)
        self.assertAlmostEqual(dim_a["ratio"], 4 / 3)
        self.assertAlmostEqual(dim_b["ratio"], 3.0 / 4.5)
        self.assertAlmostEqual(dim_a["importance"], 4.5)
        self.assertAlmostEqual(dim_b["importance"], 1.0)
        self.assertEqual((dim_a["responses"], dim_b["responses"]), (2, 2))
        # thresholds: mean importance 2.75, mean perception 3.5
        self.assertEqual(dim_a["quadrant"], "advantage")
        self.assertEqual(dim_b["quadrant"], "secondary")
        # no Kano, overall, recommend or effort answers
        self.assertIsNone(dim_a["kano"])
        self.assertIsNone(dim_a["better"])
        for key in ("csat", "nps", "ces"):
            self.assertIsNone(figures[key], key)
        # results per dimension were stored at completion
        self.assertEqual(sorted(r1.crm_result_ids.mapped("ratio")), [0.8, 1.25])

    def test_csat_nps_ces_and_index(self):
        answers = [
            {"overall": 5, "recommend": 10, "effort": 2, "perception_a": 5},
            {"overall": 4, "recommend": 9, "effort": 4, "perception_a": 3},
            {"overall": 3, "recommend": 8},
            {"recommend": 6},
            {"recommend": 0},
        ]
        inputs = [self.respond(a) for a in answers]
        figures = self.analyse()
        # top two points of 1-5: 4 and 5 -> 2 of 3 overall answers
        self.assertAlmostEqual(figures["csat"], 200 / 3)
        # promoters 10, 9; passive 8; detractors 6, 0 -> 40 - 40
        self.assertAlmostEqual(figures["nps"], 0.0)
        self.assertAlmostEqual(figures["ces"], 3.0)
        # index: overall (100 + 75 + 50) / 3 = 75, perception (100 + 50) / 2
        # = 75, no value answers: left out, weights renormalised -> 75
        self.assertAlmostEqual(figures["index"], 75.0)
        self.company.crm_index_weight_overall = 3
        self.respond({"value": 1})  # value component: 0
        # (75 x 3 + 75 x 1 + 0 x 1) / 5 = 60
        self.assertAlmostEqual(self.analyse()["index"], 60.0)
        self.assertEqual(
            [i.crm_nps_category for i in inputs],
            ["promoter", "promoter", "passive", "detractor", "detractor"],
        )
        self.assertEqual([i.crm_csat for i in inputs[:3]], [100, 100, 0])

    def test_invitations_response_rate_and_confidence(self):
        done = self.respond({"overall": 5}) | self.respond({"overall": 4})
        pending = self.respond({}, done=False) | self.respond({}, done=False)
        self.env["survey.user_input"].create(
            {"survey_id": self.survey.id, "partner_id": self.customer.id}
        )
        figures = self.analyse()
        self.assertEqual((figures["responses"], figures["invited"]), (2, 5))
        self.assertAlmostEqual(figures["response_rate"], 40.0)
        self.assertTrue(figures["low_confidence"])
        # unanswered invitations never count in the figures
        self.assertAlmostEqual(figures["csat"], 100.0)
        self.company.crm_satisfaction_min_responses = 2
        self.assertFalse(self.analyse()["low_confidence"])
        self.assertEqual(len(done | pending), 4)
        empty = self.Analysis.compute([("id", "=", 0)])
        self.assertEqual((empty["responses"], empty["invited"]), (0, 0))
        self.assertIsNone(empty["response_rate"])
        self.assertIsNone(empty["csi"])
        self.assertEqual(empty["dimensions"], {})

    def test_kano_table_cell_by_cell(self):
        inputs = {}
        for f in range(1, 6):
            for d in range(1, 6):
                inputs[(f, d)] = self.respond(
                    {"kano_functional_a": f, "kano_dysfunctional_a": d}
                )
        for (f, d), user_input in inputs.items():
            with self.subTest(functional=f, dysfunctional=d):
                self.assertEqual(
                    user_input.crm_result_ids.kano_category,
                    KANO_TABLE[f - 1][d - 1],
                )
        figures = self.analyse()["dimensions"][self.dim_a.id]
        # 25 cells: I 9, R 7, A 3, M 3, Q 2, O 1 -> I
        self.assertEqual(figures["kano"], "I")
        self.assertAlmostEqual(figures["better"], (3 + 1) / (3 + 1 + 3 + 9))
        self.assertAlmostEqual(figures["worse"], -(1 + 3) / (3 + 1 + 3 + 9))

    def test_kano_ties_and_empty_denominator(self):
        # one must-be (2, 5) and one one-dimensional (1, 5): tie, M wins
        m = self.respond({"kano_functional_a": 2, "kano_dysfunctional_a": 5})
        o = self.respond({"kano_functional_a": 1, "kano_dysfunctional_a": 5})
        self.assertEqual(self.analyse()["dimensions"][self.dim_a.id]["kano"], "M")
        # reverse and questionable only: no Better / Worse
        r = self.respond({"kano_functional_a": 5, "kano_dysfunctional_a": 1})
        figures = self.analyse(r)["dimensions"][self.dim_a.id]
        self.assertEqual(figures["kano"], "R")
        self.assertIsNone(figures["better"])
        self.assertIsNone(figures["worse"])
        both = self.analyse(m | o)["dimensions"][self.dim_a.id]
        self.assertAlmostEqual(both["better"], 0.5)
        self.assertAlmostEqual(both["worse"], -1.0)

    def test_value_on_the_threshold_counts_as_high(self):
        dim_c = self.env["crm.satisfaction.dimension"].create(
            {"name": "Price", "code": "t_price"}
        )
        self.q["importance_c"] = self.question("importance", 1, 5, dim_c)
        self.q["perception_c"] = self.question("perception", 1, 5, dim_c)
        # importance 4, 2, 3 -> mean 3: c is exactly on it (high)
        # perception 2, 4, 3 -> mean 3: c is exactly on it (high)
        self.respond(
            {
                "importance_a": 4, "perception_a": 2,
                "importance_b": 2, "perception_b": 4,
                "importance_c": 3, "perception_c": 3,
            }
        )  # fmt: skip
        dims = self.analyse()["dimensions"]
        self.assertEqual(dims[self.dim_a.id]["quadrant"], "urgent")
        self.assertEqual(dims[self.dim_b.id]["quadrant"], "surplus")
        self.assertEqual(dims[dim_c.id]["quadrant"], "advantage")
        # fixed mid-points: 3 is high, below is low
        self.company.write(
            {
                "crm_matrix_threshold_mode": "fixed",
                "crm_matrix_importance_mid": 3.0,
                "crm_matrix_satisfaction_mid": 3.5,
            }
        )
        dims = self.analyse()["dimensions"]
        self.assertEqual(dims[dim_c.id]["quadrant"], "urgent")
        self.assertEqual(dims[self.dim_b.id]["quadrant"], "surplus")

    def test_query_count_does_not_grow_with_responses(self):
        self.respond({"overall": 5, "expectation_a": 3, "perception_a": 4})
        self.analyse()  # access rights and settings in cache
        with self.assertQueryCount(3):
            self.analyse()
        for _i in range(10):
            self.respond({"overall": 4, "expectation_a": 3, "perception_a": 2})
        self.analyse()
        with self.assertQueryCount(3):
            figures = self.analyse()
        self.assertEqual(figures["responses"], 11)
