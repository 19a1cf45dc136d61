"""Log in to a store with a person at the screen: `ecom-privacy login` (a visible browser).

The person passes what only a person can (a bot challenge, a code from their phone, a password the fleet
file does not hold); the tool fills in what it knows, when the login chain shows the form for it, and
waits until the browser is back in the store's backoffice (the same origin+path test as a run's login).
Nothing here sleeps: it wakes on each new document of the page (or a form appearing on it) and gives up at
the deadline.

A password or code the tool submitted and the chain refused (the same form shown again, or a page that
says no) is never submitted again: the tool stops filling for that store and leaves it to the person.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pyotp
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Page, Request

from ecom_privacy.clock import Clock
from ecom_privacy.errors import TransientError
from ecom_privacy.models import LoginTally
from flows.labels import Labels
from flows.login import one_time_values
from flows.pages.base import without_query
from flows.pages.login_page import LoginChainPage

#: times one login enters the chain again for a fresh form after a form that expired (as flows.login does)
MAX_REENTRIES = 2
#: navigation failures that mean "not reachable" (an aborted navigation is a person clicking on, not a fault)
_ABORTED = "net::ERR_ABORTED"


@dataclass(frozen=True)
class KnownSecrets:
    """What the tool may type for the person; None leaves that field to them."""

    email: str | None
    password: str | None = None
    totp_secret: str | None = None

    def __repr__(self) -> str:  # keep secrets out of tracebacks and logs
        return (f"KnownSecrets(email={self.email!r}, password={'***' if self.password else None}, "
                f"totp_secret={'***' if self.totp_secret else None})")


class AssistStatus(enum.Enum):
    LOGGED_IN = "logged_in"
    TIMED_OUT = "timed_out"
    WINDOW_CLOSED = "window_closed"


@dataclass
class AssistResult:
    status: AssistStatus
    #: where the browser was at the end, without query (the chain's addresses carry one-time values)
    where: str = ""
    #: what the page showed last: "challenge", "password", "code", "alert" or "other"
    showing: str = "other"
    #: the refusal of what the tool submitted, if one happened (the person may still have logged in by hand)
    refused: str | None = None


@dataclass
class AssistHooks:
    """How the flow talks to the person and the caller while it waits."""

    #: a line for the person at the screen (what to do in the window)
    say: Callable[[str], None]
    #: called at once when the chain refuses what the tool submitted (record it before anything else happens)
    refused: Callable[[str], None] = field(default=lambda message: None)


class _PageWatch:
    """Counts the page's documents (a wake-up for the wait), notes one-time values in the chain's addresses
    (for the redactor) and a navigation that could not reach its origin, and whether the window closed."""

    def __init__(self, page: Page, backoffice_url: str, tally: LoginTally) -> None:
        self.page = page
        self.backoffice_url = backoffice_url
        self.tally = tally
        self.documents = 0
        #: documents the main frame committed: the page the tool submitted a form on is gone once this moves
        self.navigations = 0
        self.changed = asyncio.Event()
        self.closed = False
        self.unreachable: tuple[str, str] | None = None  # (origin, reason)
        page.on("framenavigated", self._on_navigated)
        page.on("domcontentloaded", self._on_document)
        page.on("load", self._on_document)
        page.on("close", self._on_close)
        page.on("request", self._on_request)
        page.on("requestfailed", self._on_failed)

    def _wake(self) -> None:
        self.documents += 1
        self.changed.set()

    def _on_navigated(self, frame: Frame) -> None:
        if frame == self.page.main_frame:
            self.navigations += 1
            self._wake()

    def _on_document(self, _: object) -> None:
        self._wake()

    def _on_close(self, _: object) -> None:
        self.closed = True
        self._wake()

    def _on_request(self, request: Request) -> None:
        if request.is_navigation_request():
            self.tally.one_time_values.extend(one_time_values(request.url, self.backoffice_url))

    def _on_failed(self, request: Request) -> None:
        if not request.is_navigation_request() or request.frame != self.page.main_frame:
            return
        reason = request.failure or "failed"
        if reason != _ABORTED:
            parts = urlsplit(request.url)
            self.unreachable = (f"{parts.scheme}://{parts.netloc}", reason)
            self._wake()

    def raise_if_unreachable(self) -> None:
        if self.unreachable is None:
            return
        origin, reason = self.unreachable
        store = urlsplit(self.backoffice_url)
        if origin == f"{store.scheme}://{store.netloc}":
            what, check = "the backoffice", "that it is up and the fleet file's backoffice_url"
        else:
            what, check = "the identity service", "that it is up (and this machine's network)"
        raise TransientError(f"the login chain could not reach {origin} ({what}): {reason}; check {check}, "
                             f"then run login again")

    async def wait_past(self, seen: int, deadline: float, form: LoginChainPage | None) -> bool:
        """Wait until a document after `seen` (or, with `form`, a form field of the chain appearing on this
        one: a page that renders its form by script); False when the loop's clock reaches `deadline` first."""
        loop = asyncio.get_running_loop()
        while self.documents == seen:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            self.changed.clear()
            waiters: dict[asyncio.Future[object], str] = {asyncio.ensure_future(self.changed.wait()): "document"}
            if form is not None:
                waiters[asyncio.ensure_future(form.any_form_field.first.wait_for(
                    state="visible", timeout=remaining * 1000))] = "form"
            try:
                done, _ = await asyncio.wait(waiters, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiter in waiters:
                    waiter.cancel()
                await asyncio.gather(*waiters, return_exceptions=True)
            for waiter in done:
                if waiters[waiter] == "form":
                    if waiter.exception() is None:
                        return True
                    form = None  # the page went away under the wait: wait for documents only
        return True

    def stop(self) -> None:
        for event, handler in (("framenavigated", self._on_navigated), ("domcontentloaded", self._on_document),
                               ("load", self._on_document), ("close", self._on_close),
                               ("request", self._on_request), ("requestfailed", self._on_failed)):
            self.page.remove_listener(event, handler)


async def _showing(chain: LoginChainPage) -> str:
    """What the current page of the chain is, by title and form fields."""
    if await chain.shows_challenge():
        return "challenge"
    if await chain.shows_password_form():
        return "password"
    if await chain.shows_code_form():
        return "code"
    if await chain.alert_text():
        return "alert"
    return "other"


def _refusal_message(alert: str, submitted: str, labels: Labels) -> str:
    said = f": {alert}" if alert else " (no message shown)"
    if labels["identity.locked"] in alert:
        return f"the account is locked{said}"
    if submitted == "code" or labels["identity.bad_code"] in alert:
        return f"the one-time code was refused{said}"
    return f"the email or password was refused{said}"


class _Assistant:
    """One store's login with a person at the screen: what has been filled and submitted so far."""

    def __init__(self, page: Page, backoffice_url: str, labels: Labels, known: KnownSecrets, tally: LoginTally,
                 hooks: AssistHooks, navigations: Callable[[], int], clock: Clock) -> None:
        self.chain = LoginChainPage(page, backoffice_url, labels)
        self.known = known
        self.clock = clock  # the TOTP code is the one of the run's now
        self.tally = tally
        self.hooks = hooks
        self.filling = bool(known.email or known.password or known.totp_secret)
        #: "password" or "code": what the tool submitted last; the next page answers it
        self.submitted: str | None = None
        self.navigations = navigations
        #: the main frame's navigation count when the tool submitted: only a later document can answer it
        self.submitted_at = -1
        self.refused: str | None = None
        self.told: set[str] = set()
        self.reentries = 0

    def _say_once(self, key: str, message: str) -> None:
        if key not in self.told:
            self.told.add(key)
            self.hooks.say(message)

    async def _refuse(self) -> None:
        """The chain said no to what the tool submitted: never again for this store; over to the person."""
        assert self.submitted is not None
        message = _refusal_message(await self.chain.alert_text(), self.submitted, self.chain.labels)
        self.refused, self.filling, self.submitted = message, False, None
        self.hooks.refused(message)
        self.hooks.say(f"{message}; the tool will not submit it again: continue by hand in the window "
                       f"(or press Ctrl-C)")

    def _submitting(self, form: str) -> None:
        self.submitted, self.submitted_at = form, self.navigations()

    async def act(self, showing: str) -> None:
        """Answer the page on screen with what the tool knows (each form at most once per document)."""
        chain = self.chain
        if self.submitted is not None and self.navigations() == self.submitted_at:
            return  # still the page the tool just submitted on (its answer is on the way): never a refusal
        if self.submitted is not None and showing in ("password", "code", "alert") and self.reentries < MAX_REENTRIES \
                and chain.labels["identity.form_expired"] in await chain.alert_text():
            # The form's token ran out: nothing was checked, so no refusal; a fresh form comes with a new entry.
            self.reentries += 1
            self.submitted = None
            self.hooks.say("the login form had expired (not a refusal); opening it again")
            await chain.page.goto(chain.backoffice_url + "/", wait_until="commit")
            return
        if showing == "challenge":
            self._say_once("challenge", "bot challenge shown: pass it in the browser window "
                                        "(\"Verify you are human\"); the tool waits")
            return
        if showing == "password":
            if self.submitted is not None:  # the password form again after a submission: refused
                await self._refuse()
            elif self.filling and self.known.email and self.known.password:
                await chain.username.first.fill(self.known.email)
                await chain.password.first.fill(self.known.password)
                self.tally.identity_url = without_query(chain.page.url)
                self.tally.counts.password += 1  # before the click: a submission that times out still counts
                self._submitting("password")
                await chain.sign_in_button.first.click()
            elif self.filling and self.known.email:
                if not await chain.username.first.input_value():
                    await chain.username.first.fill(self.known.email)
                self._say_once("password", "no password configured for this store: type it in the window")
            else:
                self._say_once("password", "log in in the browser window")
            return
        if showing == "code":
            if self.submitted == "code":
                await self._refuse()
            elif self.filling and self.known.totp_secret:
                await chain.code.first.fill(pyotp.TOTP(self.known.totp_secret).at(self.clock.now()))
                self.tally.identity_url = self.tally.identity_url or without_query(chain.page.url)
                self.tally.counts.code += 1
                self._submitting("code")
                await chain.verify_button.first.click()
            else:
                self.submitted = None
                self._say_once("code", "type the one-time code (or a recovery code) in the window")
            return
        if showing == "alert" and self.submitted is not None:
            await self._refuse()  # a page of its own that says no: still a refusal


async def assist_login(page: Page, backoffice_url: str, labels: Labels, known: KnownSecrets, timeout_s: float,
                       hooks: AssistHooks, tally: LoginTally | None = None, *, clock: Clock) -> AssistResult:
    """Open the backoffice in `page` and help the person through the login chain until the page is in the
    backoffice, the window is closed, or `timeout_s` passes. Raises TransientError when an origin of the
    chain cannot be reached (the identity service down, a wrong address)."""
    tally = tally if tally is not None else LoginTally()
    tally.counts.chains += 1
    watch = _PageWatch(page, backoffice_url.rstrip("/"), tally)
    # The person's time (timeout_s) is measured on the event loop's clock, as the waits for the page are.
    assistant = _Assistant(page, backoffice_url, labels, known, tally, hooks, lambda: watch.navigations, clock)
    chain = assistant.chain
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    showing = "other"
    try:
        # An unreachable origin is read from the watch below; a slow page is waited for like any other.
        with contextlib.suppress(PlaywrightError):
            await page.goto(chain.backoffice_url + "/", wait_until="commit", timeout=timeout_s * 1000)
        while True:
            watch.raise_if_unreachable()
            if watch.closed:
                return AssistResult(AssistStatus.WINDOW_CLOSED, showing=showing, refused=assistant.refused)
            if chain.in_backoffice():
                return AssistResult(AssistStatus.LOGGED_IN, where=without_query(page.url),
                                    refused=assistant.refused)
            seen = watch.documents
            form: LoginChainPage | None = None
            try:
                previous, showing = showing, await _showing(chain)
                if showing == "challenge" and previous != "challenge":
                    tally.counts.bot_challenges += 1
                await assistant.act(showing)
                # A form may still appear by script on this page: wake for it where one is to be filled.
                if assistant.filling and showing in ("other", "challenge") and not await chain.any_form_field.count():
                    form = chain
            except PlaywrightError:
                showing = "other"  # the page moved on (or closed) while being read: look again at the next one
            if not await watch.wait_past(seen, deadline, form):
                if chain.in_backoffice():
                    continue
                return AssistResult(AssistStatus.TIMED_OUT, where=without_query(page.url), showing=showing,
                                    refused=assistant.refused)
    finally:
        watch.stop()
