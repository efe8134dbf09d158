from . import arguments
from . import lifecycle_sql
