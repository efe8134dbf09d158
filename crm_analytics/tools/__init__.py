from . import ranking_sql
