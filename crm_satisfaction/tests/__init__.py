from . import test_satisfaction_indices
from . import test_satisfaction_responses
from . import test_satisfaction_security
