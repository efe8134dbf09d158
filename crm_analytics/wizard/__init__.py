from . import crm_tier_migration_wizard
