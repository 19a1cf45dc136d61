"""Recording, import, status and the drift timeline on a real SQLite file and a real PostgreSQL.

Pure of the real clock: the runs are dated from START and every "now" (status, recording) is NOW."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from automation.history.html import render_status_html, render_timeline_html
from automation.history.recorder import import_runs, record_run
from automation.history.status import fleet_status
from automation.history.tables import HistoryResult, HistoryRun
from automation.history.text import render_status, render_timeline
from automation.history.timeline import drift_timeline
from ecom_privacy.models import RunKind, SettingStatus
from tests.history.documents import START, compliant, document, drifted, failed, verified, write_run

NOW = START + timedelta(days=3, hours=3)

pytestmark = pytest.mark.clock


def _nights() -> list:
    """Three nights: a drifts and is corrected by the apply of night 0; b fails every night; c stays blocked."""
    return [
        document(RunKind.PLAN, 0, [drifted("a"), failed("b"), compliant("c")]),
        document(RunKind.APPLY, 0, [drifted("a", SettingStatus.CHANGED), failed("b"),
                                    drifted("c", SettingStatus.DRIFT, blocked=True)], hour=1),
        document(RunKind.APPLY, 1, [compliant("a"), failed("b"),
                                    drifted("c", SettingStatus.DRIFT, blocked=True)]),
        document(RunKind.APPLY, 2, [compliant("a"), failed("b"),
                                    drifted("c", SettingStatus.DRIFT, blocked=True)]),
        document(RunKind.VERIFY, 2, [verified("a", ["no_tracking_before_consent"]), verified("c")], hour=1),
    ]


def _record_all(engine: Engine, parent: Path) -> list[Path]:
    dirs = []
    for doc in _nights():
        run_dir = write_run(parent, doc)
        assert record_run(engine, doc, run_dir, recorded_at=NOW)
        dirs.append(run_dir)
    return dirs


def test_status_matrix_ages_and_stale_flag(engine: Engine, tmp_path: Path) -> None:
    _record_all(engine, tmp_path / "runs")
    status = fleet_status(engine, max_age=timedelta(hours=36), now=NOW)
    cells = {(row.store_id, name): cell for row in status.rows for name, cell in row.cells.items()}
    assert cells[("a", "cookie_law")].category == "compliant"
    assert cells[("a", "cookie_law")].compliant_since == START + timedelta(hours=1)  # corrected by night 0's apply
    assert cells[("a", "storefront")].category == "failed"
    assert cells[("b", "cookie_law")].category == "failed"
    assert cells[("c", "cookie_law")].category == "blocked"
    assert cells[("c", "storefront")].category == "compliant"
    assert cells[("b", "cookie_law")].age_s == timedelta(days=1, hours=3).total_seconds()
    assert not status.healthy
    # b's newest result is from night 2 (27 h ago): fresh at 36 h, stale at 1 d.
    assert not any(row.stale for row in status.rows)
    strict = fleet_status(engine, max_age=timedelta(hours=24), now=NOW)
    assert {row.store_id for row in strict.rows if row.stale} == {"a", "b", "c"}
    text = render_status(strict)
    assert "STALE" in text and "BLOCKED" in text
    # A subscriber's or login's address never reaches the history.
    assert "owner@shop.example" not in text and "<address>" in text


def test_status_with_the_fleet_shows_settings_never_checked(engine: Engine, tmp_path: Path) -> None:
    _record_all(engine, tmp_path / "runs")
    status = fleet_status(engine, max_age=timedelta(days=7), now=NOW, stores=["a", "new-shop"],
                          expected=[("a", ["cookie_law", "privacy_policy"]), ("new-shop", ["cookie_law"])])
    cells = {(row.store_id, name): cell.category for row in status.rows for name, cell in row.cells.items()}
    assert cells[("a", "privacy_policy")] == "not checked"
    assert cells[("new-shop", "cookie_law")] == "not checked"
    assert [row.stale for row in status.rows if row.store_id == "new-shop"] == [True]
    assert all(store != "b" for store, _ in cells)


def test_drift_timeline_found_corrected_blocked_and_failures_in_a_row(engine: Engine, tmp_path: Path) -> None:
    dirs = _record_all(engine, tmp_path / "runs")
    timeline = drift_timeline(engine, points=True)
    assert [p.status for p in timeline.points["a"]["cookie_law"]] == ["drift", "changed", "compliant", "compliant"]
    by_store = {episode.store_id: episode for episode in timeline.episodes}
    a = by_store["a"]
    assert a.state == "corrected"
    assert (a.found.kind, a.found.run_dir) == ("plan", str(dirs[0].resolve()))
    assert (a.corrected_by.kind, a.corrected_by.run_dir) == ("apply", str(dirs[1].resolve()))
    assert a.before == '{"mode": "none"}' and a.after == '{"mode": "confirm"}'
    c = by_store["c"]
    assert c.state == "open" and c.blocked and c.seen == 3
    streaks = {(s.store_id, s.part): s for s in timeline.streaks}
    assert streaks[("b", "backoffice")].runs == 4 and streaks[("b", "backoffice")].ongoing
    assert streaks[("a", "storefront")].runs == 1
    text = render_timeline(timeline)
    assert "corrected: 2026-03-01 03:00Z apply" in text
    assert "failed 4 run(s) in a row (ongoing)" in text
    # Filters: a window after the correction leaves only what overlaps it.
    later = drift_timeline(engine, since=START + timedelta(days=1))
    assert {e.store_id for e in later.episodes} == {"c"}
    only_a = drift_timeline(engine, stores=["a"], settings=["cookie_law"])
    assert [e.store_id for e in only_a.episodes] == ["a"] and not only_a.streaks


def test_recording_twice_and_importing_after_live_recording_change_nothing(engine: Engine, tmp_path: Path) -> None:
    dirs = _record_all(engine, tmp_path / "runs")
    assert not record_run(engine, _nights()[0], dirs[0], recorded_at=NOW)
    report = import_runs(engine, tmp_path / "runs", NOW)
    assert len(report.already) == len(dirs) and not report.recorded and not report.unreadable
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(HistoryRun)) == len(dirs)


def test_import_fills_the_gap_with_the_same_rows_as_live_recording(engine: Engine, tmp_path: Path) -> None:
    from automation.db import open_database

    live = open_database(f"sqlite:///{tmp_path / 'live.sqlite3'}")
    try:
        dirs = _record_all(live, tmp_path / "runs")
        (tmp_path / "runs" / "not-a-run").mkdir()
        (tmp_path / "runs" / "broken").mkdir()
        (tmp_path / "runs" / "broken" / "report.json").write_text("{not json", encoding="utf-8")
        report = import_runs(engine, tmp_path / "runs", NOW)
        assert sorted(report.recorded) == sorted(dirs)
        assert [path.name for path, _ in report.unreadable] == ["broken"]

        def rows(db: Engine) -> list[tuple]:
            query = select(HistoryResult.store_id, HistoryResult.setting, HistoryResult.status,
                           HistoryResult.run_kind, HistoryResult.created_at, HistoryResult.summary,
                           HistoryResult.before, HistoryResult.after, HistoryResult.error_kind,
                           HistoryResult.error, HistoryResult.duration_s, HistoryRun.run_dir, HistoryRun.run_uid
                           ).join(HistoryRun).order_by(HistoryResult.created_at, HistoryResult.store_id,
                                                       HistoryResult.setting)
            with db.connect() as connection:
                return [tuple(row) for row in connection.execute(query)]

        assert rows(engine) == rows(live)
    finally:
        live.dispose()


def test_html_pages_escape_what_comes_from_stores(engine: Engine, tmp_path: Path) -> None:
    doc = document(RunKind.PLAN, 0, [failed("evil", error="<script>alert(1)</script>")])
    record_run(engine, doc, write_run(tmp_path / "runs", doc), recorded_at=NOW)
    status_html = render_status_html(fleet_status(engine, max_age=timedelta(days=1), now=NOW))
    history_html = render_timeline_html(drift_timeline(engine, points=True))
    for html in (status_html, history_html):
        assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_shard_report_is_recorded_as_that_shard(engine: Engine, tmp_path: Path) -> None:
    """A report.json from a sharded run (a field this version does not know) is imported, shard kept."""
    import json

    doc = document(RunKind.APPLY, 0, [compliant("a")])
    run_dir = write_run(tmp_path / "runs", doc)
    raw = json.loads((run_dir / "report.json").read_text(encoding="utf-8"))
    raw["shard"] = "2/4"
    (run_dir / "report.json").write_text(json.dumps(raw), encoding="utf-8")
    assert len(import_runs(engine, tmp_path / "runs", NOW).recorded) == 1
    with engine.connect() as connection:
        assert connection.scalar(select(HistoryRun.shard)) == "2/4"


def test_runs_recorded_out_of_order_give_the_same_status(engine: Engine, tmp_path: Path) -> None:
    """The newest result per store and setting is kept as runs are recorded; an older run imported later
    (a gap filled by `history import`) must not replace it, nor break "as declared since"."""
    from automation.db import open_database

    in_order = open_database(f"sqlite:///{tmp_path / 'in-order.sqlite3'}")
    try:
        _record_all(in_order, tmp_path / "runs-a")
        nights = _nights()
        for doc in [nights[2], nights[4], nights[0], nights[3], nights[1]]:
            record_run(engine, doc, write_run(tmp_path / "runs-b", doc), recorded_at=NOW)

        def view(db: Engine) -> list[tuple]:
            status = fleet_status(db, max_age=timedelta(hours=36), now=NOW)
            return [(row.store_id, name, cell.category, cell.checked_at, cell.compliant_since)
                    for row in status.rows for name, cell in sorted(row.cells.items())]

        assert view(engine) == view(in_order)
    finally:
        in_order.dispose()
