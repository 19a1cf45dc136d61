"""A drift that waits for a person is recognised by its typed reason (`alert_problems.blocked`), never by the
wording of its message; problems recorded before the column are given their reason by the migration."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session

from automation.alerts.digest import open_problems
from automation.alerts.tables import AlertProblem
from automation.db.connect import alembic_config, create_db_engine, open_database
from ecom_privacy.models import BlockReason
from tests.alerts.test_digest import _run


def test_the_digest_decides_blocked_by_the_reason_not_by_the_message(engine: Engine) -> None:
    with_receiver_down = "json://127.0.0.1:9/hook"  # the alert itself is not what this test reads
    _run(engine, datetime(2026, 11, 26, 6, 0), with_receiver_down)
    with Session(engine) as session:
        reasons = dict(session.execute(select(AlertProblem.store_id, AlertProblem.blocked)
                                       .where(AlertProblem.kind == "drift")).all())
    assert reasons == {"b": BlockReason.NEEDS_OPT_IN.value, "c": None}
    with engine.begin() as connection:  # reword both: b's wording no longer says so, c's now does
        connection.execute(update(AlertProblem).where(AlertProblem.store_id == "b").values(message="reworded"))
        connection.execute(update(AlertProblem).where(AlertProblem.store_id == "c").values(
            message="mode none -> confirm (blocked: needs an opt-in)"))
    listed = open_problems(engine, ["failed", "drift", "verify_failed", "breach_deadline"])
    assert [(notice.store_id, notice.blocked) for notice in listed] == [("a", None), ("b", BlockReason.NEEDS_OPT_IN)]


def test_the_migration_gives_old_blocked_drift_its_reason(db_url: str) -> None:
    from alembic import command

    engine = create_db_engine(db_url)
    try:
        command.upgrade(alembic_config(engine), "history_0003_digests")
        with engine.begin() as connection:
            for store, message in (("b", "mode none -> confirm (blocked: needs an opt-in)"),
                                   ("c", "mode none -> confirm"), ("d", "100% (blocked: needs an opt-in) later")):
                connection.execute(text(
                    "INSERT INTO alert_problems (kind, store_id, subject, message, opened_at, opened_run_dir, "
                    "last_seen_at, open_sent, clear_sent) VALUES ('drift', :store, 'cookie_law', :message, "
                    "'2026-11-26 06:00:00', '/runs/1', '2026-11-26 06:00:00', true, false)"),
                    {"store": store, "message": message})
    finally:
        engine.dispose()
    engine = open_database(db_url)  # to the heads, as any command does
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT store_id, blocked FROM alert_problems ORDER BY store_id")).all()
        assert [tuple(row) for row in rows] == [("b", "needs_opt_in"), ("c", None), ("d", None)]
    finally:
        engine.dispose()
