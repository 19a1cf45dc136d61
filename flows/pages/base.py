"""What every backoffice page object shares: navigation that notices errors and lost sessions."""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlsplit, urlunsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page, Response
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from ecom_privacy.errors import BotChallengeError, SessionExpiredError, SettingError, TransientError, UiMismatchError
from ecom_privacy.probe import ElementCheck, ProbeTarget
from flows.labels import Labels
from flows.pages.page_assets import asset_watch

#: a GET changes nothing, so a page load that met a 5xx or timeout is repeated right here, a few times
GET_ATTEMPTS = 4

#: the part of the backoffice that hands over to the identity service and back (login, SSO callback)
AUTH_PATH = "auth"


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme.lower(), f"{(parts.hostname or '').lower()}:{port}"


def in_backoffice(url: str, backoffice_url: str) -> bool:
    """True when `url` is a page of the store's backoffice a logged-in user works on: the backoffice's own
    origin, its admin path, not under `<admin>/auth/`.

    Decided by origin and path, never by a path suffix: login happens on another origin (the identity
    service), so an expired session can land anywhere off the store's host, and the SSO hand-over pages
    under `<admin>/auth/` are on it."""
    admin = urlsplit(backoffice_url).path.rstrip("/")
    if _origin(url) != _origin(backoffice_url):
        return False
    path = urlsplit(url).path
    if path.rstrip("/") != admin and not path.startswith(admin + "/"):
        return False
    auth = f"{admin}/{AUTH_PATH}"
    return path.rstrip("/") != auth and not path.startswith(auth + "/")


def is_login_url(url: str, backoffice_url: str) -> bool:
    """True when the browser is anywhere but in the store's backoffice: in the login chain, or bounced out."""
    return not in_backoffice(url, backoffice_url)


def without_query(url: str) -> str:
    """`url` for a message: no query or fragment (the chain's URLs carry one-time tokens and state)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def is_bot_challenge(response: Response | None) -> bool:
    """Cloudflare marks its challenge answers (HTTP 403 or 503) with `cf-mitigated: challenge`."""
    return response is not None and (response.headers.get("cf-mitigated") or "").lower() == "challenge"


def passed_login_chain(response: Response | None, backoffice_url: str) -> bool:
    """True when the navigation that gave `response` was redirected through the login chain: the session had
    expired and the identity service's session logged us in again on the way (a form post is then lost)."""
    request = response.request.redirected_from if response is not None else None
    while request is not None:
        if is_login_url(request.url, backoffice_url):
            return True
        request = request.redirected_from
    return False


async def typed_goto(page: Page, url: str) -> Response | None:
    try:
        return await page.goto(url, wait_until="domcontentloaded")
    except PlaywrightTimeoutError as exc:
        raise TransientError(f"timed out loading {url}") from exc
    except PlaywrightError as exc:
        # "interrupted by another navigation": the error page of a failed request was still loading.
        if "net::ERR_" in str(exc) or "interrupted by another navigation" in str(exc):
            raise TransientError(f"connection problem loading {url}: {str(exc).splitlines()[0]}") from exc
        raise


def check_response(response: Response | None, what: str) -> None:
    """Turn an HTTP error page into a typed error: 5xx is transient, other errors are not ours to retry.

    A bot challenge (often a 503) is no server fault: retrying it like one only digs deeper."""
    if response is None:
        return
    if is_bot_challenge(response):
        raise BotChallengeError(f"{what}: the site answered with a bot challenge (HTTP {response.status}); not a "
                                f"refused login: log in once in a visible browser ('ecom-privacy login --store "
                                f"ID') and let later runs reuse that session")
    if response.status >= 500:
        raise TransientError(f"{what}: the backoffice answered HTTP {response.status}")


class BackofficePage:
    """Base of the page objects. Where a page lives (relative to the store's backoffice URL, …/admin) is read
    from the page paths table (`flows/labels/paths.yaml`, correctable by a user's ui_overrides) under
    `path_key`; `path` is for pages outside that table."""

    path: ClassVar[str] = ""
    #: the page's key in the page paths table; None: `path` is used as it is
    path_key: ClassVar[str | None] = None
    #: name used in errors, so a changed UI is diagnosed in one run
    page_name: ClassVar[str] = "backoffice page"

    def __init__(self, page: Page, backoffice_url: str, labels: Labels) -> None:
        self.page = page
        self.backoffice_url = backoffice_url.rstrip("/")
        self.labels = labels
        self.assets = asset_watch(page)

    @property
    def relative_path(self) -> str:
        return self.labels.path(self.path_key) if self.path_key else self.path

    @property
    def url(self) -> str:
        path = self.relative_path
        return f"{self.backoffice_url}/{path.lstrip('/')}" if path else self.backoffice_url + "/"

    async def open(self) -> None:
        response = await self.load(self.url)
        self.check_landing(response)

    async def load(self, url: str) -> Response | None:
        """Navigate to `url`, repeating the GET on transient errors (5xx, timeouts, dropped connections)."""
        retrying = AsyncRetrying(stop=stop_after_attempt(GET_ATTEMPTS), wait=wait_exponential(multiplier=0.1, max=1),
                                 retry=retry_if_exception_type(TransientError), reraise=True)
        async for attempt in retrying:
            with attempt:
                response = await typed_goto(self.page, url)
                check_response(response, self.page_name)
                self.assets.raise_if_failed(self.page_name)  # a page without its script: load it again
                return response
        raise AssertionError("unreachable: tenacity re-raises the last error")

    def check_landing(self, response: Response | None) -> None:
        check_response(response, self.page_name)
        if is_login_url(self.page.url, self.backoffice_url):
            raise SessionExpiredError(f"{self.page_name}: the backoffice sent us into the login chain "
                                      f"({without_query(self.page.url)})")
        if passed_login_chain(response, self.backoffice_url):
            # The session had expired and the identity service's session let us back in on the way: what was
            # posted is lost, and the engine must hear of the new session (to log it, count it, cache it).
            raise SessionExpiredError(f"{self.page_name}: the session had expired; the identity service "
                                      f"logged us in again on the way")

    async def submit(self, button: Locator) -> None:
        """Click a submit button and wait for the page the server answers with (forms post and redirect)."""
        # The form's script may be what fills it in (the page editor's): without it, nothing is posted.
        self.assets.raise_if_failed(self.page_name)
        async with self.page.expect_navigation(wait_until="domcontentloaded") as navigation:
            await button.click()
        self.check_landing(await navigation.value)

    async def save_settings(self) -> None:
        """Click the page's Save button and insist on the "saved" confirmation; a refusal is a SettingError."""
        button = await self.require(
            self.page.get_by_role("button", name=self.labels["common.save"], exact=True), "Save button"
        )
        await self.submit(button)
        errors = self.page.locator("[role='alert']")
        if await errors.count():
            raise SettingError(f"{self.page_name}: the backoffice refused the change: "
                               f"{(await errors.first.inner_text()).strip()}")
        saved = self.page.locator("[role='status']").filter(has_text=self.labels["common.saved"])
        await self.require(saved, "saved confirmation")

    async def require(self, locator: Locator, element: str) -> Locator:
        """The element must be on the (server-rendered, fully loaded) page now; no waiting for a timeout."""
        if await locator.count() == 0:
            raise UiMismatchError(self.page_name, element, self.labels.locale, f"url {without_query(self.page.url)}")
        return locator.first

    def mismatch(self, element: str, detail: str = "") -> UiMismatchError:
        return UiMismatchError(self.page_name, element, self.labels.locale, detail)

    # --- probe (ecom-privacy probe): the elements this page needs, looked for without changing anything ---
    def probe_target(self) -> ProbeTarget:
        return ProbeTarget(self.path_key or self.page_name, self.page_name, self.probe_visit)

    async def probe_visit(self) -> list[ElementCheck]:
        """Open the page (GET) and check its elements; a page that is not at its path is its one finding."""
        address = await self.probe_open(self.url)
        return [address, *await self.probe_elements()] if address.found else [address]

    async def probe_open(self, url: str) -> ElementCheck:
        response = await self.load(url)
        self.check_landing(response)  # the login page: the session is gone, the probe logs in again
        path = self.url[len(self.backoffice_url) + 1:]
        key = f"paths.{self.path_key}" if self.path_key else None
        if response is not None and response.status >= 400:
            return ElementCheck("page address", "missing", path, key,
                                f"HTTP {response.status} at {self.page.url}: has the page moved?")
        return ElementCheck("page address", "found", path, key)

    async def probe_elements(self) -> list[ElementCheck]:
        """The page's own elements (what its reads and writes require); none in the base."""
        return []

    async def present(self, locator: Locator, element: str, key: str | None = None, label: str | None = None,
                      detail: str = "") -> ElementCheck:
        """Whether the (fully loaded, server-rendered) page has the element now; `key` names its label."""
        label = label if label is not None else self.label_text(key)
        if await locator.count() > 0:
            return ElementCheck(element, "found", label, key)
        return ElementCheck(element, "missing", label, key, detail or f"url {self.page.url}")

    def label_check(self, element: str, key: str, found: bool, detail: str = "") -> ElementCheck:
        """A label that was compared with what the page shows (an option's text, a column header)."""
        return ElementCheck(element, "found" if found else "missing", self.label_text(key), key,
                            "" if found else detail)

    def unchecked(self, element: str, key: str | None, reason: str) -> ElementCheck:
        return ElementCheck(element, "not checked", self.label_text(key), key, reason)

    def label_text(self, key: str | None) -> str | None:
        """A label as the probe shows it; a group of labels (the newsletter's source names) as a list."""
        if key is None:
            return None
        value = self.labels.lookup(key)
        return ", ".join(sorted(map(str, value.values()))) if isinstance(value, dict) else str(value)

    async def save_button_check(self) -> ElementCheck:
        return await self.present(self.page.get_by_role("button", name=self.labels["common.save"], exact=True),
                                  "Save button", "common.save")
