"""`ecom-privacy login`: a person logs in to stores once, in a visible browser; later runs reuse the session.

Some logins cannot be automated: a bot challenge that only a person passes, a code from a phone, a
password kept out of the fleet's secrets. This command opens each store's backoffice in a visible
Chromium, one store after the other (a person is at the screen), fills in what the fleet file's secrets
give (flows.assisted_login), waits until the browser is in the store's backoffice and saves the browser
state into the session cache under the key a run uses, so the next headless run starts logged in.

Nothing is saved for a store that was not reached (timed out, window closed, Ctrl-C). No trace is
recorded and no run directory written; secrets and the new cookies are fed to the redactor before any line
is printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import signal
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from playwright.async_api import Browser, BrowserContext
from playwright.async_api import Error as PlaywrightError

from automation.access.coordinator import LoginCoordinator
from automation.access.secrets import parse_recovery_codes
from automation.access.session_cache import SessionCache, cookie_values, session_key
from automation.access.totp_check import totp_secret_problem
from automation.browser.driver import playwright_driver
from automation.browser.launch import BrowserChoice, find_browser, launch
from automation.browser.session_state import session_state
from automation.fleet.model import StoreConfig
from automation.redaction.redactor import Redactor
from ecom_privacy.clock import Clock
from ecom_privacy.errors import ConfigError, EcomPrivacyError
from ecom_privacy.labels import Labels
from ecom_privacy.models import LoginSecrets, LoginTally
from ecom_privacy.terminal_text import printable
from flows.assisted_login import AssistHooks, AssistResult, AssistStatus, KnownSecrets, assist_login

#: `login --timeout` (per store, a person's time; default 300 s in the CLI) above this is a typo, not patience
MAX_TIMEOUT_S = 3600.0
NO_DISPLAY = ("login shows a browser window for a person, but there is no display ($DISPLAY is not set): run it "
              "in a desktop session, or under a virtual display, e.g. 'xvfb-run -a ecom-privacy login --store ID' "
              "(Debian package xvfb), and watch or drive that display with a VNC viewer")


@dataclass
class StoreOutcome:
    store_id: str
    saved: bool
    line: str


def check_display(environ: Mapping[str, str] | None = None, platform: str | None = None) -> None:
    """A visible browser needs a display: on Linux (and other X11 systems) $DISPLAY; macOS and Windows
    always have one."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if platform.startswith(("darwin", "win")):
        return
    if not environ.get("DISPLAY"):
        raise ConfigError(NO_DISPLAY)


def check_timeout(value: float) -> None:
    if not math.isfinite(value) or value <= 0 or value > MAX_TIMEOUT_S:
        raise ConfigError(f"--timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT_S:g}, "
                          f"not {value:g}")


def check_visible_browser(choice: BrowserChoice) -> None:
    """A headless-only shell (Debian's chromium-headless-shell) starts without ever opening a window."""
    name = Path(choice.executable or "").name
    if "headless" in name:
        raise ConfigError(f"{choice.source}: {choice.executable} is a headless-only browser and cannot show a "
                          f"window; point --browser at a full Chromium or Chrome (e.g. /usr/bin/chromium)")


def _env_value(env: Mapping[str, str], name: str | None) -> str | None:
    return (env.get(name) or None) if name else None


@dataclass(frozen=True)
class StoreSecrets:
    """The secrets of a store that are set (None: the person types it)."""

    email: str
    password: str | None
    totp_secret: str | None
    recovery_codes: tuple[str, ...]

    def __repr__(self) -> str:  # keep secrets out of tracebacks and logs
        return f"StoreSecrets(email={self.email!r}, ...)"

    def as_login(self) -> LoginSecrets:
        """As a run resolves them (the coordinator's records of refusals are keyed by these)."""
        return LoginSecrets(self.email, self.password or "", self.totp_secret, self.recovery_codes)


def store_secrets(store: StoreConfig, env: Mapping[str, str], env_file: Path | None) -> StoreSecrets:
    """The store's secrets that are set: the email is required (the session cache's key holds it); a
    password or TOTP secret not set is typed by the person."""
    refs = store.credentials
    email = _env_value(env, refs.email_env)
    if email is None:
        where = f"the environment or {env_file}" if env_file else "the environment"
        raise ConfigError(f"store {store.id}: {refs.email_env} (the login email) is not set in {where}; the "
                          f"saved session is filed under it, so set it (the password may be left to the person)")
    totp = _env_value(env, refs.totp_secret_env)
    if totp is not None:
        problem = totp_secret_problem(totp)
        if problem:
            raise ConfigError(f"store {store.id}: {refs.totp_secret_env} is not a usable TOTP secret: {problem}; "
                              f"it is the base32 key shown when two-step verification was set up")
    codes = _env_value(env, refs.recovery_codes_env)
    return StoreSecrets(email, _env_value(env, refs.password_env), totp,
                         parse_recovery_codes(codes) if codes else ())


class HumanLogin:
    """Logs the selected stores in one after the other in one visible browser."""

    def __init__(self, stores: list[StoreConfig], env: Mapping[str, str], env_file: Path | None,
                 cache: SessionCache, timeout_s: float, labels_for: Callable[[str], Labels], redactor: Redactor,
                 out: TextIO, err: TextIO, clock: Clock, coordinator: LoginCoordinator | None = None) -> None:
        self.stores = stores
        self.clock = clock
        self.env = env
        self.env_file = env_file
        self.cache = cache
        #: the command's login coordinator: the account's identity session, its refusals (in this command and
        #: remembered in the session folder); a person's login ends the wait after a refusal
        self.coordinator = coordinator or LoginCoordinator(cache.directory, redactor, attempts=1, clock=clock)
        self.timeout_s = timeout_s
        self.labels_for = labels_for
        self.redactor = redactor
        self.out = out
        self.err = err

    def _print(self, stream: TextIO, line: str) -> None:
        stream.write(printable(self.redactor(line)) + "\n")
        stream.flush()

    async def run(self, browser_path: str | None) -> list[StoreOutcome]:
        outcomes: list[StoreOutcome] = []
        loop = asyncio.get_running_loop()
        current: list[asyncio.Task[StoreOutcome]] = []
        interrupted = False

        def on_signal() -> None:  # Ctrl-C or SIGTERM: stop the store in progress at once, start no other
            nonlocal interrupted
            interrupted = True
            for task in current:
                task.cancel()

        installed = []
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(signum, on_signal)
                installed.append(signum)
            except (NotImplementedError, RuntimeError, ValueError):
                continue  # not the main thread: Ctrl-C keeps its default meaning
        try:
            async with playwright_driver() as playwright:
                choice = find_browser(playwright, browser_path, headless=False)
                check_visible_browser(choice)
                browser = await launch(playwright, choice, headed=True)
                try:
                    for store in self.stores:
                        if interrupted:
                            outcomes.append(StoreOutcome(store.id, False, f"{store.id}: not started (interrupted)"))
                            self._print(self.out, outcomes[-1].line)
                            continue
                        task = asyncio.ensure_future(self._one_store(browser, store))
                        current[:] = [task]
                        try:
                            outcomes.append(await task)
                        except asyncio.CancelledError:
                            if not interrupted:
                                raise
                            outcomes.append(StoreOutcome(store.id, False,
                                                         f"{store.id}: interrupted; nothing saved"))
                        finally:
                            current.clear()
                        self._print(self.out, outcomes[-1].line)
                finally:
                    await browser.close()
        finally:
            for signum in installed:
                loop.remove_signal_handler(signum)
        return outcomes

    async def _new_context(self, browser: Browser, store: StoreConfig,
                           cached: dict[str, Any] | None, key: str) -> BrowserContext:
        """The store's window: with its cached state (a cleared challenge, an identity session) when the
        browser takes it; no blocked images or fonts here, a person looks at these pages."""
        try:
            return await browser.new_context(locale=store.locale, storage_state=cached,  # type: ignore[arg-type]
                                             no_viewport=True)
        except PlaywrightError as exc:
            if cached is None:
                raise
            self.cache.discard(key, f"refused by the browser: {self.redactor(str(exc).splitlines()[0])}")
            return await browser.new_context(locale=store.locale, no_viewport=True)

    async def _one_store(self, browser: Browser, store: StoreConfig) -> StoreOutcome:
        try:
            secrets = store_secrets(store, self.env, self.env_file)
        except ConfigError as exc:
            return StoreOutcome(store.id, False, f"{store.id}: not logged in: {exc}")
        for value in (secrets.password, secrets.totp_secret, *secrets.recovery_codes):
            self.redactor.add(value)
        key = session_key(store.id, store.backoffice_url, secrets.email)
        login = secrets.as_login()
        password, totp = secrets.password, secrets.totp_secret
        earlier = self.coordinator.refused_before(login, key) if password else None
        if earlier is not None:  # never submit credentials the chain refused, not even in a later command
            password = totp = None
            self._say(store, f"{earlier}; not filling them in: log in by hand in the window")
        known = KnownSecrets(email=secrets.email, password=password, totp_secret=totp)
        cached = self.cache.load(key)
        for value in cookie_values(cached or {}):
            self.redactor.add(value)
        try:
            context = await self._new_context(browser, store, cached, key)
        except PlaywrightError as exc:
            return _browser_failed(store, exc)
        tally = LoginTally()
        try:
            await self.coordinator.seed(context, secrets.email)
            page = await context.new_page()
            self._say(store, f"opening {store.backoffice_url} in the browser window; waiting up to "
                             f"{self.timeout_s:g} s for the backoffice")

            def refused(message: str) -> None:
                self.coordinator.record_refusal(store.id, login, message)

            hooks = AssistHooks(say=lambda message: self._say(store, message), refused=refused)
            try:
                result = await assist_login(page, store.backoffice_url, self.labels_for(store.locale), known,
                                            self.timeout_s, hooks, tally, clock=self.clock)
            finally:
                for value in tally.one_time_values:
                    self.redactor.add(value)
            return await self._outcome(store, context, key, result, secrets.email, tally,
                                       filled=password is not None)
        except EcomPrivacyError as exc:
            return StoreOutcome(store.id, False, f"{store.id}: not logged in: {exc}; nothing saved")
        except PlaywrightError as exc:
            return _browser_failed(store, exc)
        finally:
            with contextlib.suppress(PlaywrightError):  # the window was closed, or the browser went away
                await context.close()

    async def _outcome(self, store: StoreConfig, context: BrowserContext, key: str, result: AssistResult,
                       email: str, tally: LoginTally, filled: bool) -> StoreOutcome:
        if result.status == AssistStatus.LOGGED_IN:
            state = await session_state(context)
            for value in cookie_values(state):
                self.redactor.add(value)
            self.cache.save(key, state)
            # A person passed the account's login: the wait after a refusal ends (credentials refused before
            # stay barred until they change).
            self.coordinator.person_logged_in(email, key, credentials_worked=filled and result.refused is None)
            await self.coordinator.keep(context, email, tally.identity_url, store.backoffice_url)
            return StoreOutcome(store.id, True, f"{store.id}: logged in, session saved ({self.cache.path_for(key)})")
        if result.status == AssistStatus.WINDOW_CLOSED:
            return StoreOutcome(store.id, False, f"{store.id}: the browser window was closed before the backoffice "
                                                 f"was reached; nothing saved")
        waiting_for = {
            "challenge": "the bot challenge did not clear (pass \"Verify you are human\" in the window)",
            "password": "the login form was not submitted" + (f" ({result.refused})" if result.refused else ""),
            "code": "the one-time code step was not passed" + (f" ({result.refused})" if result.refused else ""),
        }.get(result.showing, f"the backoffice was not reached (at {result.where})")
        return StoreOutcome(store.id, False, f"{store.id}: timed out after {self.timeout_s:g} s: {waiting_for}; "
                                             f"nothing saved (more time: --timeout SECONDS)")

    def _say(self, store: StoreConfig, message: str) -> None:
        self._print(self.err, f"{store.id}: {message}")


def _browser_failed(store: StoreConfig, exc: PlaywrightError) -> StoreOutcome:
    """The browser went away under a store (the person closed it, it crashed): that store fails, one line."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return StoreOutcome(store.id, False, f"{store.id}: not logged in: the browser failed ({first}); nothing saved")


def login_exit_code(outcomes: list[StoreOutcome]) -> int:
    return 0 if outcomes and all(outcome.saved for outcome in outcomes) else 1
