import {Component, onWillStart, useEffect, useRef} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {formatFloat} from "@web/views/fields/formatters";
import {loadBundle} from "@web/core/assets";
import {registry} from "@web/core/registry";
import {standardFieldProps} from "@web/views/fields/standard_field_props";

export const QUADRANT_COLORS = {
    urgent: "#d9534f",
    advantage: "#28a745",
    secondary: "#f0ad4e",
    surplus: "#17a2b8",
};

/**
 * The importance–satisfaction matrix (DOMAIN §3) as a Chart.js scatter:
 * one point per dimension, labelled with its name and coloured by quadrant
 * (the legend names the quadrants), dashed quadrant lines at the thresholds
 * and the axes' values. ``points``, ``thresholds`` and ``quadrants`` come
 * from ``crm.satisfaction.analysis._matrix_chart``.
 */
export class ImportanceMatrix extends Component {
    static template = "crm_satisfaction.ImportanceMatrix";
    static props = {
        points: Array,
        thresholds: {type: [Object, {value: null}], optional: true},
        quadrants: Object,
        onClick: {type: Function, optional: true},
        height: {type: Number, optional: true},
    };
    static defaultProps = {height: 360};

    setup() {
        this.canvas = useRef("canvas");
        onWillStart(() => loadBundle("web.chartjs_lib"));
        useEffect(
            () => {
                const chart = new window.Chart(this.canvas.el, this.config());
                return () => chart.destroy();
            },
            () => [this.props.points, this.props.thresholds]
        );
    }

    config() {
        const {points, thresholds, quadrants, onClick} = this.props;
        const datasets = Object.keys(QUADRANT_COLORS)
            .filter((quadrant) => points.some((p) => p.quadrant === quadrant))
            .map((quadrant) => ({
                label: quadrants[quadrant],
                data: points
                    .filter((p) => p.quadrant === quadrant)
                    .map((p) => ({x: p.importance, y: p.perception, name: p.name})),
                backgroundColor: QUADRANT_COLORS[quadrant],
                pointRadius: 6,
                pointHoverRadius: 8,
            }));
        const xs = points.map((p) => p.importance);
        const ys = points.map((p) => p.perception);
        if (thresholds) {
            xs.push(thresholds.importance);
            ys.push(thresholds.satisfaction);
        }
        const number = (value) => formatFloat(value, {digits: [false, 2]});
        return {
            type: "scatter",
            data: {datasets},
            options: {
                maintainAspectRatio: false,
                scales: {
                    x: {
                        title: {display: true, text: _t("Importance")},
                        suggestedMin: Math.floor(Math.min(...xs) - 0.5),
                        suggestedMax: Math.ceil(Math.max(...xs) + 0.5),
                    },
                    y: {
                        title: {display: true, text: _t("Satisfaction")},
                        suggestedMin: Math.floor(Math.min(...ys) - 0.5),
                        suggestedMax: Math.ceil(Math.max(...ys) + 0.5),
                    },
                },
                plugins: {
                    legend: {position: "bottom"},
                    tooltip: {
                        callbacks: {
                            label: (item) =>
                                _t("%(name)s: importance %(x)s, satisfaction %(y)s", {
                                    name: item.raw.name,
                                    x: number(item.raw.x),
                                    y: number(item.raw.y),
                                }),
                        },
                    },
                },
                onClick: onClick ? () => onClick() : undefined,
            },
            plugins: [{id: "crmMatrixGuides", afterDatasetsDraw: this.drawGuides}],
        };
    }

    /**
     * Chart.js plugin hook: the quadrant lines at the thresholds and each
     * point's name beside it.
     */
    drawGuides = (chart) => {
        const {ctx, chartArea, scales} = chart;
        const {thresholds} = this.props;
        ctx.save();
        if (thresholds) {
            const x = scales.x.getPixelForValue(thresholds.importance);
            const y = scales.y.getPixelForValue(thresholds.satisfaction);
            ctx.strokeStyle = "#888";
            ctx.setLineDash([5, 4]);
            ctx.beginPath();
            ctx.moveTo(x, chartArea.top);
            ctx.lineTo(x, chartArea.bottom);
            ctx.moveTo(chartArea.left, y);
            ctx.lineTo(chartArea.right, y);
            ctx.stroke();
            ctx.setLineDash([]);
        }
        ctx.fillStyle = "#333";
        ctx.font = "12px sans-serif";
        ctx.textBaseline = "middle";
        chart.data.datasets.forEach((dataset, index) => {
            if (!chart.isDatasetVisible(index)) {
                return;
            }
            chart.getDatasetMeta(index).data.forEach((element, i) => {
                ctx.fillText(dataset.data[i].name, element.x + 9, element.y);
            });
        });
        ctx.restore();
    };
}

/** The matrix of a record's JSON field (see ``ImportanceMatrix``). */
export class ImportanceMatrixField extends Component {
    static template = "crm_satisfaction.ImportanceMatrixField";
    static components = {ImportanceMatrix};
    static props = {...standardFieldProps};

    get chart() {
        return this.props.record.data[this.props.name];
    }
}

registry.category("fields").add("crm_importance_matrix", {
    component: ImportanceMatrixField,
    supportedTypes: ["json"],
});
