"""The interrupt protocol: the first signal asks for a graceful stop, the second cancels what runs."""

from __future__ import annotations

import asyncio
import signal

import pytest

from automation.run.interrupt import Interruption, Notice, RunInterrupted


async def test_first_signal_stops_new_work_second_cancels_running_tasks() -> None:
    events: list[Notice] = []
    interruption = Interruption(on_event=events.append)
    interruption.checkpoint()  # nothing requested yet: passes
    task = asyncio.create_task(asyncio.Event().wait())
    interruption.track(task)  # type: ignore[arg-type]

    interruption.signal_received(signal.SIGINT)
    assert interruption.requested and not interruption.forced and not task.cancelled()
    with pytest.raises(RunInterrupted):
        interruption.checkpoint()

    interruption.signal_received(signal.SIGTERM)
    with pytest.raises(asyncio.CancelledError):
        await task
    assert interruption.forced
    assert "SIGINT received: finishing the steps in flight" in events[0].message
    assert events[0].for_person == ("Ctrl-C: finishing the step each running store is in, starting nothing new; "
                                    "press Ctrl-C again to stop at once")
    assert "SIGTERM received again" in events[1].message and events[1].for_person.startswith("SIGTERM again: stop")


async def test_handlers_are_installed_and_removed() -> None:
    loop = asyncio.get_running_loop()
    before = signal.getsignal(signal.SIGTERM)
    interruption = Interruption()
    interruption.install(loop)
    assert signal.getsignal(signal.SIGTERM) is not before
    interruption.uninstall(loop)
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
