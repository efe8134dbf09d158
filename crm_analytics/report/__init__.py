from . import crm_value_tier_report
from . import crm_pareto_report
from . import crm_clv_report
from . import crm_satisfaction_trap_report
from . import crm_repurchase_report
from . import crm_cohort_report
from . import crm_churn_report
from . import crm_roi_report
