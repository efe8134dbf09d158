from . import crm_tier_migration_wizard
from . import crm_salesperson_scorecard
from . import crm_roi_wizard
from . import base_partner_merge
from . import crm_service_control
