"""The backoffice's own scripts and stylesheets: a page that lost one of them works only half.

Without its script the page editor saves what the server rendered instead of what was typed, and the
newsletter page never shows its selection menu: a stale save or a "UI changed" verdict, when all that
happened was one HTTP 500 on a static file. A page whose same-origin script or stylesheet failed to load
(5xx, or a connection that failed) is therefore a transient fault of the step that uses it: loaded again
by the page object, retried by the engine, never reported as a UI mismatch.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from urllib.parse import urlparse

from playwright.async_api import Page, Request, Response

from ecom_privacy.errors import TransientError

#: resource types a backoffice page needs to work (images, fonts and media are not even loaded)
NEEDED_TYPES = frozenset({"script", "stylesheet"})
#: a request cancelled on purpose (a navigation away, the tool's own blocking) is no fault of the server
CANCELLED = "net::ERR_ABORTED"


@dataclass(frozen=True)
class FailedAsset:
    url: str
    resource_type: str
    reason: str


def _origin(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    return parsed.scheme, parsed.netloc


class AssetWatch:
    """Listens to one page: the same-origin scripts and stylesheets of its current document that failed."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.failed: list[FailedAsset] = []
        page.on("response", self._on_response)
        page.on("requestfailed", self._on_request_failed)

    def _needed(self, request: Request) -> bool:
        return request.resource_type in NEEDED_TYPES and _origin(request.url) == _origin(self.page.url)

    def _on_response(self, response: Response) -> None:
        request = response.request
        if request.is_navigation_request() and request.frame == self.page.main_frame:
            # A new document: its own assets count from here. Not on every "navigated" event: Turbolinks
            # changes the address without a new document, and a script that failed before is still missing.
            self.failed = []
            return
        if response.status >= 500 and self._needed(response.request):
            self.failed.append(FailedAsset(response.url, response.request.resource_type,
                                           f"HTTP {response.status}"))

    def _on_request_failed(self, request: Request) -> None:
        reason = request.failure or "failed"
        if CANCELLED not in reason and self._needed(request):
            self.failed.append(FailedAsset(request.url, request.resource_type, reason))

    def raise_if_failed(self, page_name: str) -> None:
        if not self.failed:
            return
        asset = self.failed[0]
        kind = "script" if asset.resource_type == "script" else "stylesheet"
        raise TransientError(f"{page_name}: the backoffice's own {kind} {urlparse(asset.url).path} did not load "
                             f"({asset.reason}); the page cannot work without it, so it is loaded again")


_WATCHES: weakref.WeakKeyDictionary[Page, AssetWatch] = weakref.WeakKeyDictionary()


def asset_watch(page: Page) -> AssetWatch:
    """The page's watch, started the first time a page object is made for it (before its first load)."""
    watch = _WATCHES.get(page)
    if watch is None:
        watch = _WATCHES[page] = AssetWatch(page)
    return watch
