from . import test_groups
from . import test_value_tiers
from . import test_value_analyses
from . import test_value_security
from . import test_loyalty
from . import test_dashboard
from . import test_loyalty_security
from . import test_own_customers
