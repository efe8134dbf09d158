{
    "name": "CRM Analytics",
    "summary": "RFM value tiers, loyalty and churn analysis, satisfaction trap and "
    "salesperson scorecards",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "CRM Lifecycle Contributors",
    "website": "https://github.com/crm-lifecycle/crm-lifecycle",
    "development_status": "Alpha",
    "maintainers": ["crm-lifecycle"],
    "depends": ["crm_lifecycle", "crm_satisfaction"],
    "data": [
        "security/crm_analytics_groups.xml",
    ],
    "installable": True,
    "application": False,
}
