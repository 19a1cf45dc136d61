"""`python -m tests.cli_process ARGS...`: the CLI as a process of its own, for tests that need one (a kill, a
terminal), on the test's clock. Without either variable below it is exactly `python -m automation ARGS...`.

- `ECOM_PRIVACY_TEST_NOW=ISO` (`cli_env(clock)`): the CLI runs on a clock standing at that instant, as the
  in-process CLI does in the same test: a register written in-process and by the process agree on "now".
- `ECOM_PRIVACY_TEST_CLOCK_SHIFT_DAYS=N`: set by tests/conftest.py for a session run with
  `--clock-shift-days N`; the process's time moves by the same shift (time-machine moves only the clock of
  the process that starts it), so a mock in the test process and the CLI here agree on TOTP codes and dates.

Test-only: the tool reads neither variable.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from ecom_privacy.clock import SYSTEM_CLOCK, Clock, FixedClock

NOW_ENV = "ECOM_PRIVACY_TEST_NOW"
CLOCK_SHIFT_ENV = "ECOM_PRIVACY_TEST_CLOCK_SHIFT_DAYS"
#: the argv prefix that starts the CLI as a process: `[*CLI, "breach", "assess", ...]`
CLI = [sys.executable, "-m", "tests.cli_process"]


def cli_env(clock: Clock | None = None, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a CLI process: `base` (default: this process's), with `clock`'s now when given."""
    env = dict(os.environ if base is None else base)
    if clock is not None:
        env[NOW_ENV] = clock.now().isoformat()
    return env


def main() -> int:
    shift = os.environ.get(CLOCK_SHIFT_ENV)
    if shift:
        import time_machine

        time_machine.travel(datetime.now(UTC) + timedelta(days=float(shift)), tick=True).start()
    now = os.environ.get(NOW_ENV)
    clock = FixedClock(datetime.fromisoformat(now)) if now else SYSTEM_CLOCK

    from automation.cli import main as cli_main

    return cli_main(clock=clock)


if __name__ == "__main__":
    sys.exit(main())
