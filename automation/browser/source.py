"""Where a run's browser comes from: launched here, or a running Chromium reached over CDP.

`--cdp-endpoint URL` (or $ECOM_PRIVACY_CDP_ENDPOINT) connects to a browser that runs elsewhere: a
browser farm (Browserless, Selenium Grid 4) or any `chromium --remote-debugging-port=PORT`. A remote browser
can go away mid-run (restarted, evicted, a network blip): the source notices the lost connection and the
next caller gets a new one, retried with backoff while the far end comes back.
"""

from __future__ import annotations

import asyncio

from playwright.async_api import Browser, Playwright
from playwright.async_api import Error as PlaywrightError

from automation.browser.cdp_endpoint import CDP_ENV, public_endpoint
from automation.browser.launch import find_browser, launch
from automation.outputs.logs import get_logger
from ecom_privacy.clock import SYSTEM_CLOCK, Clock
from ecom_privacy.errors import TransientError

#: how long a lost remote browser may take to come back before the stores waiting for it fail
RECONNECT_WINDOW_S = 60.0
#: new connections one store may need in a run before it is failed with the last error
STORE_CONNECTION_ATTEMPTS = 3


class BrowserSource:
    """One browser for the whole run, replaced when its connection is lost."""

    def __init__(self, playwright: Playwright, browser_path: str | None, headed: bool,
                 cdp_endpoint: str | None = None, timeout_ms: int = 15_000,
                 reconnect_window_s: float = RECONNECT_WINDOW_S, clock: Clock = SYSTEM_CLOCK) -> None:
        self.playwright = playwright
        self.clock = clock
        self.browser_path = browser_path
        self.headed = headed
        self.cdp_endpoint = cdp_endpoint
        self.timeout_ms = timeout_ms
        self.reconnect_window_s = reconnect_window_s
        self.connections = 0
        self._browser: Browser | None = None
        self._lock = asyncio.Lock()
        self.log = get_logger()

    @property
    def remote(self) -> bool:
        return bool(self.cdp_endpoint)

    async def get(self) -> Browser:
        """The run's browser, connected (or launched) again when the last one was lost."""
        async with self._lock:  # stores that lost the browser together share one new connection
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            if self._browser is not None:
                self.log.warning("browser connection lost; opening a new one",
                                 endpoint=public_endpoint(self.cdp_endpoint) if self.remote else "launched")
                await self._discard(self._browser)
            self._browser = await (self._connect() if self.remote else self._launch())
            self.connections += 1
            return self._browser

    def lost(self, browser: Browser) -> bool:
        return not browser.is_connected()

    async def _launch(self) -> Browser:
        choice = find_browser(self.playwright, self.browser_path, not self.headed)
        self.log.debug("browser", source=choice.source, executable=choice.executable or "playwright")
        return await launch(self.playwright, choice, self.headed)

    async def _connect(self) -> Browser:
        assert self.cdp_endpoint is not None
        shown = public_endpoint(self.cdp_endpoint)
        deadline = self.clock.monotonic() + self.reconnect_window_s
        delay = 0.25
        while True:
            try:
                browser = await self.playwright.chromium.connect_over_cdp(self.cdp_endpoint,
                                                                          timeout=self.timeout_ms)
            except PlaywrightError as exc:
                if self.clock.monotonic() + delay > deadline:
                    raise TransientError(
                        f"cannot connect to the browser at {shown} over CDP: {str(exc).splitlines()[0]}; "
                        f"gave up after {self.reconnect_window_s:g} s. Check that it runs and --cdp-endpoint "
                        f"(or ${CDP_ENV}) points at it") from None
                # The far end may be restarting: back off instead of hammering it.
                await asyncio.sleep(delay)
                delay = min(delay * 2, 4.0)
                continue
            self.log.info("connected to a remote browser over CDP", endpoint=shown, version=browser.version)
            return browser

    async def _discard(self, browser: Browser) -> None:
        try:
            await browser.close()
        except Exception:  # already gone: nothing left to close
            self.log.debug("lost browser already closed")

    async def close(self) -> None:
        """A launched browser is closed; a remote one only loses our contexts and connection, it keeps running."""
        if self._browser is not None:
            browser, self._browser = self._browser, None
            await self._discard(browser)


