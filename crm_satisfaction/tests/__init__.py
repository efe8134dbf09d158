from . import test_satisfaction_evidence
from . import test_satisfaction_indices
from . import test_satisfaction_responses
from . import test_satisfaction_security
from . import test_service_case
from . import test_service_case_security
from . import test_service_case_loop
from . import test_uninstall
