"""The one clock (ecom_privacy/clock.py): a fixed clock for tests, no other reading of the system's time in the tool."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from ecom_privacy.clock import SYSTEM_CLOCK, FixedClock

pytestmark = pytest.mark.clock

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)

#: ways to read the system's time directly; the tool reads it only through a Clock that is handed down.
#: (`loop.time()` stays: it is asyncio's own clock, the one its waits and timeouts are measured on.)
SYSTEM_TIME = re.compile(r"\b(datetime|date|dt\.datetime|dt\.date)\.(now|utcnow|today)\(|\btime\.(time|time_ns|"
                         r"monotonic|monotonic_ns|perf_counter|localtime|gmtime|strftime)\(|TOTP\([^)]*\)\.now\(|"
                         r"\bformatdate\(")


def test_a_fixed_clock_stands_still_until_it_is_moved() -> None:
    clock = FixedClock(datetime(2026, 3, 1, 3, 0, tzinfo=timezone(timedelta(hours=1))), monotonic=5.0)
    assert clock.now() == AT and clock.now().tzinfo == UTC
    assert clock.now() == clock.now() and clock.monotonic() == 5.0
    clock.advance(timedelta(hours=72))
    assert clock.now() == AT + timedelta(hours=72) and clock.monotonic() == 5.0 + 72 * 3600
    clock.advance(1.5)
    assert clock.monotonic() == 5.0 + 72 * 3600 + 1.5
    clock.set(AT)  # the date only, as when a system clock is set: monotonic time never goes back
    assert clock.now() == AT and clock.monotonic() == 5.0 + 72 * 3600 + 1.5
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="needs a time zone"):
        FixedClock(datetime(2026, 3, 1))


def test_the_system_clock_is_aware_utc() -> None:
    now = SYSTEM_CLOCK.now()
    assert now.tzinfo == UTC
    assert SYSTEM_CLOCK.monotonic() <= SYSTEM_CLOCK.monotonic()


def test_nothing_but_the_clock_reads_the_systems_time() -> None:
    offenders = []
    for package in ("ecom_privacy", "flows", "automation"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "ecom_privacy" / "clock.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if SYSTEM_TIME.search(line.split("#", 1)[0]):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], ("read the time through the Clock handed down (ecom_privacy/clock.py):\n"
                             + "\n".join(offenders))
