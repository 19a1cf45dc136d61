"""What every backoffice page object shares: navigation that notices errors and lost sessions."""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlparse

from playwright.async_api import Locator, Page, Response

from automation.errors import SessionExpiredError, TransientError, UiMismatchError
from flows.labels import Labels

#: path suffixes of the login pages; landing on one in the middle of work means the session is gone
LOGIN_PATHS = ("/admin/login", "/admin/login/verify")


def is_login_url(url: str) -> bool:
    path = urlparse(url).path.rstrip("/")
    return path.endswith(LOGIN_PATHS)


def check_response(response: Response | None, what: str) -> None:
    """Turn an HTTP error page into a typed error: 5xx is transient, other errors are not ours to retry."""
    if response is None:
        return
    if response.status >= 500:
        raise TransientError(f"{what}: the backoffice answered HTTP {response.status}")


class BackofficePage:
    """Base of the page objects. `path` is relative to the store's backoffice URL (…/admin)."""

    path: ClassVar[str] = ""
    #: name used in errors, so a changed UI is diagnosed in one run
    page_name: ClassVar[str] = "backoffice page"

    def __init__(self, page: Page, backoffice_url: str, labels: Labels) -> None:
        self.page = page
        self.backoffice_url = backoffice_url.rstrip("/")
        self.labels = labels

    @property
    def url(self) -> str:
        return f"{self.backoffice_url}/{self.path.lstrip('/')}" if self.path else self.backoffice_url + "/"

    async def open(self) -> None:
        response = await self.page.goto(self.url, wait_until="domcontentloaded")
        self.check_landing(response)

    def check_landing(self, response: Response | None) -> None:
        check_response(response, self.page_name)
        if is_login_url(self.page.url):
            raise SessionExpiredError(f"{self.page_name}: the backoffice sent us to the login page")

    async def submit(self, button: Locator) -> None:
        """Click a submit button and wait for the page the server answers with (forms post and redirect)."""
        async with self.page.expect_navigation(wait_until="domcontentloaded") as navigation:
            await button.click()
        self.check_landing(await navigation.value)

    async def require(self, locator: Locator, element: str) -> Locator:
        """The element must be on the (server-rendered, fully loaded) page now; no waiting for a timeout."""
        if await locator.count() == 0:
            raise UiMismatchError(self.page_name, element, self.labels.locale, f"url {self.page.url}")
        return locator.first

    def mismatch(self, element: str, detail: str = "") -> UiMismatchError:
        return UiMismatchError(self.page_name, element, self.labels.locale, detail)
