from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.crm_lifecycle.const import LIFECYCLE_STAGES
from odoo.addons.crm_lifecycle.tools import arguments

from .crm_customer_profile import VALUE_TIERS

TRAP_LIMIT = 10
FILTER_KEYS = ("date_from", "date_to", "team_id", "user_id")


class CrmAnalyticsDashboard(models.AbstractModel):
    """Data of the manager dashboard: every tile in one call, each tile a
    handful of set-based queries, each with the domain that drills into
    the records behind it."""

    _name = "crm.analytics.dashboard"
    _description = "CRM Manager Dashboard"

    @api.model
    @api.readonly
    def get_dashboard_data(self, filters=None):
        """:param filters: dict with optional ``team_id``, ``user_id`` (ids),
        ``date_from`` and ``date_to`` (default the last 12 months, the end
        on or after the start); the companies are those of the environment."""
        self.env["crm.customer.profile"].check_access("read")
        filters = self._check_filters(filters)
        date_from, date_to = filters["date_from"], filters["date_to"]
        company_ids = self.env.companies.ids
        profile_domain = [("company_id", "in", company_ids)]
        if filters.get("team_id"):
            profile_domain.append(("team_id", "=", filters["team_id"]))
        if filters.get("user_id"):
            profile_domain.append(("user_id", "=", filters["user_id"]))
        self.env.flush_all()
        return {
            "filters": {
                "date_from": fields.Date.to_string(date_from),
                "date_to": fields.Date.to_string(date_to),
                "team_id": filters.get("team_id") or False,
                "user_id": filters.get("user_id") or False,
            },
            "pyramid": self._pyramid(profile_domain),
            "pyramid_share_label": self._pyramid_share_label(),
            "funnel": self._funnel(profile_domain),
            "stage_flow": self._stage_flow(
                date_from, date_to, company_ids, profile_domain
            ),
            "churn_trend": self._churn_trend(date_from, date_to, company_ids, filters),
            "churn_domain": self._churn_domain(
                date_from, date_to, company_ids, filters
            ),
            "satisfaction_trend": self._satisfaction_trend(
                date_from, date_to, company_ids, filters
            ),
            "matrix": self._matrix(date_from, date_to, company_ids, filters),
            "at_risk_vips": self._at_risk_vips(profile_domain),
            "trap": self._trap(profile_domain),
        }

    @api.model
    def _check_filters(self, filters):
        """``filters`` with dates as dates and ids as ids, defaults filled
        in; a UserError for a filter of the wrong shape."""
        env = self.env
        filters = arguments.check_options(env, filters, FILTER_KEYS, arguments.FILTERS)
        date_to = arguments.to_date(
            env, filters.get("date_to"), arguments.DATE_TO, required=False
        ) or fields.Date.context_today(self)
        date_from = arguments.to_date(
            env, filters.get("date_from"), arguments.DATE_FROM, required=False
        ) or (date_to - relativedelta(years=1, days=-1))
        date_from, date_to = arguments.check_period(env, date_from, date_to)
        team = arguments.to_records(
            env, "crm.team", filters.get("team_id"), arguments.SALES_TEAM, single=True
        )
        user = arguments.to_records(
            env, "res.users", filters.get("user_id"), arguments.SALESPERSON, single=True
        )
        return {
            "date_from": date_from,
            "date_to": date_to,
            "team_id": team.id,
            "user_id": user.id,
        }

    def _pyramid(self, domain):
        """Customers and share of the window value per tier; the values of
        the selected companies in the current company's currency."""
        groups = self.env["crm.customer.profile"]._read_group(
            [*domain, ("value_tier", "!=", False)],
            ["value_tier", "company_id"],
            ["__count", "rfm_monetary:sum"],
        )
        current = self.env.company
        today = fields.Date.context_today(self)
        by_tier = {}
        for tier, company, count, amount in groups:
            value = amount
            if company != current:
                # at the current company's rates, as the reports convert
                value = company.currency_id._convert(
                    amount, current.currency_id, current, today
                )
            tier_count, tier_value = by_tier.get(tier, (0, 0.0))
            by_tier[tier] = (tier_count + count, tier_value + value)
        total = sum(revenue for _count, revenue in by_tier.values()) or 0.0
        labels = self._selection_labels("value_tier")
        return [
            {
                "key": tier,
                "label": labels[tier],
                "count": by_tier.get(tier, (0, 0))[0],
                "revenue": by_tier.get(tier, (0, 0))[1],
                "share": 100.0 * by_tier.get(tier, (0, 0))[1] / total if total else 0.0,
                "domain": [*domain, ("value_tier", "=", tier)],
            }
            for tier, _label in VALUE_TIERS
        ]

    def _pyramid_share_label(self):
        """The heading of the pyramid's shares: what the window value of the
        selected companies measures (their value basis)."""
        bases = set(self.env.companies.mapped("crm_value_basis"))
        if bases == {"revenue"}:
            return self.env._("Share of revenue")
        if bases == {"margin"}:
            return self.env._("Share of gross margin")
        if bases == {"contribution"}:
            return self.env._("Share of contribution")
        return self.env._("Share of value")

    def _funnel(self, domain):
        groups = self.env["crm.customer.profile"]._read_group(
            [*domain, ("lifecycle_stage", "!=", False)],
            ["lifecycle_stage"],
            ["__count", "revenue_12m:sum"],
        )
        by_stage = {stage: (count, revenue) for stage, count, revenue in groups}
        labels = self._selection_labels("lifecycle_stage")
        return [
            {
                "key": stage,
                "label": labels[stage],
                "count": by_stage.get(stage, (0, 0))[0],
                "revenue": by_stage.get(stage, (0, 0))[1],
                "domain": [*domain, ("lifecycle_stage", "=", stage)],
            }
            for stage, _label in LIFECYCLE_STAGES
        ]

    def _stage_flow(self, date_from, date_to, company_ids, profile_domain):
        """Stage at the first date × stage at the second, from each
        customer's latest snapshot on or before each date: customers whose
        profile matches ``profile_domain`` and the user may read (record
        rules: a salesperson limited to their own documents sees their own
        customers' moves)."""
        Period = self.env["crm.customer.snapshot.period"]
        profiles = self.env["crm.customer.profile"]._search(profile_domain)
        rows = self.env.execute_query(
            SQL(
                """
                WITH stage_to AS (%(stage_to)s),
                stage_from AS (%(stage_from)s)
                SELECT coalesce(f.lifecycle_stage, 'none'),
                       coalesce(t.lifecycle_stage, 'none'), count(*),
                       array_agg(t.partner_id)
                  FROM stage_to t
                  LEFT JOIN stage_from f
                    ON f.company_id = t.company_id AND f.partner_id = t.partner_id
                 WHERE (t.company_id, t.partner_id) IN %(profiles)s
              GROUP BY 1, 2
                """,
                profiles=profiles.subselect(
                    SQL.identifier(profiles.table, "company_id"),
                    SQL.identifier(profiles.table, "partner_id"),
                ),
                stage_to=Period._latest_query(
                    date_to, list(company_ids), ["lifecycle_stage"]
                ),
                stage_from=Period._latest_query(
                    date_from, list(company_ids), ["lifecycle_stage"]
                ),
            )
        )
        labels = {
            **self._selection_labels("lifecycle_stage"),
            "none": self.env._("None"),
        }
        # the biggest moves first; among equal ones, in lifecycle order
        position = {stage: index for index, (stage, _l) in enumerate(LIFECYCLE_STAGES)}
        moved = sorted(
            (row for row in rows if row[0] != row[1]),
            key=lambda row: (
                -row[2],
                position.get(row[0], len(position)),
                position.get(row[1], len(position)),
            ),
        )
        return [
            {
                "from": labels.get(stage_from, stage_from),
                "to": labels.get(stage_to, stage_to),
                "count": count,
                # the customers who made this move (first rows only: the tile
                # shows them, the drill-down opens their profiles)
                "domain": [
                    ("company_id", "in", company_ids),
                    ("partner_id", "in", partner_ids if index < 8 else []),
                ],
            }
            for index, (stage_from, stage_to, count, partner_ids) in enumerate(moved)
        ]

    def _churn_domain(self, date_from, date_to, company_ids, filters):
        """The churn report's rows of the period, team and salesperson."""
        domain = [
            ("company_id", "in", company_ids),
            ("month", ">=", date_from.replace(day=1)),
            ("month", "<=", date_to),
        ]
        if filters.get("team_id"):
            domain.append(("team_id", "=", filters["team_id"]))
        if filters.get("user_id"):
            domain.append(("user_id", "=", filters["user_id"]))
        return domain

    def _churn_trend(self, date_from, date_to, company_ids, filters):
        """Churned and won back customers per month, from the churn report's
        rows of the filtered team and salesperson that the user may read
        (record rules: a salesperson limited to their own documents counts
        their own customers)."""
        groups = self.env["crm.churn.report"]._read_group(
            self._churn_domain(date_from, date_to, company_ids, filters),
            ["month:month"],
            ["churned:sum", "won_back:sum", "churn_base:sum"],
            order="month:month",
        )
        return [
            {
                "month": fields.Date.to_string(month),
                "churned": churned,
                "won_back": won_back,
                "churn_rate": 100.0 * churned / base if base else None,
            }
            for month, churned, won_back, base in groups
        ]

    def _response_domain(self, date_field, date_from, date_to, filters):
        """Responses to satisfaction surveys (not quizzes or certifications)
        with ``date_field`` in [date_from, date_to], of the filtered team and
        salesperson."""
        domain = [
            ("survey_id.crm_is_satisfaction", "=", True),
            (date_field, ">=", fields.Datetime.to_datetime(date_from)),
            (
                date_field,
                "<",
                fields.Datetime.to_datetime(date_to) + relativedelta(days=1),
            ),
        ]
        if filters.get("team_id"):
            domain.append(("crm_team_id", "=", filters["team_id"]))
        if filters.get("user_id"):
            domain.append(("crm_user_id", "=", filters["user_id"]))
        return domain

    def _satisfaction_trend(self, date_from, date_to, company_ids, filters):
        domain = [
            ("state", "=", "done"),
            ("crm_company_id", "in", company_ids),
            *self._response_domain("end_datetime", date_from, date_to, filters),
        ]
        groups = self.env["survey.user_input"]._read_group(
            domain,
            ["end_datetime:month"],
            ["crm_nps:avg", "crm_csi:avg", "__count"],
            order="end_datetime:month",
        )
        return {
            "domain": domain,
            "months": [
                {
                    "month": fields.Date.to_string(month),
                    "nps": nps if count else None,
                    "csi": csi if count else None,
                    "responses": count,
                }
                for month, nps, csi, count in groups
            ],
        }

    def _matrix(self, date_from, date_to, company_ids, filters):
        # invitations of the period (all states: the response rate needs
        # them) in the selected companies; record rules apply in compute()
        domain = [
            ("survey_id.question_and_page_ids.crm_measure", "!=", False),
            ("crm_company_id", "in", company_ids),
            *self._response_domain("create_date", date_from, date_to, filters),
        ]
        Analysis = self.env["crm.satisfaction.analysis"]
        figures = Analysis.compute(domain)
        return {
            "responses": figures["responses"],
            "invited": figures["invited"],
            "response_rate": figures["response_rate"],
            "low_confidence": figures["low_confidence"],
            "csi": figures["csi"],
            "nps": figures["nps"],
            # points, thresholds and quadrant names of the ImportanceMatrix
            **Analysis._matrix_chart(figures),
            "domain": [*domain, ("state", "=", "done")],
        }

    def _at_risk_vips(self, domain):
        risky = [*domain, ("value_tier", "=", "vip"), ("churn_risk_band", "=", "high")]
        profiles = self.env["crm.customer.profile"].search(risky, limit=TRAP_LIMIT)
        return {
            "count": self.env["crm.customer.profile"].search_count(risky),
            "domain": risky,
            "rows": [
                {
                    "id": profile.id,
                    "name": profile.partner_id.display_name,
                    "risk": profile.churn_risk,
                    "revenue": profile.revenue_12m,
                    "last_purchase": fields.Date.to_string(profile.last_purchase_date),
                }
                for profile in profiles
            ],
        }

    def _selection_labels(self, field):
        """The labels of a selection of the profile, in the user's language."""
        selection = self.env["crm.customer.profile"]._fields[field]
        return dict(selection._description_selection(self.env))

    def _trap(self, domain):
        Trap = self.env["crm.satisfaction.trap.report"]
        trap_domain = [
            (field, operator, value)
            for field, operator, value in domain
            if field in ("company_id", "team_id", "user_id")
        ]
        rows = Trap.search(trap_domain, limit=TRAP_LIMIT)
        stages = self._selection_labels("lifecycle_stage")
        return {
            "count": Trap.search_count(trap_domain),
            "domain": trap_domain,
            "rows": [
                {
                    # the report's rows are the profiles: the id opens one
                    "id": row.id,
                    "name": row.partner_id.display_name,
                    "stage": stages.get(row.lifecycle_stage),
                    "csi": row.latest_csi,
                    "salesperson": row.user_id.display_name or "",
                }
                for row in rows
            ],
        }

    @api.model
    @api.readonly
    def get_whale_data(self):
        """The whale curve tile, loaded apart from the other tiles (it adds
        up the invoice lines of the last 12 months, as the whale curve report
        does): per selected company, as of today (the period, team and
        salesperson filters do not apply: the curve ranks all of a
        company's customers), the figures of
        ``crm.whale.curve.report.whale_curve`` and the points, the highest
        cumulative contribution (%) per percentile of customers. None for a
        reader without access to the whale curve."""
        Whale = self.env["crm.whale.curve.report"]
        if not Whale.has_access("read"):
            return None
        curves = Whale.whale_curve()
        points = Whale._read_group(
            [("company_id", "in", list(curves))],
            ["company_id", "customer_percentile"],
            ["contribution_cumulative:max"],
            order="company_id, customer_percentile",
        )
        companies = self.env["res.company"].browse(curves)
        return [
            {
                "company_id": company.id,
                "company": company.display_name,
                "currency_id": self.env.company.currency_id.id,
                **curves[company.id],
                "points": [
                    {"x": percentile, "y": cumulative}
                    for point_company, percentile, cumulative in points
                    if point_company == company
                ],
            }
            for company in companies
        ]
