"""What every backoffice page object shares: navigation that notices errors and lost sessions, following a
link or a form to the page it leads to, and finding things the way a person does.

The backoffice is written two ways (docs/architecture.md): class-based Rails markup whose links and forms
Turbolinks follows by swapping the page's body (no new document, no load event), and markup with ARIA roles
and full page loads. So a page object looks for visible texts (from the label table) and native form
semantics (a `<label>` and its control, a button's or a link's text), with a role as only one of the ways,
and waits for the result of a click (the next document or the next body), never for a load event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page, Request, Response
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
#: set on the page's body before a click that leads on: the click's result is the first body without it
#: (Turbolinks swaps the body, a form post loads a new document; either way the mark is gone)
STALE_MARK = "data-ecom-privacy-left"
#: the requests that show where a click led: documents, and the fetches Turbolinks makes for them
_NAVIGATING = frozenset({"document", "fetch", "xhr"})
#: where a page may say that a save was refused, besides an ARIA alert: a guess at the classic markup's flash
#: boxes (class names are not documented); only used to quote the refusal in the error message
ERROR_SELECTOR = "[role='alert'], .Flash--error, .alert-danger, .flash-error, .error-message"


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
    #: its JSON twin's key in the page paths table (`web_extras_json`), for the probe bundle; None: no twin
    twin_key: ClassVar[str | None] = None
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

    async def follow(self, action: Callable[[], Awaitable[Any]], what: str) -> None:
        """Do `action` (a click on a link or a form's submit button, a confirmed dialog) and wait for the page it
        leads to: a new document (a form post and its redirect) or a new body (Turbolinks swaps it in place).
        Then the landing is checked as a page load's is: the login chain anywhere on the way means that the
        session had expired and that what was posted is lost."""
        # The form's script may be what fills it in (the page editor's): without it, nothing is posted.
        self.assets.raise_if_failed(self.page_name)
        await self.page.evaluate("mark => document.body.setAttribute(mark, '')", STALE_MARK)
        visited: list[str] = []
        answers: list[Response] = []

        def note(request: Request) -> None:
            if request.resource_type in _NAVIGATING and request.frame == self.page.main_frame:
                visited.append(request.url)

        def answered(response: Response) -> None:
            if response.request.resource_type in _NAVIGATING and response.frame == self.page.main_frame:
                answers.append(response)

        self.page.on("request", note)
        self.page.on("response", answered)
        try:
            await action()
            await self.page.locator(f"body:not([{STALE_MARK}])").wait_for(state="attached")
        except PlaywrightTimeoutError as exc:
            raise TransientError(f"{self.page_name}: no answer to {what}: the page stayed as it was") from exc
        finally:
            self.page.remove_listener("request", note)
            self.page.remove_listener("response", answered)
        # A new document is read once it is parsed; a swapped body is complete already (this returns at once).
        await self.page.wait_for_load_state("domcontentloaded")
        if self.page.url.startswith("chrome-error:"):
            raise TransientError(f"{self.page_name}: connection problem: the answer to {what} never arrived "
                                 f"(net::ERR_FAILED)")
        # The last answer is the page shown (Turbolinks shows an error page as it shows any other): a 5xx is a
        # fault of the server, retried; a bot challenge is said as such.
        check_response(answers[-1] if answers else None, self.page_name)
        self.check_landing(None)
        chain = next((url for url in visited if is_login_url(url, self.backoffice_url)), None)
        if chain is not None:
            raise SessionExpiredError(f"{self.page_name}: the session had expired: {what} went through the login "
                                      f"chain ({without_query(chain)}), so what was sent is lost")

    async def submit(self, control: Locator, what: str = "the click") -> None:
        """Click a form's submit button (or a link) and wait for the page the server answers with."""
        await self.follow(control.click, what)

    async def save_settings(self) -> None:
        """Click the page's Save button and insist on the "saved" confirmation (by its text: the classic markup
        gives it no role); anything else is a refusal (SettingError, quoting the page's error when it has one)."""
        await self.submit(await self.require(self.button(self.labels["common.save"]), "Save button"), "Save")
        await self.require_saved(self.labels["common.saved"])

    async def require_saved(self, confirmation: str) -> None:
        """The saved confirmation must be on the page now; else say why not (the page's error, or a mismatch)."""
        if await self.page.get_by_text(confirmation, exact=True).count():
            return
        errors = self.page.locator(ERROR_SELECTOR)
        if await errors.count():
            raise SettingError(f"{self.page_name}: the backoffice refused the change: "
                               f"{(await errors.first.inner_text()).strip()}")
        raise self.mismatch("saved confirmation", f"{confirmation!r} is not on the page after saving "
                                                  f"(url {without_query(self.page.url)})")

    # --- finding things the way a person does ---------------------------------------------------------------
    def button(self, name: str) -> Locator:
        """A button by its text: a <button>, an <input type=submit> (its value) or a role=button."""
        return self.page.get_by_role("button", name=name, exact=True)

    def control(self, name: str, scope: Locator | Page | None = None) -> Locator:
        """Something to click by its text, whatever the markup makes of it: a button, a link or a menu item."""
        where = scope if scope is not None else self.page
        return (where.get_by_role("button", name=name, exact=True)
                .or_(where.get_by_role("link", name=name, exact=True))
                .or_(where.get_by_role("menuitem", name=name, exact=True)))

    def section(self, heading: str) -> Locator:
        """The part of the page under a heading: the nearest element around the heading that holds form controls
        (a <section> in one markup, a `div.Box` in the other)."""
        found = self.page.get_by_role("heading", name=heading, exact=True)
        return found.locator("xpath=ancestor::*[.//select or .//textarea or .//input[not(@type='hidden')]][1]")

    async def require(self, locator: Locator, element: str) -> Locator:
        """The element must be on the (server-rendered, fully loaded) page now; no waiting for a timeout."""
        if await locator.count() == 0:
            raise UiMismatchError(self.page_name, element, self.labels.locale, f"url {without_query(self.page.url)}")
        return locator.first

    def mismatch(self, element: str, detail: str = "") -> UiMismatchError:
        return UiMismatchError(self.page_name, element, self.labels.locale, detail)

    # --- probe (ecom-privacy probe): the elements this page needs, looked for without changing anything ---
    def probe_target(self) -> ProbeTarget:
        return ProbeTarget(self.path_key or self.page_name, self.page_name, self.probe_visit,
                           self.probe_data if self.twin_key else None)

    def twin_query(self) -> dict[str, str | int]:
        """The query the probe sends with the twin's address (a list's first page); none by default."""
        return {}

    def twin_placeholders(self) -> dict[str, Any]:
        """What fills the twin's address (`{id}` of one page); none by default."""
        return {}

    async def probe_data(self) -> dict[str, Any]:
        """The page's JSON twin as the store answers it (a GET), so that the first real store shows the true field
        names; what cannot be fetched says why."""
        from flows.pages.json_twin import JsonTwin, TwinUnusable  # the twin module builds on this one

        twin = JsonTwin(self.page, self.backoffice_url, self.labels, self.twin_key or "", self.twin_key or "")
        placeholders = self.twin_placeholders()
        path = twin.url(**placeholders)[len(self.backoffice_url) + 1:]
        try:
            return {path: await twin.fetch(self.twin_query(), **placeholders)}
        except TwinUnusable as exc:
            return {path: {"unavailable": exc.reason}}

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
        return await self.present(self.button(self.labels["common.save"]), "Save button", "common.save")
