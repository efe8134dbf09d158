from . import crm_satisfaction_matrix
