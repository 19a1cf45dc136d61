"""The one clock of the tool: every reading of the time goes through a `Clock` that is handed down.

A breach's 72-hour deadline, the history's windows (`status --max-age`, `history --since 30d`), the alerts,
the TOTP codes of a login and the stamps of a run all depend on "now". Read from one object given to them
(the CLI's `main` takes it, the system clock by default, and passes it to every command), they can be driven
by a test with a `FixedClock` instead of sleeping, or of patching the internals of each module (issue #25).

`now()` is wall-clock time, aware and in UTC: what is recorded and compared with recorded times.
`monotonic()` is for durations and waits: it never goes back when the system clock is set, and says nothing
about the date. Nothing else in `core`, `flows` or `automation` reads the system's clock
(tests/unit/test_clock.py holds that line).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Final, Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back: for durations and waits, never for dates."""
        ...


class SystemClock:
    """The machine's clocks."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


#: the clock of a real run; the CLI's default, and the only module-level clock there is
SYSTEM_CLOCK: Final[Clock] = SystemClock()


class FixedClock:
    """A clock that stands still until it is moved: `advance` moves both readings, `set` only the date.

    A wait measured with it never ends by itself, so code that waits is given `sleep=clock.advance`."""

    def __init__(self, at: datetime, monotonic: float = 0.0) -> None:
        self._now = _aware_utc(at)
        self._monotonic = monotonic

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, delta: timedelta | float) -> None:
        """Let `delta` (a timedelta or seconds) pass."""
        seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
        if seconds < 0:
            raise ValueError(f"time only moves forward: cannot advance by {seconds:g} s (use set() for a date)")
        self._now += timedelta(seconds=seconds)
        self._monotonic += seconds

    def set(self, at: datetime) -> None:
        """Put the date at `at` (as when the system clock is set: monotonic time is not affected)."""
        self._now = _aware_utc(at)


def _aware_utc(moment: datetime) -> datetime:
    # A naive datetime would be read in the machine's zone by astimezone(): a test would depend on the machine.
    if moment.tzinfo is None:
        raise ValueError(f"a clock's time needs a time zone: {moment.isoformat()} has none (add tzinfo=UTC)")
    return moment.astimezone(UTC)
