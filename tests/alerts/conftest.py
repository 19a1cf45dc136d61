from tests.history.conftest import cli, db_url, engine  # noqa: F401 (the history tests' databases and CLI runner)
