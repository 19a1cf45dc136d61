"""Walking a fleet: the one loop over stores, for runs (plan, apply, export-subscribers), `probe` and `verify`.

One browser (launched, or reached over CDP), at most `parallelism` stores at once, each store's work in a
task of its own so that one store's failure never stops the others. The walker also owns what every command
needs around that loop:

- interrupts: the first Ctrl-C (or SIGTERM) starts no new store and lets the work in flight finish; a
  second one cancels it, and a store that was never started is reported as not started;
- a lost browser: when the connection goes away under a store, its work is given a moment to fail by
  itself, then stopped, and the store runs again from the start on a new connection (a lost connection is
  a transient fault of the whole store: every step it did is read again);
- progress: `on_store_start` and `on_store_done` for the progress bar and a shard's progress record, and one
  "store done" log line per store.

What a store's work is and what its result looks like is the command's: the walker is generic over both.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from playwright.async_api import Browser

from automation.browser.driver import release_driver, start_driver
from automation.browser.source import STORE_CONNECTION_ATTEMPTS, BrowserSource
from automation.fleet.model import StoreConfig
from automation.outputs.logs import get_logger
from automation.run.interrupt import Interruption
from automation.run.setting_phase import NOT_STARTED
from ecom_privacy.clock import SYSTEM_CLOCK, Clock
from ecom_privacy.errors import ErrorKind
from ecom_privacy.models import SettingResult, SettingStatus, StoreResult, StoreStatus

#: after a lost connection, how long a store's work may take to fail by itself, and then to stop when cancelled
LOST_GRACE_S = 5.0

R = TypeVar("R")


def lost_connection_result(store: StoreConfig) -> StoreResult:
    """A store whose run was abandoned because its browser went away under it (retried on a new one)."""
    error = "the connection to the browser was lost while this store ran"
    return StoreResult(id=store.id, status=StoreStatus.ERROR, error=error, error_kind=ErrorKind.TRANSIENT,
                       settings=[SettingResult(setting=name, status=SettingStatus.FAILED, error=error,
                                               error_kind=ErrorKind.TRANSIENT) for name in store.desired])


def not_started_result(store: StoreConfig) -> StoreResult:
    """A store an interrupt stopped before it began."""
    return StoreResult(id=store.id, status=StoreStatus.SKIPPED, error=NOT_STARTED, error_kind=ErrorKind.INTERRUPTED,
                       settings=[SettingResult(setting=name, status=SettingStatus.SKIPPED, error=NOT_STARTED,
                                               error_kind=ErrorKind.INTERRUPTED) for name in store.desired])


async def run_until_lost(work: Coroutine[Any, Any, R], browser: Browser, interruption: Interruption,
                         abandoned: Callable[[], R]) -> R:
    """Run one store's work; when its browser disconnects, give the work a moment to fail by itself, then stop it.

    Over CDP a call in flight when the far end dies can wait forever (a page that never opens), so a lost
    browser must not be trusted to end the store's work. A second Ctrl-C cancels the work, which records
    what it was doing and still returns its result.
    """
    task: asyncio.Task[R] = asyncio.ensure_future(work)
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


@dataclass
class BrowserChoice:
    """Which browser a walk uses: a path (None: found), headed or not, or a running one over CDP."""

    browser_path: str | None = None
    headed: bool = False
    cdp_endpoint: str | None = None
    timeout_ms: int = 15_000
    #: the command's clock (reconnection windows)
    clock: Clock = SYSTEM_CLOCK


@dataclass
class StoreWork(Generic[R]):
    """What a command does with each store, and the results the walker makes when it cannot let it."""

    #: the store's work in `browser`; must not raise for a store's own failure (it is its result)
    run: Callable[[StoreConfig, Browser], Coroutine[Any, Any, R]]
    #: the result of a store whose browser was lost under it (STORE_CONNECTION_ATTEMPTS times)
    lost: Callable[[StoreConfig], R]
    #: the result of a store an interrupt stopped before it began
    not_started: Callable[[StoreConfig], R]
    #: for the "store done" log line
    describe: Callable[[R], dict[str, Any]] = field(default=lambda result: {})


class FleetWalker:
    """`await walker.walk(stores, work)`: every store's result, in the order of `stores`."""

    def __init__(self, browser: BrowserChoice, parallelism: int, interruption: Interruption | None = None,
                 on_store_start: Callable[[str], None] | None = None,
                 on_store_done: Callable[[Any], None] | None = None) -> None:
        self.browser = browser
        self.parallelism = max(1, parallelism)
        self.interruption = interruption or Interruption()
        self.on_store_start = on_store_start
        self.on_store_done = on_store_done
        self.log = get_logger()

    async def walk(self, stores: list[StoreConfig], work: StoreWork[R]) -> list[R]:
        interruption = self.interruption
        loop = asyncio.get_running_loop()
        interruption.install(loop)
        try:
            try:
                playwright = await start_driver()
            except Exception:
                if not interruption.requested:
                    raise
                # Ctrl-C reaches the whole process group: Playwright's driver, still starting, dies of it
                # before it can ignore it. Nothing was started, and the results say so (no traceback).
                gc.collect()  # the dead driver's pipes are closed now, while the loop still runs, not at exit
                await asyncio.sleep(0)
                return [work.not_started(store) for store in stores]
            try:
                choice = self.browser
                source = BrowserSource(playwright, choice.browser_path, choice.headed, choice.cdp_endpoint,
                                       choice.timeout_ms, clock=choice.clock)
                try:
                    return await self._walk(source, stores, work)
                finally:
                    await source.close()
            finally:
                await release_driver(playwright)
        finally:
            interruption.uninstall(loop)

    async def _walk(self, source: BrowserSource, stores: list[StoreConfig], work: StoreWork[R]) -> list[R]:
        semaphore = asyncio.Semaphore(self.parallelism)
        interruption = self.interruption

        async def one(store: StoreConfig) -> R:
            try:
                async with semaphore:
                    if interruption.requested:
                        result = work.not_started(store)
                    else:
                        if self.on_store_start is not None:
                            self.on_store_start(store.id)
                        result = await self._one_store(source, store, work)
            except asyncio.CancelledError:
                if not interruption.forced:
                    raise
                result = work.not_started(store)
            if self.on_store_done is not None:  # first: the progress record of a shard, before anyone hears of it
                self.on_store_done(result)
            self.log.info("store done", store=store.id, **work.describe(result))
            return result

        tasks = [asyncio.create_task(one(store)) for store in stores]
        for task in tasks:
            interruption.track(task)  # type: ignore[arg-type]
        return list(await asyncio.gather(*tasks))

    async def _one_store(self, source: BrowserSource, store: StoreConfig, work: StoreWork[R]) -> R:
        """One store; run again from the start on a new connection when the browser was lost under it."""
        for attempt in range(1, STORE_CONNECTION_ATTEMPTS + 1):
            browser = await source.get()
            result = await run_until_lost(work.run(store, browser), browser, self.interruption,
                                          lambda: work.lost(store))
            if not source.lost(browser) or self.interruption.requested or attempt == STORE_CONNECTION_ATTEMPTS:
                return result
            self.log.warning("browser connection lost under this store; running it again on a new connection",
                             store=store.id, attempt=attempt)
        raise AssertionError("unreachable")
