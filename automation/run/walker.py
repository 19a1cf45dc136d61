"""Walking a fleet: one store's work run to its end, or given up when its browser goes away under it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from playwright.async_api import Browser

from automation.fleet.model import StoreConfig
from automation.run.interrupt import Interruption
from ecom_privacy.errors import TransientError
from ecom_privacy.models import SettingResult, SettingStatus, StoreResult, StoreStatus

#: after a lost connection, how long a store's work may take to fail by itself, and then to stop when cancelled
LOST_GRACE_S = 5.0


def lost_connection_result(store: StoreConfig) -> StoreResult:
    """A store whose run was abandoned because its browser went away under it (retried on a new one)."""
    error = "the connection to the browser was lost while this store ran"
    return StoreResult(id=store.id, status=StoreStatus.ERROR, error=error, error_kind=TransientError.kind,
                       settings=[SettingResult(setting=name, status=SettingStatus.FAILED, error=error,
                                               error_kind=TransientError.kind) for name in store.desired])


async def run_until_lost(work: Coroutine[Any, Any, StoreResult], browser: Browser, interruption: Interruption,
                         abandoned: Callable[[], StoreResult]) -> StoreResult:
    """Run one store's work; when its browser disconnects, give the work a moment to fail by itself, then stop it.

    Over CDP a call in flight when the far end dies can wait forever (a page that never opens), so a lost
    browser must not be trusted to end the store's work. A second Ctrl-C cancels the work, which records
    what it was doing and still returns its result.
    """
    task: asyncio.Task[StoreResult] = asyncio.ensure_future(work)
    interruption.track(task)  # type: ignore[arg-type]
    lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_disconnect(_: object) -> None:
        if not lost.done():
            lost.set_result(None)

    browser.on("disconnected", on_disconnect)
    if not browser.is_connected():
        on_disconnect(browser)
    try:
        await asyncio.wait({task, lost}, return_when=asyncio.FIRST_COMPLETED)
        if not task.done():
            await asyncio.wait({task}, timeout=LOST_GRACE_S)
        if not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=LOST_GRACE_S)  # a call stuck on the dead connection: leave it
        if task.done() and not task.cancelled() and task.exception() is None:
            return task.result()
        if task.done() and not task.cancelled():
            raise task.exception()  # type: ignore[misc]
        return abandoned()
    except asyncio.CancelledError:
        if not interruption.forced:
            task.cancel()
            raise
        current = asyncio.current_task()
        if current is not None:
            current.uncancel()  # stopped at once: the work records what it was doing, and its result counts
        return await task
    finally:
        browser.remove_listener("disconnected", on_disconnect)
