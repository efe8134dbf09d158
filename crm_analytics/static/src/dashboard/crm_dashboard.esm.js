import {
    Component,
    onMounted,
    onWillStart,
    onWillUnmount,
    useEffect,
    useRef,
    useState,
} from "@odoo/owl";
import {deserializeDate, formatDate} from "@web/core/l10n/dates";
import {formatFloat, formatMonetary} from "@web/views/fields/formatters";
import {ImportanceMatrix} from "@crm_satisfaction/importance_matrix/importance_matrix.esm";
import {KeepLast} from "@web/core/utils/concurrency";
import {_t} from "@web/core/l10n/translation";
import {loadBundle} from "@web/core/assets";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {useSetupAction} from "@web/search/action_hook";

const FILTER_KEYS = ["date_from", "date_to", "team_id", "user_id"];

/**
 * A month of the server ("2026-12-01", its first day) as the reader says it,
 * in the user's language: "Dec 2026", "2026年12月".
 *
 * @param {String} value
 * @returns {String}
 */
export function formatMonth(value) {
    return deserializeDate(value).toLocaleString({month: "short", year: "numeric"});
}

/**
 * Manager dashboard: the customer pyramid, the lifecycle funnel, the stage
 * flow between two dates, churn and win-back, NPS and CSI, the
 * importance-satisfaction matrix, VIPs at risk, the satisfaction trap and
 * the whale curve.
 * Three RPCs: teams, salespeople, and every tile's data at once; the whale
 * curve, which adds up a year of invoice lines, comes by a fourth after the
 * first display.
 *
 * The filters are the action's state: they come back with the breadcrumb
 * (local state) and after a reload (the URL).
 */
export class CrmDashboard extends Component {
    static template = "crm_analytics.Dashboard";
    static components = {ImportanceMatrix};
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.notification = useService("notification");
        // Only the answer to the latest filters is shown
        this.keepLast = new KeepLast();
        this.state = useState({
            data: null,
            // Undefined while loading, null without access
            whale: undefined,
            teams: [],
            users: [],
            filters: this.initialFilters(),
        });
        useSetupAction({
            getLocalState: () => ({filters: {...this.state.filters}}),
        });
        this.canvas = {
            pyramid: useRef("pyramid"),
            funnel: useRef("funnel"),
            churn: useRef("churn"),
            satisfaction: useRef("satisfaction"),
            whale: useRef("whale"),
        };
        this.charts = [];
        onWillStart(async () => {
            await loadBundle("web.chartjs_lib");
            const [teams, users] = await Promise.all([
                this.orm.searchRead("crm.team", [], ["name"]),
                this.orm.searchRead("res.users", [["share", "=", false]], ["name"], {
                    limit: 200,
                }),
            ]);
            this.state.teams = teams;
            this.state.users = users;
            await this.load();
        });
        onMounted(() => this.loadWhale());
        useEffect(
            () => {
                this.renderCharts();
            },
            () => [this.state.data, this.state.whale]
        );
        onWillUnmount(() => this.destroyCharts());
    }

    /**
     * The filters the user left (breadcrumb back), else those of the URL
     * (reload), else none: the server's default period.
     */
    initialFilters() {
        if (this.props.state?.filters) {
            return {...this.props.state.filters};
        }
        const params =
            this.props.action?.context?.params || this.props.action?.params || {};
        return {
            date_from: params.date_from || false,
            date_to: params.date_to || false,
            team_id: parseInt(params.team_id, 10) || false,
            user_id: parseInt(params.user_id, 10) || false,
        };
    }

    async load() {
        const data = await this.keepLast.add(
            this.orm.call("crm.analytics.dashboard", "get_dashboard_data", [], {
                filters: this.state.filters,
            })
        );
        this.state.filters.date_from = data.filters.date_from;
        this.state.filters.date_to = data.filters.date_to;
        this.state.data = data;
        // In the URL, so that a reload shows the same figures
        this.props.updateActionState?.(
            Object.fromEntries(
                FILTER_KEYS.map((key) => [key, this.state.filters[key] || undefined])
            )
        );
    }

    async loadWhale() {
        this.state.whale = await this.orm.call(
            "crm.analytics.dashboard",
            "get_whale_data",
            []
        );
    }

    async onFilter(name, ev) {
        const value = ev.target.value;
        const filters = {
            ...this.state.filters,
            [name]: ["team_id", "user_id"].includes(name)
                ? parseInt(value, 10) || false
                : value || false,
        };
        if (
            filters.date_from &&
            filters.date_to &&
            filters.date_from > filters.date_to
        ) {
            ev.target.value = this.state.filters[name] || "";
            this.notification.add(
                _t("The start date must be on or before the end date."),
                {
                    type: "danger",
                }
            );
            return;
        }
        Object.assign(this.state.filters, filters);
        await this.load();
    }

    /** Whether anybody churned or came back over the period. */
    hasCounts(months) {
        return months.some((month) => month.churned || month.won_back);
    }

    /** A day of the server ("2026-12-03") in the user's date format. */
    formatDay(value) {
        return formatDate(deserializeDate(value));
    }

    number(value, digits = 1) {
        if (value === null || value === undefined || value === false) {
            return "–";
        }
        return formatFloat(value, {digits: [16, digits]});
    }

    openProfiles(domain, name) {
        this.action.doAction({
            type: "ir.actions.act_window",
            name: name || _t("Customers"),
            res_model: "crm.customer.profile",
            views: [
                [false, "list"],
                [false, "form"],
            ],
            domain,
        });
    }

    openChurn() {
        this.openModel(
            "crm.churn.report",
            this.state.data.churn_domain,
            _t("Churn and Win-back")
        );
    }

    openResponses(domain) {
        this.openModel("survey.user_input", domain, _t("Satisfaction Responses"));
    }

    openTrap() {
        this.openModel(
            "crm.satisfaction.trap.report",
            this.state.data.trap.domain,
            _t("Satisfaction Trap")
        );
    }

    openModel(resModel, domain, name, views = [[false, "list"]]) {
        this.action.doAction({
            type: "ir.actions.act_window",
            name,
            res_model: resModel,
            views,
            domain,
        });
    }

    /** The whale curve report; its value destroyers' list if ``destroyers``. */
    openWhale(destroyers = false) {
        this.action.doAction(
            "crm_analytics.crm_whale_curve_report_action",
            destroyers
                ? {
                      additionalContext: {search_default_value_destroyers: 1},
                      viewType: "list",
                  }
                : {}
        );
    }

    /** A percentage with its sign, "–" when there is none. */
    percent(value) {
        return value === null || value === undefined ? "–" : `${this.number(value)} %`;
    }

    money(value, currencyId) {
        return formatMonetary(value, {currencyId});
    }

    openProfile(id) {
        this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "crm.customer.profile",
            res_id: id,
            views: [[false, "form"]],
        });
    }

    destroyCharts() {
        for (const chart of this.charts) {
            chart.destroy();
        }
        this.charts = [];
    }

    renderCharts() {
        const data = this.state.data;
        if (!data || !window.Chart) {
            return;
        }
        this.destroyCharts();
        const make = (ref, config) => {
            if (ref.el) {
                this.charts.push(new window.Chart(ref.el, config));
            }
        };
        make(this.canvas.pyramid, {
            type: "bar",
            data: {
                labels: data.pyramid.map((t) => t.label),
                datasets: [
                    {
                        label: _t("Customers"),
                        data: data.pyramid.map((t) => t.count),
                        backgroundColor: "#017e84",
                    },
                ],
            },
            options: {
                indexAxis: "y",
                maintainAspectRatio: false,
                scales: {x: {beginAtZero: true, ticks: {precision: 0}}},
                onClick: (event, elements) => {
                    if (elements.length) {
                        const tier = data.pyramid[elements[0].index];
                        this.openProfiles(tier.domain, tier.label);
                    }
                },
            },
        });
        make(this.canvas.funnel, {
            type: "bar",
            data: {
                labels: data.funnel.map((s) => s.label),
                datasets: [
                    {
                        label: _t("Customers"),
                        data: data.funnel.map((s) => s.count),
                        backgroundColor: "#714b67",
                    },
                ],
            },
            options: {
                maintainAspectRatio: false,
                scales: {y: {beginAtZero: true, ticks: {precision: 0}}},
                onClick: (event, elements) => {
                    if (elements.length) {
                        const stage = data.funnel[elements[0].index];
                        this.openProfiles(stage.domain, stage.label);
                    }
                },
            },
        });
        make(this.canvas.churn, {
            type: "line",
            data: {
                labels: data.churn_trend.map((m) => formatMonth(m.month)),
                datasets: [
                    {
                        label: _t("Churned"),
                        data: data.churn_trend.map((m) => m.churned),
                        borderColor: "#d9534f",
                    },
                    {
                        label: _t("Won back"),
                        data: data.churn_trend.map((m) => m.won_back),
                        borderColor: "#28a745",
                    },
                ],
            },
            options: {
                maintainAspectRatio: false,
                scales: {y: {beginAtZero: true, ticks: {precision: 0}}},
                onClick: () => this.openChurn(),
            },
        });
        make(this.canvas.satisfaction, {
            type: "line",
            data: {
                labels: data.satisfaction_trend.months.map((m) => formatMonth(m.month)),
                datasets: [
                    {
                        label: "NPS",
                        data: data.satisfaction_trend.months.map((m) => m.nps),
                        borderColor: "#017e84",
                        yAxisID: "y",
                    },
                    {
                        label: "CSI",
                        data: data.satisfaction_trend.months.map((m) => m.csi),
                        borderColor: "#f0ad4e",
                        yAxisID: "y1",
                    },
                ],
            },
            options: {
                maintainAspectRatio: false,
                scales: {
                    y: {position: "left"},
                    y1: {position: "right", grid: {drawOnChartArea: false}},
                },
                onClick: () =>
                    this.openModel(
                        "survey.user_input",
                        data.satisfaction_trend.domain,
                        _t("Satisfaction Responses")
                    ),
            },
        });
        const colors = ["#017e84", "#714b67", "#f0ad4e", "#5b899e"];
        make(this.canvas.whale, {
            type: "line",
            data: {
                // Every curve starts at the origin: no customer, no profit
                datasets: (this.state.whale || []).map((curve, index) => ({
                    label: curve.company,
                    data: [{x: 0, y: 0}, ...curve.points],
                    borderColor: colors[index % colors.length],
                    pointRadius: 0,
                })),
            },
            options: {
                maintainAspectRatio: false,
                plugins: {legend: {display: this.state.whale?.length > 1}},
                scales: {
                    x: {
                        type: "linear",
                        min: 0,
                        max: 100,
                        title: {display: true, text: _t("Customers (%)")},
                    },
                    y: {
                        beginAtZero: true,
                        title: {display: true, text: _t("Cumulative contribution (%)")},
                    },
                },
                onClick: () => this.openWhale(),
            },
        });
    }
}

registry.category("actions").add("crm_analytics.dashboard", CrmDashboard);
