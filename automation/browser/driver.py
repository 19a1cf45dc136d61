"""Playwright's driver, the Node.js process between the tool and Chromium: the one way a command starts it.

Node gives the driver's young generation up to 16 MiB per semi-space by default, memory a fleet run keeps for
the whole run although the driver's objects live no longer than one message or one store; at a semi-space
of 1 MiB the driver of a cold plan of 100 stores at parallelism 8 peaks about 30 MiB lower, for the same CPU
(issue #21, benchmarks/results.md). A user's own NODE_OPTIONS come after ours, so theirs win.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterator

from playwright.async_api import Playwright, async_playwright

NODE_OPTIONS = "NODE_OPTIONS"
#: Node's options for the driver, before any of the user's
DRIVER_NODE_OPTIONS = ("--max-semi-space-size=1",)


def driver_node_options(users: str | None) -> str:
    """NODE_OPTIONS for the driver: ours, then the user's (a later option wins in Node)."""
    return " ".join([*DRIVER_NODE_OPTIONS, *([users] if users else [])])


@contextlib.contextmanager
def _node_options_for_the_driver() -> Iterator[None]:
    # Playwright hands the driver a copy of os.environ when it starts it, and reads it nowhere else.
    users = os.environ.get(NODE_OPTIONS)
    os.environ[NODE_OPTIONS] = driver_node_options(users)
    try:
        yield
    finally:
        if users is None:
            os.environ.pop(NODE_OPTIONS, None)
        else:
            os.environ[NODE_OPTIONS] = users


async def start_driver() -> Playwright:
    """Playwright, its driver started; the caller stops it (`await playwright.stop()`)."""
    with _node_options_for_the_driver():
        return await async_playwright().start()


@contextlib.asynccontextmanager
async def playwright_driver() -> AsyncIterator[Playwright]:
    """Playwright for the length of the block."""
    playwright = await start_driver()
    try:
        yield playwright
    finally:
        await playwright.stop()
