"""The customer lifecycle of DOMAIN §1: stages, the rules in the order they
are tried, and the reason each rule writes. ``tools.lifecycle_sql`` turns
``STAGE_RULES`` into the one SQL ``CASE`` that evaluates them."""

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

LIFECYCLE_STAGES = [
    ("prospect", "Prospect"),
    ("new", "New"),
    ("growing", "Growing"),
    ("mature", "Mature"),
    ("declining", "Declining"),
    ("churned", "Churned"),
    ("won_back", "Won Back"),
]

# The rules of DOMAIN §1, first match wins: (key, stage, condition). The
# condition is SQL over one evaluated customer ``e`` (see
# ``tools.lifecycle_sql.evaluated_query``); "none" (stage NULL) is a partner
# that is no customer.
STAGE_RULES = [
    ("no_purchase", "prospect", "e.purchase_count = 0 AND e.is_prospect"),
    ("none", None, "e.purchase_count = 0"),
    ("churned", "churned", "e.days_since_last > e.churn_days"),
    ("won_back", "won_back", "e.days_since_return <= e.winback_days"),
    ("new", "new", "e.days_since_first <= e.new_days"),
    ("growing", "growing", "e.revenue_12m > e.revenue_prev_12m * (1 + e.growth)"),
    (
        "declining_revenue",
        "declining",
        "e.revenue_12m < e.revenue_prev_12m * (1 - e.growth)",
    ),
    ("declining_interval", "declining", "e.days_since_last > 2 * e.avg_interval"),
    ("mature", "mature", "TRUE"),
]

# Labels of the rules (and of a stage set by hand), as the history shows them.
RULE_LABELS = [
    ("no_purchase", "1. No purchase yet"),
    ("churned", "2. Churned"),
    ("won_back", "3. Won back"),
    ("new", "4. New"),
    ("growing", "5. Growing revenue"),
    ("declining_revenue", "6. Declining revenue"),
    ("declining_interval", "6. Purchase overdue"),
    ("mature", "7. Mature"),
    ("none", "Not a customer"),
    ("manual", "Set by hand"),
]

# Why a customer is in its stage, by rule: the text, translated and filled
# with the figures the rule read when the reader opens it (see
# ``tools.reasons``). They quote dates rather than "N days ago", so that a
# reason does not change every day for nothing.
REASONS = {
    "no_purchase": _lt(
        "Rule 1: no purchase yet, but an open opportunity or flagged as a customer."
    ),
    "none": _lt(
        "No purchase, no open opportunity and not flagged as a customer: "
        "not a customer."
    ),
    "churned": _lt(
        "Rule 2: no purchase since %(last_date)s, more than the churn period "
        "of %(churn_days)s days."
    ),
    "won_back": _lt(
        "Rule 3: returned on %(return_date)s after more than %(churn_days)s "
        "days without purchase, within the win-back period of "
        "%(winback_days)s days."
    ),
    "new": _lt(
        "Rule 4: first purchase on %(first_date)s, within the new-customer "
        "period of %(new_days)s days."
    ),
    "growing": _lt(
        "Rule 5: revenue of the last 12 months %(revenue)s is more than "
        "%(growth)s above the previous 12 months (%(revenue_prev)s)."
    ),
    "declining_revenue": _lt(
        "Rule 6: revenue of the last 12 months %(revenue)s is more than "
        "%(growth)s below the previous 12 months (%(revenue_prev)s)."
    ),
    "declining_interval": _lt(
        "Rule 6: no purchase since %(last_date)s, more than twice the mean "
        "interval of %(interval)s days."
    ),
    "mature": _lt(
        "Rule 7: revenue of the last 12 months %(revenue)s against "
        "%(revenue_prev)s the previous 12 months, last purchase on "
        "%(last_date)s."
    ),
}
# The figures each reason quotes, by rule, stored by the evaluation with the
# stage (see ``tools.reasons``).
REASON_FIGURES = {
    "churned": ("last_date", "churn_days"),
    "won_back": ("return_date", "churn_days", "winback_days"),
    "new": ("first_date", "new_days"),
    "growing": ("revenue", "growth", "revenue_prev"),
    "declining_revenue": ("revenue", "growth", "revenue_prev"),
    "declining_interval": ("last_date", "interval"),
    "mature": ("revenue", "revenue_prev", "last_date"),
}
# Each figure: its SQL over one evaluated customer ``e`` and how it is shown.
FIGURES = {
    "last_date": ("e.last_date", "date"),
    "first_date": ("e.first_date", "date"),
    "return_date": ("e.last_return_date", "date"),
    "churn_days": ("e.churn_days", "integer"),
    "winback_days": ("e.winback_days", "integer"),
    "new_days": ("e.new_days", "integer"),
    "revenue": ("round(e.revenue_12m, 2)", "monetary"),
    "revenue_prev": ("round(e.revenue_prev_12m, 2)", "monetary"),
    "growth": ("e.growth", "percentage"),
    "interval": ("round(e.avg_interval, 1)", "float"),
}
OVERRIDE_EXPIRED = _lt("Manual override expired.")

# Customer documents that make the facts (DOMAIN §0).
CUSTOMER_MOVE_TYPES = ("out_invoice", "out_refund")

# Commercial partners evaluated per batch by the daily cron.
CRON_BATCH_SIZE = 20000
# From this number of customers (and for everyone), an evaluation sorts their
# documents with this much memory (PostgreSQL's work_mem) rather than on disk.
MANY_CUSTOMERS = 1000
WORK_MEM = "256MB"
