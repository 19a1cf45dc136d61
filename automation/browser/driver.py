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

import contextlib
import os
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path

from playwright.async_api import Playwright, async_playwright

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


async def start_driver() -> Playwright:
    """Playwright, its driver started; the caller stops it (`await playwright.stop()`)."""
    with _environment_for_the_driver():
        return await async_playwright().start()


@contextlib.asynccontextmanager
async def playwright_driver() -> AsyncIterator[Playwright]:
    """Playwright for the length of the block."""
    playwright = await start_driver()
    try:
        yield playwright
    finally:
        await playwright.stop()
