from . import crm_satisfaction_matrix
from . import crm_service_case_close
from . import crm_service_case_reopen
from . import crm_service_control
