from odoo import api, models
from odoo.tools import SQL

from odoo.addons.crm_lifecycle.tools import arguments

QUADRANT_SELECTION = [
    ("urgent", "Urgent improvement"),
    ("advantage", "Competitive advantage"),
    ("secondary", "Secondary improvement"),
    ("surplus", "Surplus"),
]
QUADRANTS = {
    # (importance high, satisfaction high)
    (True, False): "urgent",
    (True, True): "advantage",
    (False, False): "secondary",
    (False, True): "surplus",
}
# Kano category ties: the first of this order wins.
KANO_ORDER = "MOAIRQ"


class CrmSatisfactionAnalysis(models.AbstractModel):
    """Satisfaction indices of DOMAIN §3 over any set of survey responses.

    One implementation for the API, the figures stored on a response at
    completion and the reports: the CTEs of :meth:`_answer_ctes` turn the
    answers of a set of responses into per-respondent and per-dimension
    figures, in SQL.
    """

    _name = "crm.satisfaction.analysis"
    _description = "Satisfaction Analysis"

    @api.model
    def _answer_ctes(self, input_ids):
        """CTEs over the completed responses whose ids ``input_ids`` (an SQL
        expression: a subquery or an array) selects:

        - ``ans``: every measured answer, raw (``value``) and rescaled to
          0–100 (``scaled``), with its scale;
        - ``dim``: per respondent and dimension, the mean expectation (a),
          perception (b), importance, the ratio C = b / a, the Kano pair and
          its category;
        - ``resp``: per respondent, the CSI: mean of C over the dimensions
          with both a and b, weighted by importance when every such
          dimension has one, equally otherwise.
        """
        return SQL(
            """
ans AS (
    SELECT l.user_input_id AS input_id,
           q.crm_measure AS measure,
           q.crm_dimension_id AS dimension_id,
           l.value_scale::numeric AS value,
           q.scale_min,
           q.scale_max,
           (l.value_scale - q.scale_min)::numeric * 100
               / (q.scale_max - q.scale_min) AS scaled
      FROM survey_user_input_line l
      JOIN survey_question q ON q.id = l.question_id
      JOIN survey_user_input i ON i.id = l.user_input_id
     WHERE l.user_input_id IN %(input_ids)s
       AND i.state = 'done'
       AND q.crm_measure IS NOT NULL
       AND l.answer_type = 'scale'
       AND l.skipped IS NOT TRUE
),
dim_raw AS (
    SELECT a.input_id,
           a.dimension_id,
           avg(a.value) FILTER (WHERE a.measure = 'expectation') AS expectation,
           avg(a.value) FILTER (WHERE a.measure = 'perception') AS perception,
           avg(a.value) FILTER (WHERE a.measure = 'importance') AS importance,
           round(avg(a.value) FILTER (WHERE a.measure = 'kano_functional'))
               AS kano_functional,
           round(avg(a.value) FILTER (WHERE a.measure = 'kano_dysfunctional'))
               AS kano_dysfunctional
      FROM ans a
     WHERE a.dimension_id IS NOT NULL
  GROUP BY a.input_id, a.dimension_id
),
dim AS (
    SELECT d.*,
           d.perception / NULLIF(d.expectation, 0) AS ratio,
           -- rows functional, columns dysfunctional: 1 like, 2 must-be,
           -- 3 neutral, 4 live-with, 5 dislike
           CASE WHEN d.kano_functional IS NULL OR d.kano_dysfunctional IS NULL
                    THEN NULL
                WHEN d.kano_functional = 1 AND d.kano_dysfunctional = 1 THEN 'Q'
                WHEN d.kano_functional = 1 AND d.kano_dysfunctional = 5 THEN 'O'
                WHEN d.kano_functional = 1 THEN 'A'
                WHEN d.kano_functional = 5 AND d.kano_dysfunctional = 5 THEN 'Q'
                WHEN d.kano_functional = 5 THEN 'R'
                WHEN d.kano_dysfunctional = 1 THEN 'R'
                WHEN d.kano_dysfunctional = 5 THEN 'M'
                ELSE 'I'
           END AS kano
      FROM dim_raw d
),
resp AS (
    SELECT d.input_id,
           CASE WHEN bool_and(d.importance IS NOT NULL)
                     AND sum(d.importance) > 0
                THEN sum(d.ratio * d.importance) / sum(d.importance)
                ELSE avg(d.ratio)
           END AS csi
      FROM dim d
     WHERE d.ratio IS NOT NULL
  GROUP BY d.input_id
)
            """,
            input_ids=input_ids,
        )

    @api.model
    def _settings(self):
        company = self.env.company
        return {
            "min_responses": company.crm_satisfaction_min_responses,
            "weights": {
                "overall": company.crm_index_weight_overall,
                "perception": company.crm_index_weight_perception,
                "value": company.crm_index_weight_value,
            },
            "matrix_mode": company.crm_matrix_threshold_mode,
            "importance_mid": company.crm_matrix_importance_mid,
            "satisfaction_mid": company.crm_matrix_satisfaction_mid,
        }

    @api.model
    @api.readonly
    def compute(self, domain):
        """Satisfaction figures over the responses (``survey.user_input``)
        matching ``domain``: all of them are the invitations, the completed
        ones the responses. Figures without data are None; percentages (rate,
        CSAT) are 0–100, NPS −100–100, the index 0–100. A domain of the
        wrong shape or on unknown fields or operators is a UserError.
        """
        UserInput = self.env["survey.user_input"]
        UserInput.check_access("read")
        self.env.flush_all()
        query = arguments.domain_query(UserInput, domain)
        settings = self._settings()
        [(invited, responses)] = self.env.execute_query(
            SQL(
                """SELECT count(*), count(*) FILTER (WHERE i.state = 'done')
                     FROM survey_user_input i WHERE i.id IN %s""",
                query.subselect(),
            )
        )
        ctes = self._answer_ctes(query.subselect())
        [row] = self.env.execute_query_dict(
            SQL(
                """
                WITH %(ctes)s
                SELECT (SELECT avg(csi) FROM resp) AS csi,
                       100.0 * count(*) FILTER (
                           WHERE measure = 'overall' AND value >= scale_max - 1)
                           / NULLIF(count(*) FILTER (WHERE measure = 'overall'), 0)
                           AS csat,
                       100.0 * (count(*) FILTER (
                                    WHERE measure = 'recommend' AND value >= 9)
                                - count(*) FILTER (
                                    WHERE measure = 'recommend' AND value <= 6))
                           / NULLIF(count(*) FILTER (WHERE measure = 'recommend'), 0)
                           AS nps,
                       avg(value) FILTER (WHERE measure = 'effort') AS ces,
                       avg(scaled) FILTER (WHERE measure = 'overall') AS c_overall,
                       avg(scaled) FILTER (WHERE measure = 'perception')
                           AS c_perception,
                       avg(scaled) FILTER (WHERE measure = 'value') AS c_value
                  FROM ans
                """,
                ctes=ctes,
            )
        )
        dimension_rows = self.env.execute_query_dict(
            SQL(
                """
                WITH %(ctes)s,
                per_dimension AS (
                    SELECT dimension_id,
                           avg(value) FILTER (WHERE measure = 'expectation')
                               AS expectation,
                           avg(value) FILTER (WHERE measure = 'perception')
                               AS perception,
                           avg(value) FILTER (WHERE measure = 'importance')
                               AS importance,
                           count(DISTINCT input_id) AS responses
                      FROM ans
                     WHERE dimension_id IS NOT NULL
                  GROUP BY dimension_id
                ),
                kano AS (
                    SELECT dimension_id,
                           count(*) FILTER (WHERE kano = 'A') AS a,
                           count(*) FILTER (WHERE kano = 'O') AS o,
                           count(*) FILTER (WHERE kano = 'M') AS m,
                           count(*) FILTER (WHERE kano = 'I') AS i,
                           count(*) FILTER (WHERE kano = 'R') AS r,
                           count(*) FILTER (WHERE kano = 'Q') AS q
                      FROM dim
                  GROUP BY dimension_id
                )
                SELECT p.*, k.a, k.o, k.m, k.i, k.r, k.q
                  FROM per_dimension p
                  LEFT JOIN kano k ON k.dimension_id = p.dimension_id
                """,
                ctes=ctes,
            )
        )
        components = {
            "overall": row["c_overall"],
            "perception": row["c_perception"],
            "value": row["c_value"],
        }
        weights = {
            key: settings["weights"][key]
            for key, mean in components.items()
            if mean is not None and settings["weights"][key] > 0
        }
        index = None
        if weights:
            index = sum(
                float(components[key]) * weight for key, weight in weights.items()
            ) / sum(weights.values())

        def number(value):
            return None if value is None else float(value)

        return {
            "responses": responses,
            "invited": invited,
            "response_rate": 100.0 * responses / invited if invited else None,
            "low_confidence": responses < settings["min_responses"],
            "csi": number(row["csi"]),
            "csat": number(row["csat"]),
            "nps": number(row["nps"]),
            "ces": number(row["ces"]),
            "index": index,
            "thresholds": self._thresholds(dimension_rows, settings),
            "dimensions": self._dimension_figures(dimension_rows, settings),
        }

    @staticmethod
    def _in_matrix(row):
        return row["importance"] is not None and row["perception"] is not None

    @api.model
    def _thresholds(self, rows, settings):
        """The matrix's quadrant lines: {"importance", "satisfaction"}, fixed
        or the means of the dimensions in the matrix (None without any)."""
        if settings["matrix_mode"] == "fixed":
            return {
                "importance": settings["importance_mid"],
                "satisfaction": settings["satisfaction_mid"],
            }
        shown = [row for row in rows if self._in_matrix(row)]
        if not shown:
            return None
        return {
            "importance": sum(float(row["importance"]) for row in shown) / len(shown),
            "satisfaction": sum(float(row["perception"]) for row in shown) / len(shown),
        }

    @api.model
    def _dimension_figures(self, rows, settings):
        """Ratio, quadrant and Kano figures per dimension from its means and
        Kano counts (one row per dimension)."""
        thresholds = self._thresholds(rows, settings)
        figures = {}
        for row in rows:
            expectation = row["expectation"]
            perception = row["perception"]
            importance = row["importance"]
            quadrant = None
            if self._in_matrix(row):
                quadrant = QUADRANTS[
                    (
                        float(importance) >= thresholds["importance"],
                        float(perception) >= thresholds["satisfaction"],
                    )
                ]
            counts = {key.upper(): row[key] or 0 for key in "aomirq"}
            kano = better = worse = None
            if sum(counts.values()):
                kano = max(KANO_ORDER, key=lambda c: (counts[c], -KANO_ORDER.index(c)))
                base = counts["A"] + counts["O"] + counts["M"] + counts["I"]
                if base:
                    better = (counts["A"] + counts["O"]) / base
                    worse = -(counts["O"] + counts["M"]) / base
            figures[row["dimension_id"]] = {
                "expectation": None if expectation is None else float(expectation),
                "perception": None if perception is None else float(perception),
                "importance": None if importance is None else float(importance),
                "ratio": (
                    float(perception) / float(expectation)
                    if perception is not None and expectation
                    else None
                ),
                "quadrant": quadrant,
                "kano": kano,
                "better": better,
                "worse": worse,
                "responses": row["responses"],
            }
        return figures

    @api.model
    def _matrix_chart(self, figures):
        """The importance–satisfaction matrix of ``figures`` (see
        ``compute``) as the ``ImportanceMatrix`` chart reads it: the
        dimensions in the matrix with their names and quadrants, in the
        user's language, and the quadrant lines."""
        dimensions = self.env["crm.satisfaction.dimension"].browse(
            list(figures["dimensions"])
        )
        names = {dimension.id: dimension.display_name for dimension in dimensions}
        labels = dict(
            self.env["crm.satisfaction.matrix.line"]
            ._fields["quadrant"]
            ._description_selection(self.env)
        )
        return {
            "points": [
                {
                    "dimension_id": dimension_id,
                    "name": names[dimension_id],
                    "importance": figure["importance"],
                    "perception": figure["perception"],
                    "quadrant": figure["quadrant"],
                }
                for dimension_id, figure in figures["dimensions"].items()
                if figure["quadrant"]
            ],
            "thresholds": figures["thresholds"],
            "quadrants": labels,
        }
