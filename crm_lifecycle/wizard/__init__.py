from . import crm_lifecycle_stage_wizard
