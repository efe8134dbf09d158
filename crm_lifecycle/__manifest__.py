{
    "name": "CRM Customer Lifecycle",
    "summary": "Customer facts from posted invoices, lifecycle stages with "
    "history, overrides and follow-up playbooks",
    "version": "18.0.1.3.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "CRM Lifecycle Contributors",
    "website": "https://github.com/crm-lifecycle/crm-lifecycle",
    "development_status": "Beta",
    "maintainers": ["crm-lifecycle"],
    "depends": ["crm", "sale_management", "account"],
    "data": [
        "security/crm_lifecycle_groups.xml",
        "security/ir.model.access.csv",
        "security/crm_lifecycle_rules.xml",
        "data/ir_cron_data.xml",
        "data/crm_lifecycle_playbook_data.xml",
        "views/crm_customer_profile_views.xml",
        "views/crm_lifecycle_history_views.xml",
        "views/crm_lifecycle_playbook_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "wizard/crm_lifecycle_stage_wizard_views.xml",
        "views/crm_lifecycle_menus.xml",
    ],
    "demo": ["demo/crm_lifecycle_demo.xml"],
    "assets": {
        "web.assets_backend": [
            "crm_lifecycle/static/src/**/*",
        ],
        "web.assets_tests": [
            "crm_lifecycle/static/tests/tours/*.js",
        ],
    },
    "uninstall_hook": "uninstall_hook",
    "installable": True,
    "application": False,
}
