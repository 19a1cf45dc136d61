"""Playwright's driver, the Node.js process between the tool and Chromium: the one way a command starts it.

Node gives the driver's young generation up to 16 MiB per semi-space by default, memory a fleet run keeps for
the whole run although the driver's objects live no longer than one message or one store; at a semi-space
of 1 MiB the driver of a cold plan of 100 stores at parallelism 8 peaks about 30 MiB lower, for the same CPU
(issue #21, benchmarks/results.md). A user's own NODE_OPTIONS come after ours, so theirs win.

The driver also parses and compiles about 7 MB of JavaScript at every start, a quarter of its start-up;
Node's compile cache (NODE_COMPILE_CACHE) keeps the compiled code between runs, in the user's cache folder
($XDG_CACHE_HOME/ecom-privacy/node-compile-cache, else ~/.cache/...): machine state, not the site's, so not in
the home. Node checks each entry against its source, so an upgraded Playwright recompiles. A user's own
NODE_COMPILE_CACHE is left as it is; a folder that cannot be made means no cache, never a failed run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # Playwright is imported when a driver starts: `run_command` serves commands that need none
    from playwright.async_api import Playwright

NODE_OPTIONS = "NODE_OPTIONS"
NODE_COMPILE_CACHE = "NODE_COMPILE_CACHE"
#: Node's options for the driver, before any of the user's
DRIVER_NODE_OPTIONS = ("--max-semi-space-size=1",)


def driver_node_options(users: str | None) -> str:
    """NODE_OPTIONS for the driver: ours, then the user's (a later option wins in Node)."""
    return " ".join([*DRIVER_NODE_OPTIONS, *([users] if users else [])])


def compile_cache_dir(env: Mapping[str, str]) -> Path:
    """Where Node keeps the driver's compiled code: $XDG_CACHE_HOME/ecom-privacy/node-compile-cache, else
    ~/.cache/ecom-privacy/node-compile-cache."""
    cache_home = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home) / "ecom-privacy" / "node-compile-cache"


def driver_environment(env: Mapping[str, str]) -> dict[str, str]:
    """The variables the driver starts with, besides `env`: Node's options, and its compile cache unless the
    user chose one (or none can be made)."""
    extra = {NODE_OPTIONS: driver_node_options(env.get(NODE_OPTIONS))}
    if NODE_COMPILE_CACHE not in env:
        directory = compile_cache_dir(env)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError:
            return extra
        extra[NODE_COMPILE_CACHE] = str(directory)
    return extra


@contextlib.contextmanager
def _environment_for_the_driver() -> Iterator[None]:
    # Playwright hands the driver a copy of os.environ when it starts it, and reads it nowhere else.
    extra = driver_environment(os.environ)
    before = {name: os.environ.get(name) for name in extra}
    os.environ.update(extra)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


T = TypeVar("T")


class DriverHost:
    """One event loop and one Playwright driver kept for every command run while it serves (see the module's
    docstring). Commands run one at a time on its loop, in the thread that calls `run_command`."""

    def __init__(self) -> None:
        # A loop factory: the runner then leaves the thread's "current event loop" alone (pytest-asyncio's).
        self._runner = asyncio.Runner(loop_factory=asyncio.new_event_loop)
        self._loop: asyncio.AbstractEventLoop | None = None
        #: the thread that serves: commands run from any other thread get a loop and a driver of their own
        self._thread: int | None = None
        self._playwright: Playwright | None = None
        #: tasks the driver keeps running between commands (its connection's reader)
        self._driver_tasks: set[asyncio.Task[Any]] = set()
        #: how many commands borrowed the driver and how many times it was started (for tests and figures)
        self.lent = 0
        self.started = 0

    @contextlib.contextmanager
    def serving(self) -> Iterator[DriverHost]:
        global _host
        previous, _host = _host, self
        self._thread = threading.get_ident()
        try:
            yield self
        finally:
            _host = previous

    def run(self, main: Coroutine[Any, Any, T]) -> T:
        """`main` on the kept loop; tasks it leaves behind are cancelled as `asyncio.run` would, except the
        driver's own."""
        return self._runner.run(self._alone(main))

    async def _alone(self, main: Coroutine[Any, Any, T]) -> T:
        self._loop = asyncio.get_running_loop()
        before = asyncio.all_tasks()
        try:
            return await main
        finally:
            current = asyncio.current_task()
            left = {task for task in asyncio.all_tasks() - before - self._driver_tasks if task is not current}
            for task in left:
                task.cancel()
            await asyncio.gather(*left, return_exceptions=True)

    def serves_this_thread(self) -> bool:
        return self._thread == threading.get_ident()

    def owns_running_loop(self) -> bool:
        return self._loop is not None and asyncio.get_running_loop() is self._loop

    async def lend(self) -> Playwright:
        if self._playwright is None or not _connected(self._playwright):
            before = asyncio.all_tasks()
            self._playwright = await _start()
            self._driver_tasks = asyncio.all_tasks() - before
            self.started += 1
        self.lent += 1
        return self._playwright

    def is_lent(self, playwright: Playwright) -> bool:
        return playwright is self._playwright

    def close(self) -> None:
        if self._playwright is not None:
            playwright, self._playwright = self._playwright, None
            with contextlib.suppress(Exception):  # a driver that is gone already has nothing to stop
                self._runner.run(playwright.stop())
        self._runner.close()


def _connected(playwright: Playwright) -> bool:
    # A driver that exited (killed, crashed) must not be lent again. Playwright offers no public way to ask; its
    # connection keeps the error it was closed with (`_closed_error`, checked by Playwright before every
    # message), set once the loop has seen the driver's pipe close. Without those attributes (another
    # Playwright version) the driver counts as running, as it did before a host existed.
    connection = getattr(getattr(playwright, "_impl_obj", None), "_connection", None)
    return connection is None or getattr(connection, "_closed_error", None) is None


#: the host serving now, if any (`DriverHost.serving`)
_host: DriverHost | None = None


def run_command(main: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine to its end: on a fresh event loop, or on the serving host's kept loop."""
    host = _host
    if host is not None and host.serves_this_thread():
        return host.run(main)
    return asyncio.run(main)


async def _start() -> Playwright:
    from playwright.async_api import async_playwright

    with _environment_for_the_driver():
        return await async_playwright().start()


async def start_driver() -> Playwright:
    """Playwright, its driver started (or the serving host's, on the host's loop); the caller lets it go with
    `release_driver`."""
    if _host is not None and _host.owns_running_loop():
        return await _host.lend()
    return await _start()


async def release_driver(playwright: Playwright) -> None:
    """Stop the driver, unless it is the serving host's (which keeps it for the next command)."""
    if _host is not None and _host.is_lent(playwright):
        return
    await playwright.stop()


@contextlib.asynccontextmanager
async def playwright_driver() -> AsyncIterator[Playwright]:
    """Playwright for the length of the block."""
    playwright = await start_driver()
    try:
        yield playwright
    finally:
        await release_driver(playwright)
