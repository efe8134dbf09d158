from . import lifecycle_sql
