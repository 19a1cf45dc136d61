"""A progress bar for fleet runs on a terminal: stores done / total, failures, running, elapsed time.

Drawn on stderr and only on a terminal: cron and CI get nothing but the log lines. Log lines written while
the bar is shown go through `ProgressBar.stream`, which clears the bar, writes the line and redraws it, so
the two never garble each other. No dependency: a carriage return and an erase-line escape are enough.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TextIO

from ecom_privacy.models import SettingStatus, StoreResult, StoreStatus

WIDTH = 28
CLEAR_LINE = "\r\x1b[2K"


class ProgressBar:
    def __init__(self, stream: TextIO, total: int, label: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.out = stream
        self.total = total
        self.label = label
        self.clock = clock
        self.started = clock()
        self.done = self.failed = self.changed = self.running = 0
        self.enabled = stream.isatty()
        self._shown = False
        self._lock = threading.Lock()
        self.stream = _LogThroughBar(self)

    def store_started(self, _store_id: str) -> None:
        with self._lock:
            self.running += 1
            self._draw()

    def store_done(self, result: StoreResult) -> None:
        with self._lock:
            self.running = max(0, self.running - 1)
            self.done += 1
            if result.status == StoreStatus.ERROR:
                self.failed += 1
            elif any(s.status == SettingStatus.CHANGED for s in result.settings):
                self.changed += 1
            self._draw()

    def line(self) -> str:
        filled = WIDTH * self.done // self.total if self.total else WIDTH
        bar = "#" * filled + "-" * (WIDTH - filled)
        elapsed = int(self.clock() - self.started)
        parts = [f"{self.label} [{bar}] {self.done}/{self.total} stores", f"{self.failed} failed"]
        if self.changed:
            parts.append(f"{self.changed} changed")
        parts += [f"{self.running} running", f"{elapsed // 60}:{elapsed % 60:02d}"]
        return "  ".join(parts)

    def _draw(self) -> None:
        if not self.enabled:
            return
        self.out.write(CLEAR_LINE + self.line())
        self.out.flush()
        self._shown = True

    def write_log(self, text: str) -> None:
        with self._lock:
            if self._shown:
                self.out.write(CLEAR_LINE)
            self.out.write(text)
            if self._shown:
                self._draw()
            self.out.flush()

    def close(self) -> None:
        """Leave the final state on its own line, so the summary that follows starts on a clean one."""
        with self._lock:
            if self._shown:
                self.out.write(CLEAR_LINE + self.line() + "\n")
                self.out.flush()
                self._shown = False


class _LogThroughBar:
    """A text stream for the logger: whole lines go out between bar redraws."""

    def __init__(self, bar: ProgressBar) -> None:
        self.bar = bar
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        if "\n" in self._pending:
            complete, _, self._pending = self._pending.rpartition("\n")
            self.bar.write_log(complete + "\n")
        return len(text)

    def flush(self) -> None:
        self.bar.out.flush()

    def isatty(self) -> bool:
        return self.bar.out.isatty()
