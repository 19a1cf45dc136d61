from tests.history.conftest import db_url, engine  # noqa: F401 (the same databases as the history tests)
