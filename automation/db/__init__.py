"""The tool's own database: the breach register and the run history share it.

SQLite in the user's data directory by default, PostgreSQL with `--db postgresql://...` (or
`$ECOM_PRIVACY_DB`). The schema is owned by Alembic migrations shipped inside the package, so a database
made by one version opens after every upgrade. Each feature declares its tables on `Base` in its own
module and adds its migrations on its own branch off the base revision (see migrations/versions/).
"""

from automation.db.connect import Base, DatabaseError, open_database
from automation.db.url import db_url_secrets, default_db_url, redact_db_url, resolve_db_url

__all__ = ["Base", "DatabaseError", "db_url_secrets", "default_db_url", "open_database", "redact_db_url",
           "resolve_db_url"]
