"""The durations and dates `status --max-age` and `history --since/--until` accept (pure parsing)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

import pytest

from automation.history.cli import parse_duration, parse_moment


def test_durations() -> None:
    assert parse_duration("36h") == timedelta(hours=36)
    assert parse_duration("2d") == timedelta(days=2)
    assert parse_duration("1.5w") == timedelta(days=10, hours=12)
    with pytest.raises(argparse.ArgumentTypeError, match="not a duration"):
        parse_duration("two days")


def test_moments_are_naive_utc() -> None:
    assert parse_moment("2026-03-01") == datetime(2026, 3, 1)
    assert parse_moment("2026-03-01T03:00+01:00") == datetime(2026, 3, 1, 2, 0)
    assert abs(parse_moment("7d") - (datetime.now(UTC).replace(tzinfo=None) - timedelta(days=7))) < timedelta(seconds=5)
    with pytest.raises(argparse.ArgumentTypeError, match="not a date"):
        parse_moment("yesterday")
