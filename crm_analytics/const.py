"""Value tiers, scores and churn-risk bands (DOMAIN §2)."""

VALUE_TIERS = [
    ("vip", "VIP"),
    ("key", "Key"),
    ("ordinary", "Ordinary"),
    ("small", "Small"),
]
# What the M of RFM measures over the window (company setting): net revenue,
# gross margin (revenue − cost of goods sold) or contribution (gross margin −
# cost to serve), as the customer profitability report defines them.
VALUE_BASES = [
    ("revenue", "Revenue"),
    ("margin", "Gross Margin"),
    ("contribution", "Contribution"),
]
# Height on the pyramid, for "moved up / down"; no tier is 0.
TIER_LEVELS = {"vip": 4, "key": 3, "ordinary": 2, "small": 1}
SCORES = (2, 3, 4, 5)
# The lifecycle's window of "the last 12 months" (crm_lifecycle facts).
FACTS_WINDOW_DAYS = 365
# A snapshot's values: the period's column and the ranking's figure it
# holds (stage, tier, window value and revenue, R, F and M scores).
SNAPSHOT_COLUMNS = {
    "lifecycle_stage": "lifecycle_stage",
    "value_tier": "tier",
    "rfm_monetary": "monetary",
    "rfm_revenue": "revenue",
    "rfm_recency_score": "r_score",
    "rfm_frequency_score": "f_score",
    "rfm_monetary_score": "m_score",
}
CHURN_RISK_BANDS = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
# Service by value: the company setting holding a new case's priority for
# the customers of each tier.
CASE_PRIORITY_FIELDS = {
    "vip": "crm_case_priority_vip",
    "key": "crm_case_priority_key",
    "ordinary": "crm_case_priority_ordinary",
    "small": "crm_case_priority_small",
}
# Cost to serve (customer profitability): the company setting holding the
# cost of a service case of each type (crm.service.case.case_type).
CASE_TYPE_COST_FIELDS = {
    "complaint": "crm_cost_per_complaint",
    "request": "crm_cost_per_request",
    "visit": "crm_cost_per_visit",
}
