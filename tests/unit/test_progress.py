"""The progress bar: drawn on a terminal only, log lines pass through it without garbling it."""

from __future__ import annotations

import io

from automation.outputs.progress import CLEAR_LINE, ProgressBar
from ecom_privacy.models import SettingResult, SettingStatus, StoreResult, StoreStatus


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def result(status: StoreStatus, setting: SettingStatus = SettingStatus.COMPLIANT) -> StoreResult:
    return StoreResult(id="s", status=status, settings=[SettingResult(setting="cookie_law", status=setting)])


def test_counts_done_failed_changed_and_running() -> None:
    out = Terminal()
    bar = ProgressBar(out, total=4, label="apply", clock=lambda: 75.0)
    bar.started = 0.0
    for store in ("a", "b", "c"):
        bar.store_started(store)
    bar.store_done(result(StoreStatus.ERROR, SettingStatus.FAILED))
    bar.store_done(result(StoreStatus.OK, SettingStatus.CHANGED))
    line = bar.line()
    assert "apply [##############--------------] 2/4 stores" in line
    assert "1 failed" in line and "1 changed" in line and "1 running" in line and "1:15" in line
    assert out.getvalue().count(CLEAR_LINE) == 5
    bar.close()
    assert out.getvalue().endswith("1:15\n")


def test_log_lines_clear_the_bar_and_redraw_it() -> None:
    out = Terminal()
    bar = ProgressBar(out, total=2, label="plan")
    bar.store_started("a")
    bar.stream.write("a log ")
    assert "a log" not in out.getvalue()  # half a line waits for its end
    bar.stream.write("line\n")
    tail = out.getvalue().split("a log line\n", 1)[1]
    assert out.getvalue().count("a log line\n") == 1 and tail.startswith(CLEAR_LINE + "plan [")


def test_silent_when_not_a_terminal() -> None:
    out = io.StringIO()
    bar = ProgressBar(out, total=2, label="plan")
    bar.store_started("a")
    bar.store_done(result(StoreStatus.OK))
    bar.close()
    assert out.getvalue() == ""
    bar.stream.write("log line\n")
    assert out.getvalue() == "log line\n"
