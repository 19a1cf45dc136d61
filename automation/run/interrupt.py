"""Ctrl-C (SIGINT) and SIGTERM during a run: stop cleanly, and never report a half-done change as done.

The first signal asks for a graceful stop: the steps in flight finish (a setting being applied is saved
and verified, or fails), nothing new starts, and the report is written with `interrupted: true`. A second
signal stops at once: the tasks are cancelled and a setting caught in the middle of applying is reported
as failed ("may or may not have been saved"), never as changed.

Each signal is announced the moment it arrives, before anything else happens: a person at a terminal reads
what the tool now does and how to stop it sooner (`Notice.for_person`), a log reads the event
(`Notice.message`).
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from dataclasses import dataclass

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class RunInterrupted(Exception):
    """Raised at a checkpoint after a graceful stop was requested; never reported as a store's failure."""


@dataclass(frozen=True)
class Notice:
    """What a signal made the run do: for the log, and in a person's words for a terminal."""

    message: str
    for_person: str


def _key(signum: int) -> str:
    """How a person sends the signal again: Ctrl-C, or the signal's name."""
    return "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name


class Interruption:
    def __init__(self, on_event: Callable[[Notice], None] | None = None) -> None:
        self.requested = False
        self.forced = False
        self.on_event = on_event
        self._tasks: set[asyncio.Task[object]] = set()
        self._installed: list[signal.Signals] = []

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        for signum in SIGNALS:
            try:
                loop.add_signal_handler(signum, self.signal_received, signum)
            except (NotImplementedError, RuntimeError, ValueError):
                continue  # not the main thread (or not Unix): Ctrl-C keeps its default meaning
            self._installed.append(signum)

    def uninstall(self, loop: asyncio.AbstractEventLoop) -> None:
        for signum in self._installed:
            loop.remove_signal_handler(signum)
        self._installed.clear()

    def track(self, task: asyncio.Task[object]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def signal_received(self, signum: int = signal.SIGINT) -> None:
        name, key = signal.Signals(signum).name, _key(signum)
        if not self.requested:
            self.requested = True
            self._say(Notice(f"{name} received: finishing the steps in flight, starting nothing new "
                             f"(send it again to stop at once)",
                             f"{key}: finishing the step each running store is in, starting nothing new; "
                             f"{'press' if key == 'Ctrl-C' else 'send'} {key} again to stop at once"))
            return
        if not self.forced:
            self.forced = True
            self._say(Notice(f"{name} received again: stopping now",
                             f"{key} again: stopping now; a setting caught while saving is reported failed "
                             f"(it may or may not have been saved: run plan to see)"))
            for task in list(self._tasks):
                task.cancel()

    def checkpoint(self) -> None:
        """Call before starting anything new (a store, a setting, a change)."""
        if self.requested:
            raise RunInterrupted()

    def _say(self, notice: Notice) -> None:
        if self.on_event is not None:
            self.on_event(notice)
