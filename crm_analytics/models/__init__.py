from . import crm_customer_profile
from . import crm_customer_snapshot
from . import crm_value_ranking
from . import crm_lifecycle_playbook
from . import res_company
from . import res_config_settings
from . import res_partner
from . import crm_satisfaction_result
