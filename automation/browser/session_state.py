"""A logged-in context's state as a Playwright storage state: what the session cache keeps and the next run's
context starts from.

Playwright's own `context.storage_state()` also reads the localStorage of every origin the context ever
visited; for an origin with no page open (after a login: the identity service, the SSO callback's host) it
opens a page of its own and navigates it there. That page costs a renderer process and a round of
navigations per store, on every login of a fleet run: about half the renderer processes of a cold plan and a
tenth of its wall time (issue #21). A backoffice session is its cookies (`backend_session_id` on the shop's
host, the identity service's own for the next login; docs/login.md), so this state holds every cookie of
the context and the localStorage only of the origins whose pages are open, read from those pages, which
opens nothing.
"""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext
from playwright.async_api import Error as PlaywrightError

#: localStorage of a page as Playwright's storage state writes it
_READ_LOCAL_STORAGE = ("() => Object.keys(window.localStorage)"
                       ".map(name => ({name, value: window.localStorage.getItem(name)}))")


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


async def session_state(context: BrowserContext) -> dict[str, Any]:
    """Every cookie of `context` and the localStorage of its open pages' origins, in the shape of
    `context.storage_state()`; opens no page."""
    origins: dict[str, list[dict[str, str]]] = {}
    for page in context.pages:
        origin = _origin(page.url)
        if origin is None or origin in origins:
            continue
        # A page that is navigating or closing has no storage to read: it is left out, as Playwright does.
        with contextlib.suppress(PlaywrightError):
            entries = await page.evaluate(_READ_LOCAL_STORAGE)
            if entries:
                origins[origin] = entries
    cookies = await context.cookies()
    return {"cookies": [dict(cookie) for cookie in cookies],
            "origins": [{"origin": origin, "localStorage": entries} for origin, entries in origins.items()]}
