from . import crm_customer_profile

# before the snapshots: their view reads the rankings' table
from . import crm_value_ranking
from . import crm_customer_snapshot
from . import crm_lifecycle_playbook
from . import res_company
from . import res_config_settings
from . import res_partner
from . import crm_satisfaction_result
from . import survey_user_input
from . import crm_analytics_dashboard
from . import crm_cost_entry
