"""The durations and dates `status --max-age` and `history --since/--until` accept (pure parsing)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

import pytest

from automation.history.cli import moment_at, parse_duration, parse_moment

pytestmark = pytest.mark.clock


def test_durations() -> None:
    assert parse_duration("36h") == timedelta(hours=36)
    assert parse_duration("2d") == timedelta(days=2)
    assert parse_duration("1.5w") == timedelta(days=10, hours=12)
    with pytest.raises(argparse.ArgumentTypeError, match="not a duration"):
        parse_duration("two days")


def test_moments_are_naive_utc() -> None:
    assert parse_moment("2026-03-01") == datetime(2026, 3, 1)
    assert parse_moment("2026-03-01T03:00+01:00") == datetime(2026, 3, 1, 2, 0)
    # "7d ago" is kept as a duration; the command counts it back from its clock's now
    assert parse_moment("7d") == timedelta(days=7)
    now = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    assert moment_at(parse_moment("7d"), now) == datetime(2026, 3, 1, 12, 0)
    assert moment_at(parse_moment("2026-03-01"), now) == datetime(2026, 3, 1)
    assert moment_at(None, now) is None
    with pytest.raises(argparse.ArgumentTypeError, match="not a date"):
        parse_moment("yesterday")
