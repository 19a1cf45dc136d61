"""The 72-hour clock: real hours across daylight-saving changes, times shown with their zone, and wall-clock
times that a DST change skips or repeats refused rather than guessed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from automation.breach.deadlines import (
    Urgency,
    authority_deadline,
    parse_moment,
    platform_notice_due,
    show,
    time_left,
    urgency,
    zone,
)
from ecom_privacy.errors import ConfigError

pytestmark = pytest.mark.clock

AMS = ZoneInfo("Europe/Amsterdam")
NY = ZoneInfo("America/New_York")
#: what 'now' means to the parser here: pure tests, the real clock is never read
NOW = datetime(2026, 11, 26, 10, 0, 30, 500_000, tzinfo=UTC)


def test_spring_forward_the_deadline_shows_an_hour_later_on_the_wall_clock() -> None:
    # CET; the clocks go forward on the 29th
    discovered = parse_moment("2026-03-28T10:00", AMS, "discovered_at", now=NOW)
    assert discovered == datetime(2026, 3, 28, 9, 0, tzinfo=UTC)
    deadline = authority_deadline(discovered)
    assert deadline - discovered == timedelta(hours=72)
    assert show(deadline, AMS) == "2026-03-31 11:00 CEST (Europe/Amsterdam)"


def test_fall_back_the_deadline_shows_an_hour_earlier_on_the_wall_clock() -> None:
    discovered = parse_moment("2026-10-23 10:00", AMS, "discovered_at", now=NOW)  # CEST, back to CET on the 25th
    assert show(authority_deadline(discovered), AMS) == "2026-10-26 09:00 CET (Europe/Amsterdam)"


def test_us_zone_and_explicit_offsets() -> None:
    discovered = parse_moment("2026-03-07T12:00", NY, "x", now=NOW)  # EST; EDT from 8 March
    assert show(authority_deadline(discovered), NY) == "2026-03-10 13:00 EDT (America/New_York)"
    assert parse_moment("2026-03-07T12:00-05:00", AMS, "x", now=NOW) == discovered  # an offset wins over --tz


def test_a_skipped_wall_clock_time_is_refused_with_a_hint() -> None:
    with pytest.raises(ConfigError, match=r"discovered_at: 2026-03-29 02:30 does not exist .*Europe/Amsterdam"):
        parse_moment("2026-03-29T02:30", AMS, "discovered_at", now=NOW)


def test_a_repeated_wall_clock_time_is_refused_unless_the_offset_is_given() -> None:
    with pytest.raises(ConfigError, match=r"happens twice"):
        parse_moment("2026-10-25T02:30", AMS, "discovered_at", now=NOW)
    assert parse_moment("2026-10-25T02:30+01:00", AMS, "x", now=NOW) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_now_is_the_given_now_to_the_second() -> None:
    assert parse_moment("now", AMS, "x", now=NOW) == datetime(2026, 11, 26, 10, 0, 30, tzinfo=UTC)
    assert zone(None, NOW) is not None  # the system's zone, whatever the machine's is


def test_garbage_and_unknown_zones_are_clear_errors() -> None:
    with pytest.raises(ConfigError, match=r"'yesterday' is not a date and time"):
        parse_moment("yesterday", AMS, "discovered_at", now=NOW)
    with pytest.raises(ConfigError, match=r"unknown time zone"):
        zone("Mars/Olympus_Mons", NOW)


def test_urgency_thresholds_and_time_left() -> None:
    deadline = datetime(2026, 11, 28, 8, 30, tzinfo=UTC)
    assert urgency(deadline, deadline - timedelta(hours=12, minutes=1)) == Urgency.OPEN
    assert urgency(deadline, deadline - timedelta(hours=12)) == Urgency.DUE_SOON
    assert urgency(deadline, deadline - timedelta(minutes=1)) == Urgency.DUE_SOON
    assert urgency(deadline, deadline) == Urgency.OVERDUE
    assert urgency(deadline, deadline - timedelta(hours=20), warn_hours=24) == Urgency.DUE_SOON
    assert time_left(deadline, deadline - timedelta(days=2, hours=3, minutes=5)) == "2d 03h05m left"
    assert time_left(deadline, deadline + timedelta(hours=5, minutes=2)) == "overdue by 05h02m"


def test_naive_database_times_are_utc_and_the_platform_has_36_hours() -> None:
    naive = datetime(2026, 1, 1, 12, 0)  # as SQLite returns it
    assert authority_deadline(naive) == datetime(2026, 1, 4, 12, 0, tzinfo=UTC)
    assert platform_notice_due(naive) == datetime(2026, 1, 3, 0, 0, tzinfo=UTC)
