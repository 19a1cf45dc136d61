"""The progress bar (drawn by rich): on a terminal only, counting stores as the summary counts them, with log
lines printed above it whole, and without colour when asked."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from automation.outputs.progress import ProgressBar
from ecom_privacy.clock import FixedClock
from ecom_privacy.models import SettingResult, SettingStatus, StoreResult, StoreStatus

COLOUR = re.compile(r"\x1b\[[0-9;]*(3\d|9\d|38;[0-9;]+)m")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def result(status: StoreStatus, *settings: SettingStatus) -> StoreResult:
    return StoreResult(id="s", status=status,
                       settings=[SettingResult(setting=f"s{i}", status=s) for i, s in enumerate(settings)])


def test_counts_done_failed_changed_and_running() -> None:
    out = Terminal()
    bar = ProgressBar(out, total=4, label="apply", clock=FixedClock(datetime(2026, 1, 1, tzinfo=UTC), monotonic=75.0))
    bar.started = 0.0
    for store in ("a", "b", "c"):
        bar.store_started(store)
    bar.store_done(result(StoreStatus.ERROR, SettingStatus.FAILED))
    bar.store_done(result(StoreStatus.OK, SettingStatus.CHANGED))
    assert bar.line() == "apply  2/4 stores  1 failed  1 changed  1 running  1:15"
    bar.close()
    assert "2/4 stores  1 failed  1 changed  1 running  1:15" in out.getvalue()
    assert out.getvalue().replace("\x1b[?25h", "").endswith("\n")  # the summary starts on a line of its own


def test_a_store_caught_mid_save_counts_as_failed_as_in_the_report() -> None:
    """Ctrl-C caught a setting while saving: report.json says failed, so does the bar (and the summary)."""
    bar = ProgressBar(io.StringIO(), total=1, label="apply")
    bar.store_done(result(StoreStatus.OK, SettingStatus.CHANGED, SettingStatus.FAILED))
    assert (bar.failed, bar.changed) == (1, 0)


def test_log_lines_are_printed_whole_above_the_bar() -> None:
    out = Terminal()
    bar = ProgressBar(out, total=2, label="plan")
    bar.store_started("a")
    bar.stream.write("a log ")
    assert "a log" not in out.getvalue()  # half a line waits for its end
    bar.stream.write("line \x1b[32mgreen\x1b[0m\n")
    bar.close()
    screen = out.getvalue()
    assert screen.count("a log line ") == 1 and "green" in screen
    assert screen.index("a log line") < screen.rindex("0/2 stores")  # the bar is drawn again below it


def test_no_colour_when_asked() -> None:
    out = Terminal()
    bar = ProgressBar(out, total=1, label="plan", colour=False)
    bar.stream.write("\x1b[32mgreen\x1b[0m\n")
    bar.store_done(result(StoreStatus.OK, SettingStatus.COMPLIANT))
    bar.close()
    assert "1/1 stores" in out.getvalue() and not COLOUR.search(out.getvalue())


def test_silent_when_not_a_terminal() -> None:
    out = io.StringIO()
    bar = ProgressBar(out, total=2, label="plan")
    bar.store_started("a")
    bar.store_done(result(StoreStatus.OK, SettingStatus.COMPLIANT))
    bar.close()
    assert out.getvalue() == ""
    bar.stream.write("log line\n")
    assert out.getvalue() == "log line\n"
