from . import crm_tier_migration_wizard
from . import crm_salesperson_scorecard
