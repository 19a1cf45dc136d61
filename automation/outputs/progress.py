"""A progress bar for fleet runs on a terminal, drawn by rich: stores done / total, failures, changed, running,
elapsed time.

Drawn on stderr and only on a terminal: cron and CI get nothing but the log lines. Log lines written while
the bar is shown go through `ProgressBar.stream`, which hands each whole line to rich, which prints it above
the bar (ANSI colours of the console log renderer kept), so the two never garble each other. Colourless with
NO_COLOR or --no-color; the bar itself stays.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, TextIO

from automation.outputs.render import store_outcome
from ecom_privacy.clock import SYSTEM_CLOCK, Clock
from ecom_privacy.models import StoreResult

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class ProgressBar:
    def __init__(self, stream: TextIO, total: int, label: str, clock: Clock = SYSTEM_CLOCK,
                 colour: bool = True) -> None:
        self.out = stream
        self.total = total
        self.label = label
        self.clock = clock
        self.started = clock.monotonic()
        self.done = self.failed = self.changed = self.running = 0
        self.enabled = stream.isatty()
        self._lock = threading.Lock()
        self.stream = _LogThroughBar(self)
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        if self.enabled:
            self._start(colour)

    def _start(self, colour: bool) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn

        console = Console(file=self.out, force_terminal=True, no_color=not colour, highlight=False, markup=False,
                          emoji=False)
        self._progress = Progress(TextColumn("{task.description}"), BarColumn(bar_width=28),
                                  TextColumn("{task.fields[counts]}"), console=console, transient=False,
                                  refresh_per_second=4, redirect_stdout=False, redirect_stderr=False)
        self._task = self._progress.add_task(self.label, total=self.total or None, counts=self.counts())
        self._progress.start()

    def store_started(self, _store_id: str) -> None:
        with self._lock:
            self.running += 1
            self._update()

    def store_done(self, result: StoreResult) -> None:
        with self._lock:
            self.running = max(0, self.running - 1)
            self.done += 1
            outcome = store_outcome(result)  # counted as the summary and report.json count it
            if outcome == "failed":
                self.failed += 1
            elif outcome == "changed":
                self.changed += 1
            self._update()

    def counts(self) -> str:
        """`2/4 stores  1 failed  1 changed  1 running  1:15`: what the bar shows beside itself."""
        elapsed = int(self.clock.monotonic() - self.started)
        parts = [f"{self.done}/{self.total} stores", f"{self.failed} failed"]
        if self.changed:
            parts.append(f"{self.changed} changed")
        parts += [f"{self.running} running", f"{elapsed // 60}:{elapsed % 60:02d}"]
        return "  ".join(parts)

    def line(self) -> str:
        """The bar's state as one line of text (what a test or a log reads)."""
        return f"{self.label}  {self.counts()}"

    def _update(self) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=self.done, counts=self.counts())

    def write_log(self, text: str) -> None:
        with self._lock:
            if self._progress is None:
                self.out.write(text)
                self.out.flush()
                return
            from rich.text import Text

            self._progress.console.print(Text.from_ansi(text.rstrip("\n")), soft_wrap=True)

    def close(self) -> None:
        """Leave the final state on its own line, so the summary that follows starts on a clean one."""
        with self._lock:
            if self._progress is not None:
                self._update()
                self._progress.stop()
                self._progress = None
                self.out.flush()


class _LogThroughBar:
    """A text stream for the logger: whole lines go out through the bar's console."""

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
