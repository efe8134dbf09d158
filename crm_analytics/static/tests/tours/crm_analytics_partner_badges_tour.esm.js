import {registry} from "@web/core/registry";

/**
 * The customer's lifecycle stage, value tier, CSI and NPS category read next
 * to the name on the partner form, inside the window, without opening the
 * control panel's "More" menu; ``labels`` in the reader's language.
 */
function badgeSteps(labels) {
    const row = ".o_form_view .oe_title div[name='crm_customer_badges']";
    return [
        {
            content: "The lifecycle stage is shown next to the name",
            trigger: `${row} span[name='crm_lifecycle_badge']:contains('${labels.stage}') .o_field_widget[name='lifecycle_stage'] .badge:contains('${labels.growing}')`,
        },
        {
            content: "So is the value tier",
            trigger: `${row} span[name='crm_value_tier_badge']:contains('${labels.tier}') .o_field_widget[name='value_tier'] .badge:contains('${labels.vip}')`,
        },
        {
            content: "And the latest CSI and NPS category",
            trigger: `${row} span[name='crm_satisfaction_badge'] .o_field_widget[name='crm_satisfaction_csi']`,
        },
        {
            trigger: `${row} span[name='crm_nps_badge'] .o_field_widget[name='crm_nps_category'] .badge`,
        },
        {
            content: "The badges fit the window",
            trigger: row,
            run() {
                const right = Math.max(
                    ...[...this.anchor.children].map(
                        (badge) => badge.getBoundingClientRect().right
                    )
                );
                if (right > window.innerWidth) {
                    throw new Error(`The badges end at ${right} px, past the window`);
                }
            },
        },
    ];
}

registry.category("web_tour.tours").add("crm_analytics_partner_badges_tour", {
    steps: () =>
        badgeSteps({
            stage: "Lifecycle Stage",
            growing: "Growing",
            tier: "Value Tier",
            vip: "VIP",
        }),
});

registry.category("web_tour.tours").add("crm_analytics_partner_badges_tour_zh", {
    steps: () =>
        badgeSteps({
            stage: "生命周期阶段",
            growing: "成长期",
            tier: "价值层级",
            vip: "贵宾客户",
        }),
});
