from . import res_company
from . import res_config_settings
from . import crm_lifecycle_history
from . import crm_customer_profile
from . import crm_lifecycle_playbook
from . import res_partner
from . import account_move
from . import sale_order
