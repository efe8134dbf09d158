import {Component} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {standardFieldProps} from "@web/views/fields/standard_field_props";

/**
 * A date that stands for its month (the first day of a report's month) as
 * the reader says it: "Dec 2026", "2026年12月". Read-only.
 */
export class MonthField extends Component {
    static template = "crm_lifecycle.MonthField";
    static props = {...standardFieldProps};

    get formattedValue() {
        const value = this.props.record.data[this.props.name];
        return value ? value.toLocaleString({month: "short", year: "numeric"}) : "";
    }
}

registry.category("fields").add("crm_month", {
    component: MonthField,
    displayName: _t("Month"),
    supportedTypes: ["date"],
});
