from . import crm_value_tier_report
from . import crm_pareto_report
from . import crm_clv_report
from . import crm_loyalty_reports
