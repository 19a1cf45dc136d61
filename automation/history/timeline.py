"""`ecom-privacy history`: the drift timeline, when a setting drifted, from what, and which run corrected it;
and failures in a row per store."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from automation.history.rows import STOREFRONT
from automation.history.tables import HistoryResult, HistoryRun
from ecom_privacy.models import BlockReason

DRIFTING = ("drift", "blocked")


@dataclass
class RunRef:
    at: datetime
    kind: str
    run_dir: str

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat() + "Z", "kind": self.kind, "run_dir": self.run_dir}


@dataclass
class DriftEpisode:
    store_id: str
    setting: str
    found: RunRef
    #: what the store had, what it should have had, and the change summary as shown in the plan
    before: str | None
    after: str | None
    summary: str
    blocked: bool = False
    #: the run of this tool that changed it back (None: still drifted, or back without us: see `resolved`)
    corrected_by: RunRef | None = None
    #: a later run found it as declared without having changed it (someone else changed it back)
    resolved: RunRef | None = None
    #: runs that saw it drifted (the finding and every later one until it was corrected)
    seen: int = 1

    @property
    def blocked_reason(self) -> BlockReason | None:
        """Why a blocked episode's correction waits: a history row records status `blocked` for the one reason
        a report has (`StoreResult.awaits_opt_in`); what a person reads is rendered from it."""
        return BlockReason.NEEDS_OPT_IN if self.blocked else None

    @property
    def state(self) -> str:
        if self.corrected_by is not None:
            return "corrected"
        return "resolved outside the tool" if self.resolved is not None else "open"

    def to_json(self) -> dict[str, Any]:
        data = {key: value for key, value in asdict(self).items() if key not in ("found", "corrected_by", "resolved")}
        data.update(found=self.found.to_json(), state=self.state,
                    corrected_by=self.corrected_by.to_json() if self.corrected_by else None,
                    resolved=self.resolved.to_json() if self.resolved else None)
        return data


@dataclass
class FailureStreak:
    store_id: str
    #: "backoffice" (plan and apply) or "storefront" (the checks of verify): counted apart, as they fail apart
    part: str
    first: RunRef
    last: RunRef
    runs: int
    #: the settings that failed and the last error (kind: message)
    settings: list[str]
    error: str
    ongoing: bool

    def to_json(self) -> dict[str, Any]:
        return {"store_id": self.store_id, "part": self.part, "first": self.first.to_json(),
                "last": self.last.to_json(), "runs": self.runs, "settings": self.settings, "error": self.error,
                "ongoing": self.ongoing}


@dataclass
class Point:
    """One result in the per-store strip of the HTML timeline."""

    at: datetime
    kind: str
    status: str
    run_dir: str
    message: str


@dataclass
class Timeline:
    since: datetime | None
    until: datetime | None
    episodes: list[DriftEpisode] = field(default_factory=list)
    streaks: list[FailureStreak] = field(default_factory=list)
    #: store -> setting -> every result in the window, oldest first (for the HTML strips)
    points: dict[str, dict[str, list[Point]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"since": self.since.isoformat() + "Z" if self.since else None,
                "until": self.until.isoformat() + "Z" if self.until else None,
                "drift": [episode.to_json() for episode in self.episodes],
                "failures_in_a_row": [streak.to_json() for streak in self.streaks]}


def _in_window(moment: datetime, since: datetime | None, until: datetime | None) -> bool:
    return (since is None or moment >= since) and (until is None or moment <= until)


def _episodes(rows: list[Any]) -> list[DriftEpisode]:
    episodes: list[DriftEpisode] = []
    open_by_key: dict[tuple[str, str], DriftEpisode] = {}
    for row in rows:
        key = (row.store_id, row.setting)
        current = open_by_key.get(key)
        if row.status == "compliant" and current is None:
            continue  # the common case by far: nothing to say
        ref = RunRef(row.created_at, row.run_kind, row.run_dir)
        if row.status in DRIFTING:
            if current is None:
                current = DriftEpisode(row.store_id, row.setting, ref, row.before, row.after, row.summary,
                                       blocked=row.status == "blocked")
                open_by_key[key] = current
                episodes.append(current)
            else:
                current.seen += 1
                current.blocked = current.blocked or row.status == "blocked"
        elif row.status == "changed":
            if current is None:  # found and corrected by the same apply
                episodes.append(DriftEpisode(row.store_id, row.setting, ref, row.before, row.after, row.summary,
                                             corrected_by=ref))
            else:
                current.corrected_by = ref
                del open_by_key[key]
        elif row.status == "compliant" and current is not None:
            current.resolved = ref
            del open_by_key[key]
    return episodes


def _streaks(rows: list[Any]) -> list[FailureStreak]:
    """Consecutive runs (among those that covered the store) in which the store had a failed result."""
    by_store: dict[tuple[str, str], dict[int, list[Any]]] = {}
    for row in rows:
        if row.status != "skipped":
            part = "storefront" if row.setting == STOREFRONT else "backoffice"
            by_store.setdefault((row.store_id, part), {}).setdefault(row.run_id, []).append(row)
    streaks: list[FailureStreak] = []
    for (store_id, part), runs in by_store.items():
        current: FailureStreak | None = None
        for run_rows in runs.values():  # rows come oldest first, so runs are in order
            failed = [row for row in run_rows if row.status == "failed"]
            if not failed:
                if current is not None:
                    current.ongoing = False
                current = None
                continue
            first = run_rows[0]
            ref = RunRef(first.created_at, first.run_kind, first.run_dir)
            error = f"{failed[-1].error_kind}: {failed[-1].error}"
            names = sorted({row.setting for row in failed})
            if current is None:
                current = FailureStreak(store_id, part, ref, ref, 1, names, error, ongoing=True)
                streaks.append(current)
            else:
                current.last, current.runs, current.error = ref, current.runs + 1, error
                current.settings = sorted(set(current.settings) | set(names))
    return sorted(streaks, key=lambda streak: (streak.store_id, streak.part, streak.first.at))


def drift_timeline(engine: Engine, *, stores: list[str] | None = None, settings: list[str] | None = None,
                   since: datetime | None = None, until: datetime | None = None, points: bool = False) -> Timeline:
    """Drift episodes and failure streaks that overlap the window; with `points`, every result in it (HTML)."""
    results = HistoryResult
    query = (select(results.run_id, results.store_id, results.setting, results.status, results.created_at,
                    results.run_kind, results.summary, results.before, results.after, results.error,
                    results.error_kind, HistoryRun.run_dir)
             .join(HistoryRun, HistoryRun.id == results.run_id)
             .order_by(results.created_at, results.id))
    if stores:
        query = query.where(results.store_id.in_(stores))
    if settings:
        query = query.where(results.setting.in_(settings))
    if until is not None:
        query = query.where(results.created_at <= until)  # earlier rows still open episodes that reach the window
    with engine.connect() as connection:
        rows = list(connection.execute(query))
    timeline = Timeline(since, until)

    def overlaps(start: datetime, end: datetime | None) -> bool:
        return (since is None or end is None or end >= since) and (until is None or start <= until)

    for episode in _episodes(rows):
        closed = episode.corrected_by or episode.resolved
        if overlaps(episode.found.at, closed.at if closed else None):
            timeline.episodes.append(episode)
    timeline.streaks = [streak for streak in _streaks(rows) if overlaps(streak.first.at, streak.last.at)]
    for row in rows if points else ():
        if _in_window(row.created_at, since, until):
            timeline.points.setdefault(row.store_id, {}).setdefault(row.setting, []).append(Point(
                row.created_at, row.run_kind, row.status, row.run_dir, row.error or row.summary or ""))
    return timeline
