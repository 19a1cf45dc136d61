"""The clock of a breach, pure: deadlines are instants in UTC; only showing and reading them involves a zone.

72 hours are 72 real hours: across a daylight-saving change the deadline's wall-clock time in the user's
zone moves by an hour, and that is correct (Art. 33 counts hours, not calendar days).
"""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ecom_privacy.errors import ConfigError

AUTHORITY_HOURS = 72
#: `breach check` warns this long before a deadline
WARN_HOURS = 12
#: the platform reports a breach in the data it processes within this many hours of its discovery
PLATFORM_NOTICE_HOURS = 36


class Urgency(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due soon"
    OPEN = "open"


def zone(name: str | None, now: datetime) -> tzinfo:
    """The zone called `name`, or the system's zone (named, when the system names it) for None; a system zone
    that has no name is its UTC offset at `now`."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"--tz {name!r}: unknown time zone; use an IANA name such as Europe/Amsterdam "
                              f"or UTC") from None
    # The system's zone by name when it can be found ($TZ, /etc/timezone, the /etc/localtime link), so the
    # zone shown is "Europe/Amsterdam" rather than a bare offset that is wrong half the year.
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    with contextlib.suppress(OSError):
        candidates.append(str(Path("/etc/localtime").resolve()).partition("/zoneinfo/")[2])
    for candidate in candidates:
        if candidate:
            with contextlib.suppress(ZoneInfoNotFoundError, ValueError):
                return ZoneInfo(candidate)
    return now.astimezone().tzinfo or UTC


def zone_name(tz: tzinfo) -> str:
    return getattr(tz, "key", None) or str(tz)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything the register stores is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def localize(naive: datetime, tz: tzinfo, what: str) -> datetime:
    """A wall-clock time in `tz` as an aware instant; a time that a DST change skips or repeats is an error."""
    first, second = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        round_trip = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        problem = "does not exist (the clocks skip it)" if round_trip != naive else "happens twice (clocks go back)"
        raise ConfigError(f"{what}: {naive:%Y-%m-%d %H:%M} {problem} in {zone_name(tz)}; give the UTC offset, "
                          f"e.g. {naive:%Y-%m-%dT%H:%M}+01:00")
    return first


def parse_moment(value: str | datetime, tz: tzinfo, what: str, *, now: datetime) -> datetime:
    """ISO 8601 date-time, or 'now' (`now`, to the second); without an offset it is read in `tz`. Returns UTC."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        if text.lower() == "now":
            return as_utc(now).replace(microsecond=0)
        try:
            moment = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
        except ValueError:
            raise ConfigError(f"{what}: {text!r} is not a date and time; use YYYY-MM-DDTHH:MM "
                              f"(in {zone_name(tz)}) or add an offset such as +02:00") from None
    if moment.tzinfo is None:
        moment = localize(moment, tz, what)
    return moment.astimezone(UTC)


def authority_deadline(discovered_at: datetime) -> datetime:
    return as_utc(discovered_at) + timedelta(hours=AUTHORITY_HOURS)


def platform_notice_due(discovered_at: datetime) -> datetime:
    return as_utc(discovered_at) + timedelta(hours=PLATFORM_NOTICE_HOURS)


def urgency(deadline: datetime, now: datetime, warn_hours: float = WARN_HOURS) -> Urgency:
    left = as_utc(deadline) - as_utc(now)
    if left <= timedelta(0):
        return Urgency.OVERDUE
    if left <= timedelta(hours=warn_hours):
        return Urgency.DUE_SOON
    return Urgency.OPEN


def format_duration(delta: timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return (f"{days}d " if days else "") + f"{hours:02d}h{minutes:02d}m"


def time_left(deadline: datetime, now: datetime) -> str:
    delta = as_utc(deadline) - as_utc(now)
    return f"{format_duration(delta)} left" if delta > timedelta(0) else f"overdue by {format_duration(delta)}"


def show(moment: datetime | None, tz: tzinfo) -> str:
    """`2026-03-31 11:00 CEST (Europe/Amsterdam)`: the zone is always named."""
    if moment is None:
        return "-"
    local = as_utc(moment).astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({zone_name(tz)})"
