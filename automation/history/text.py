"""The status matrix and the drift timeline as text for a terminal (and a cron mail)."""

from __future__ import annotations

from datetime import datetime, timedelta

from automation.history.status import FleetStatus
from automation.history.timeline import RunRef, Timeline

MARKS = {"compliant": "ok", "corrected": "corrected", "drifted": "DRIFTED", "blocked": "BLOCKED",
         "failed": "FAILED", "not checked": "not checked"}


def age(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    seconds = max(0, int(seconds))
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    days, hours = divmod(seconds // 3600, 24)
    return f"{days}d{hours}h" if hours else f"{days}d"


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") + "Z"


def duration(value: timedelta) -> str:
    return age(value.total_seconds())


def render_status(status: FleetStatus) -> str:
    if not status.rows:
        return "No runs recorded yet: run plan, apply or verify, or 'ecom-privacy history import RUNS_DIR'."
    width = max(len("store"), *(len(row.store_id) for row in status.rows))
    columns = [max(len(name), 18) for name in status.settings]
    lines = ["  ".join(["store".ljust(width), *(n.ljust(w) for n, w in zip(status.settings, columns, strict=True)),
                        "newest"])]
    for row in status.rows:
        cells = []
        for name, column in zip(status.settings, columns, strict=True):
            cell = row.cells.get(name)
            text = "-" if cell is None else f"{MARKS[cell.category]} ({age(cell.age_s)})" if cell.checked_at else \
                MARKS[cell.category]
            cells.append(text.ljust(column))
        newest = age((status.generated_at - row.newest).total_seconds()) if row.newest else "never"
        flag = f"  STALE (older than {duration(status.max_age)})" if row.stale else ""
        lines.append("  ".join([row.store_id.ljust(width), *cells, newest + flag]))
    problems = [(row.store_id, cell) for row in status.rows for cell in row.cells.values()
                if cell.category in ("drifted", "blocked", "failed")]
    if problems:
        lines.append("")
        lines.extend(f"{store} {cell.setting}: {MARKS[cell.category]}"
                     + (f" ({cell.error_kind})" if cell.error_kind else "") + f": {cell.message}"
                     + (f"  [{cell.run_dir}]" if cell.run_dir else "") for store, cell in problems)
    counts = status.counts()
    lines.append("")
    lines.append(f"Status: {len(status.rows)} store(s): " + ", ".join(f"{n} {k}" for k, n in counts.items())
                 + f"; max age {duration(status.max_age)}")
    return "\n".join(lines)


def _ref(ref: RunRef) -> str:
    return f"{when(ref.at)} {ref.kind} {ref.run_dir}"


def render_timeline(timeline: Timeline) -> str:
    lines: list[str] = []
    if timeline.episodes:
        lines.append("Drift:")
    for episode in timeline.episodes:
        lines.append(f"  {episode.store_id} {episode.setting}: {episode.state}"
                     + (f" (blocked: {episode.blocked_reason.awaits})" if episode.blocked_reason else ""))
        lines.append(f"    drifted:   found {_ref(episode.found)}")
        if episode.summary:
            lines.append(f"    change:    {episode.summary}")
        if episode.before is not None or episode.after is not None:
            lines.append(f"    was:       {episode.before}   declared: {episode.after}")
        if episode.corrected_by is not None:
            lines.append(f"    corrected: {_ref(episode.corrected_by)}")
        elif episode.resolved is not None:
            lines.append(f"    as declared again (not changed by this tool): {_ref(episode.resolved)}")
        else:
            lines.append(f"    still drifted after {episode.seen} run(s)")
    if timeline.streaks:
        lines += ["", "Failures in a row:"] if lines else ["Failures in a row:"]
    for streak in timeline.streaks:
        state = "ongoing" if streak.ongoing else "ended"
        part = " storefront" if streak.part == "storefront" else ""
        lines.append(f"  {streak.store_id}{part}: failed {streak.runs} run(s) in a row ({state}), "
                     f"{when(streak.first.at)} .. {when(streak.last.at)}; settings: {', '.join(streak.settings)}")
        lines.append(f"    last: {streak.error}  [{streak.last.run_dir}]")
    if not lines:
        lines.append("No drift and no failures recorded in this window.")
    return "\n".join(lines)
