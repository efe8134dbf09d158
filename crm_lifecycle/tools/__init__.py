from . import arguments
from . import lifecycle_sql
from . import reasons
