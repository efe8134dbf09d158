from . import test_lifecycle_rules
from . import test_lifecycle_incremental
from . import test_lifecycle_override
from . import test_lifecycle_playbook
from . import test_lifecycle_security
from . import test_lifecycle_cron
from . import test_lifecycle_settings
from . import test_ui
