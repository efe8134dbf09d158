from . import document_sql
from . import ranking_sql
