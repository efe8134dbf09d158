{
    "name": "CRM Satisfaction",
    "summary": "Customer satisfaction indices (CSI, CSAT, NPS, CES, Kano) on surveys "
    "and service case follow-up",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "CRM Lifecycle Contributors",
    "website": "https://github.com/crm-lifecycle/crm-lifecycle",
    "development_status": "Alpha",
    "maintainers": ["crm-lifecycle"],
    "depends": ["survey", "crm_lifecycle"],
    "data": [
        "security/crm_satisfaction_groups.xml",
    ],
    "installable": True,
    "application": False,
}
