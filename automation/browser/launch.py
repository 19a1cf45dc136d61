"""Find a Chromium and launch it once per run; every store gets a cheap context of its own."""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from playwright.async_api import Browser, BrowserContext, Playwright, Route
from playwright.async_api import Error as PlaywrightError

from ecom_privacy.errors import ConfigError

BROWSER_ENV = "ECOM_PRIVACY_BROWSER"
SYSTEM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "chromium", "chromium-browser",
                     "google-chrome", "google-chrome-stable")
#: the old headless shell (Debian: chromium-headless-shell), what Playwright itself runs for headless work:
#: no browser UI per context, so about half the memory per store and much faster contexts than the full
#: Chromium in its new headless mode. Preferred when headless; the full browser remains the fallback.
HEADLESS_SHELL_CANDIDATES = ("/usr/bin/chromium-headless-shell", "chromium-headless-shell")
#: how a headless-only build is named: Debian's chromium-headless-shell, Playwright's chrome-headless-shell and
#: its older headless_shell
HEADLESS_SHELL_MARKERS = ("headless-shell", "headless_shell")
# Quiet flags for servers and containers: no background traffic to Google, no GPU (its work done in the browser
# process, not a process of its own). Site isolation off: every store has a browser context of its own, which never
# shares a renderer process with another, so isolating sites only gives each store's backoffice, identity service
# and storefront a process each (about 100 MiB apiece) among pages the tool alone opens.
LAUNCH_ARGS = ["--disable-gpu", "--in-process-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--disable-site-isolation-trials",
               "--disable-features=IsolateOrigins,site-per-process,OriginKeyedProcessesByDefault,"
               "SpareRendererForSitePerProcess"]
#: resource types a backoffice page does not need to be read or changed
BLOCKED_RESOURCES = frozenset({"image", "font", "media"})
INSTALL_HINT = (
    "No Chromium found. Install one: 'python -m playwright install chromium' where downloads work, or "
    "'apt-get install chromium' on Debian/Ubuntu; or point ECOM_PRIVACY_BROWSER (or --browser) at a "
    "Chromium or Chrome binary."
)


@dataclass(frozen=True)
class BrowserChoice:
    """The binary to launch; None as executable means: Playwright's own Chromium, its choice of build."""

    executable: str | None
    source: str


def _resolve(candidate: str) -> str | None:
    if os.sep in candidate:
        return candidate if Path(candidate).is_file() and os.access(candidate, os.X_OK) else None
    return shutil.which(candidate)


def is_headless_shell(path: str) -> bool:
    """Chromium's headless-only build (Debian's chromium-headless-shell, Playwright's chrome-headless-shell,
    its older headless_shell), told by its name or the name it links to: it can never show a window."""
    names = (Path(path).name, Path(path).resolve().name)
    return any(marker in name for name in names for marker in HEADLESS_SHELL_MARKERS)


def explicit_browser(override: str | None, headless: bool = True) -> BrowserChoice | None:
    """--browser, else $ECOM_PRIVACY_BROWSER, when given; None when neither is. No Playwright needed, so the
    CLI checks it before a run starts."""
    for source, value in (("--browser", override), (BROWSER_ENV, os.environ.get(BROWSER_ENV))):
        if value:
            path = _resolve(value)
            if not path:
                raise ConfigError(f"{source} points at {value!r}, which is not an executable browser. {INSTALL_HINT}")
            if not headless and is_headless_shell(path):
                # Launched headed it would run headless all the same: no window, and no word why.
                raise ConfigError(f"{source} points at {value!r}, Chromium's headless shell, which cannot show a "
                                  f"window; for --headed point --browser (or {BROWSER_ENV}) at a full Chromium "
                                  f"or Chrome (e.g. /usr/bin/chromium)")
            return BrowserChoice(path, source)
    return None


def playwright_chromium(playwright: Playwright, headless: bool) -> str | None:
    """Playwright's own build for this mode, when installed: headless, its headless shell (what Playwright
    itself launches headless; `playwright install --only-shell` installs only that), else its full Chromium;
    headed, only the full Chromium."""
    full = Path(playwright.chromium.executable_path)
    candidates = [full]
    if headless:
        # <browsers>/chromium-<rev>/chrome-linux64/chrome has <browsers>/chromium_headless_shell-<rev>/ beside it
        revision = full.parents[1].name.removeprefix("chromium-")
        shell_dir = full.parents[2] / f"chromium_headless_shell-{revision}"
        shells = [*shell_dir.glob("*/chrome-headless-shell"), *shell_dir.glob("*/headless_shell")]
        candidates = [*sorted(shells), full]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def find_browser(playwright: Playwright, override: str | None = None, headless: bool = True) -> BrowserChoice:
    """--browser, then $ECOM_PRIVACY_BROWSER, then Playwright's Chromium, then a system Chromium or Chrome
    (its headless shell first, when headless). A headed run never gets a headless shell: it shows no window."""
    explicit = explicit_browser(override, headless)
    if explicit:
        return explicit
    bundled = playwright_chromium(playwright, headless)
    if bundled:
        return BrowserChoice(bundled, "playwright")
    for candidate in (*(HEADLESS_SHELL_CANDIDATES if headless else ()), *SYSTEM_CANDIDATES):
        path = _resolve(candidate)
        if path and (headless or not is_headless_shell(path)):
            return BrowserChoice(path, "system")
    raise ConfigError(INSTALL_HINT if headless else f"No full Chromium found for --headed (a headless shell "
                                                    f"cannot show a window). {INSTALL_HINT}")


def launch_args() -> list[str]:
    args = list(LAUNCH_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to sandbox as root (containers, CI)
    return args


async def launch(playwright: Playwright, choice: BrowserChoice, headed: bool = False) -> Browser:
    # The run handles Ctrl-C and SIGTERM itself (automation.run.interrupt): the browser must outlive the signal
    # long enough for the steps in flight to finish and the report to be written.
    try:
        return await playwright.chromium.launch(
            executable_path=choice.executable, headless=not headed, args=launch_args(),
            handle_sigint=False, handle_sigterm=False, handle_sighup=False,
        )
    except PlaywrightError as exc:  # e.g. --browser /bin/true: not a browser; no store has been touched yet
        what = choice.executable or "Playwright's Chromium"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"{choice.source}: {what} could not be started as Chromium/Chrome ({first}); point "
                          f"--browser or {BROWSER_ENV} at a Chromium or Chrome binary") from exc


#: what a backoffice page that is only landed on (the end of the login chain) loads and does not need
LANDING_RESOURCES = frozenset({"script", "stylesheet"})
#: a bot check's own scripts, wherever it shows itself (Cloudflare serves them from the shop's host)
CHALLENGE_PATH = "/cdn-cgi/"


@dataclass
class RequestPolicy:
    """What one store's context lets its pages fetch: never images, fonts or media.

    `landing`: while the login chain runs, the backoffice's own pages it lands on (outside `<admin>/auth/`)
    load no scripts or styles: the chain only looks at where it arrived, and on the real backoffice those
    are megabytes of script run for nothing. `first_party_only`: a command that only reads (a plan) fetches
    nothing for its pages from any host but the backoffice's and the storefront's, except while the login
    chain runs (the identity service is another host); navigations are never refused. `blocked` keeps what
    was refused, for tests and traces.
    """

    backoffice_url: str = ""
    storefront_url: str = ""
    first_party_only: bool = False
    landing: bool = False
    blocked: list[tuple[str, str]] = field(default_factory=list)

    def _hosts(self) -> set[str]:
        return {urlparse(url).netloc for url in (self.backoffice_url, self.storefront_url) if url}

    def _in_backoffice_proper(self, url: str) -> bool:
        admin = urlparse(self.backoffice_url)
        parts = urlparse(url)
        base = admin.path.rstrip("/")
        return (parts.netloc == admin.netloc and (parts.path == base or parts.path.startswith(base + "/"))
                and not parts.path.startswith(base + "/auth/"))

    def refuses(self, url: str, resource_type: str, document_url: str, navigation: bool = False) -> bool:
        """Whether a request is not made. A navigation always is (the identity service may hand a page on)."""
        if resource_type in BLOCKED_RESOURCES:
            return True
        if navigation or url.startswith(("data:", "blob:")) or not self.backoffice_url:
            return False
        if self.landing:
            return (resource_type in LANDING_RESOURCES and CHALLENGE_PATH not in url
                    and self._in_backoffice_proper(document_url))
        return self.first_party_only and urlparse(url).netloc not in self._hosts()

    async def handle(self, route: Route) -> None:
        request = route.request
        # Which document asks: the Referer the browser sent (the frame's address may still be the one before,
        # its "navigated" event can come after the new document's first requests); without one, the frame's.
        document = request.headers.get("referer") or ""
        if not document:
            with contextlib.suppress(PlaywrightError):  # a request of no frame (a service worker's)
                document = request.frame.url
        navigation = request.is_navigation_request()
        if self.refuses(request.url, request.resource_type, document, navigation):
            self.blocked.append((request.resource_type, request.url))
            await route.abort("aborted")  # ERR_ABORTED: cancelled on purpose, no fault of the server
        else:
            await route.continue_()


def store_context_options(locale: str, storage_state: str | Path | None = None) -> dict[str, Any]:
    """What `browser.new_context` gets for one store's backoffice (also the browser tests' contexts)."""
    return {"locale": locale, "storage_state": storage_state, "service_workers": "block",
            "viewport": {"width": 1280, "height": 900}}


async def route_pages(context: BrowserContext, policy: RequestPolicy | None = None) -> None:
    """What the context's pages may fetch (`RequestPolicy`; by default: no images, fonts or media). Only pages
    are routed: the context's request API (JSON twins) is not, so a context that never opens a page can skip
    this round trip to the browser (`new_store_context(..., pages_routed=False)`)."""
    await context.route("**/*", (policy or RequestPolicy()).handle)


async def prepare_store_context(context: BrowserContext, timeout_ms: int,
                                policy: RequestPolicy | None = None, pages_routed: bool = True) -> BrowserContext:
    """The store's timeouts, and (unless `pages_routed` is False: then `route_pages` before the first page)
    what its pages may fetch."""
    context.set_default_timeout(timeout_ms)
    context.set_default_navigation_timeout(timeout_ms)
    if pages_routed:
        await route_pages(context, policy)
    return context


async def new_store_context(browser: Browser, locale: str, timeout_ms: int,
                            storage_state: str | Path | None = None,
                            policy: RequestPolicy | None = None, pages_routed: bool = True) -> BrowserContext:
    """A fresh, isolated context for one store: its own cookies, no images, fonts or media (with
    `pages_routed=False`, the caller routes its pages itself, with `route_pages`, before opening one)."""
    context = await browser.new_context(**store_context_options(locale, storage_state))
    return await prepare_store_context(context, timeout_ms, policy, pages_routed)


async def new_storefront_context(browser: Browser, locale: str, storefront_url: str, timeout_ms: int,
                                 extra_headers: dict[str, str] | None = None,
                                 blocked: list[str] | None = None) -> BrowserContext:
    """A fresh visitor: no cookies, and no request leaves the shop's own host (recorded in `blocked`)."""
    host = urlparse(storefront_url).netloc
    context = await browser.new_context(locale=locale, extra_http_headers=extra_headers,
                                        viewport={"width": 1280, "height": 900})
    context.set_default_timeout(timeout_ms)

    async def only_the_shop(route: Route) -> None:
        if urlparse(route.request.url).netloc == host or route.request.url.startswith(("data:", "blob:")):
            await route.continue_()
        else:
            if blocked is not None:
                blocked.append(route.request.url)
            await route.abort()

    await context.route("**/*", only_the_shop)
    return context


def main(argv: list[str] | None = None) -> int:
    """`python -m automation.browser.launch [--headed]`: print the browser a run would use; exit 1 if none."""
    import argparse

    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(prog="python -m automation.browser.launch",
                                     description="Print the Chromium a run would launch.")
    parser.add_argument("--browser", metavar="PATH", help="as the run's --browser")
    parser.add_argument("--headed", action="store_true", help="the browser of a --headed run (never a headless shell)")
    args = parser.parse_args(argv)
    with sync_playwright() as playwright:
        try:
            # only .chromium.executable_path is used, the same in the sync API
            choice = find_browser(playwright, args.browser, headless=not args.headed)  # type: ignore[arg-type]
        except ConfigError as exc:
            print(exc)
            return 1
    print(f"browser: {choice.executable or 'Playwright Chromium'} ({choice.source})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
