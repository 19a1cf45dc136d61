"""The backoffice session without a browser: login, cached sessions, re-login, refused logins, trace pauses.

The session cache, the refused-login memory and the redactor are the real ones on real files; the browser
context, its trace and the login flow are fakes that record what they were asked to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Error as PlaywrightError

from automation.access.backoffice_session import BackofficeSession
from automation.access.session_cache import RefusedLogins, SessionCache, session_key
from automation.redaction.redactor import Redactor
from automation.run.engine import FleetRunner, RunOptions
from ecom_privacy.errors import AuthenticationError, SessionExpiredError
from ecom_privacy.models import LoginSecrets
from tests.unit.engine_fakes import driver_for

URL = "http://backoffice.test/shop/admin"
GOOD = LoginSecrets(email="owner@shop.test", password="Right-Password-1")


class Log:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str, dict[str, Any]]] = []

    def __getattr__(self, level: str) -> Any:
        return lambda event, **fields: self.lines.append((level, event, fields))

    def events(self) -> list[str]:
        return [event for _, event, _ in self.lines]


class FakeTrace:
    def __init__(self) -> None:
        self.recording = False
        self.kept: bool | None = None

    async def start(self) -> None:
        self.recording = True

    async def pause(self) -> None:
        self.recording = False

    async def finish(self, keep: bool, redact: Redactor) -> list[Path]:
        self.recording, self.kept = False, keep
        return [Path("/run/stores/shop/trace.zip")] if keep else []


class FakePage:
    async def screenshot(self, path: str, full_page: bool) -> None:
        Path(path).write_bytes(b"png")


class FakeContext:
    """A browser context whose session cookie is `sid` (set by the fake login, or by the cached state)."""

    def __init__(self, state: dict[str, Any] | None) -> None:
        self.sid = state["cookies"][0]["value"] if state else ""
        self.closed = False

    async def new_page(self) -> FakePage:
        return FakePage()

    async def storage_state(self) -> dict[str, Any]:
        return {"cookies": [{"name": "sid", "value": self.sid, "path": "/"}], "origins": []}

    async def cookies(self) -> list[dict[str, Any]]:
        return (await self.storage_state())["cookies"]

    async def close(self) -> None:
        self.closed = True


class Backoffice:
    """The far side: which password it accepts, and what each login and context saw."""

    def __init__(self, password: str = GOOD.password, refuse_cached_state: bool = False) -> None:
        self.password = password
        self.refuse_cached_state = refuse_cached_state
        self.logins: list[bool] = []  # for each login: was the trace recording while it ran?
        self.contexts: list[FakeContext] = []
        self.opened_with: list[dict[str, Any] | None] = []
        self.trace = FakeTrace()

    async def open_context(self, cached: dict[str, Any] | None) -> Any:
        self.opened_with.append(cached)
        if cached is not None and self.refuse_cached_state:
            raise PlaywrightError("storageState: cookies[0].expires: expected float, got string")
        self.contexts.append(FakeContext(cached))
        return self.contexts[-1]

    async def login(self, page: Any, backoffice_url: str, labels: Any, secrets: LoginSecrets) -> None:
        assert backoffice_url == URL and labels.locale == "en"
        self.logins.append(self.trace.recording)
        if secrets.password != self.password:
            raise AuthenticationError("the email or password was refused")
        self.contexts[-1].sid = f"session-cookie-{len(self.logins)}"

    def session(self, directory: Path, secrets: LoginSecrets = GOOD, cache: bool = True,
                redactor: Redactor | None = None, log: Log | None = None) -> BackofficeSession:
        return BackofficeSession(
            store_id="shop", backoffice_url=URL, locale="en", driver=driver_for([], login=self.login),
            secrets=lambda: secrets, open_context=self.open_context,
            cache=SessionCache(directory, enabled=cache), refused=RefusedLogins(directory),
            redactor=redactor or Redactor(), trace_for=lambda context: self.trace,  # type: ignore[arg-type,return-value]
            attempts=3, log=log or Log())


async def test_first_login_is_untraced_cached_and_its_cookie_redacted(tmp_path: Path) -> None:
    far, redactor = Backoffice(), Redactor()
    session = far.session(tmp_path, redactor=redactor)
    await session.open()
    assert far.logins == [False]  # the trace did not record the password being typed
    assert far.trace.recording  # ...and records the work after it
    cached = SessionCache(tmp_path).load(session_key("shop", URL, GOOD.email))
    assert cached is not None and cached["cookies"][0]["value"] == "session-cookie-1"
    assert redactor("Right-Password-1 session-cookie-1") == "*** ***"


async def test_a_cached_session_is_used_without_logging_in(tmp_path: Path) -> None:
    await Backoffice().session(tmp_path).open()
    far, redactor, log = Backoffice(), Redactor(), Log()
    await far.session(tmp_path, redactor=redactor, log=log).open()
    assert far.logins == [] and "reusing cached session" in log.events()
    assert far.opened_with[0] is not None and far.contexts[0].sid == "session-cookie-1"
    assert redactor("session-cookie-1") == "***"  # a cached cookie is a secret from the first moment


async def test_an_expired_session_is_logged_in_again_with_the_trace_paused(tmp_path: Path) -> None:
    await Backoffice().session(tmp_path).open()
    far, log = Backoffice(), Log()
    session = far.session(tmp_path, log=log)
    await session.open()
    tries: list[bool] = []

    async def read() -> str:
        tries.append(far.trace.recording)
        if len(tries) == 1:
            raise SessionExpiredError("sent back to the login page")
        return "read"

    assert await session.step(read) == "read"
    assert far.logins == [False] and tries == [True, True]  # paused for the login only
    assert "cached session no longer valid, logging in" in log.events()
    # A second expiry in the same run is an ordinary one.
    tries.clear()
    assert await session.step(read) == "read"
    assert "session expired, logging in again" in log.events()


async def test_a_refused_password_is_remembered_and_not_tried_again(tmp_path: Path) -> None:
    wrong = LoginSecrets(email=GOOD.email, password="Wrong-Password-9")
    far = Backoffice()
    with pytest.raises(AuthenticationError, match="refused"):
        await far.session(tmp_path, wrong).open()
    next_night = Backoffice()
    with pytest.raises(AuthenticationError, match="not logging in: the backoffice refused these same credentials"):
        await next_night.session(tmp_path, wrong).open()
    assert next_night.logins == []
    corrected = Backoffice()
    await corrected.session(tmp_path, GOOD).open()  # any change of the credentials allows one new try
    assert corrected.logins == [False]
    assert not RefusedLogins(tmp_path).path_for(session_key("shop", URL, GOOD.email)).exists()


async def test_without_the_session_cache_refused_logins_are_still_remembered(tmp_path: Path) -> None:
    """Bug 2 of issue #10: --no-session-cache switched the memory of refused logins off as well."""
    wrong = LoginSecrets(email=GOOD.email, password="Wrong-Password-9")
    with pytest.raises(AuthenticationError):
        await Backoffice().session(tmp_path, wrong, cache=False).open()
    again = Backoffice()
    with pytest.raises(AuthenticationError, match="not logging in"):
        await again.session(tmp_path, wrong, cache=False).open()
    assert again.logins == [] and not list(tmp_path.glob("*.json"))  # and no session was cached

    # The engine wires it so: a disabled cache still has its folder for the refusals.
    options = RunOptions(session_cache=SessionCache(tmp_path, enabled=False))
    runner = FleetRunner(None, [], {}, None, Redactor(), options, driver_for([]))  # type: ignore[arg-type]
    assert runner.refused.enabled and runner.refused.directory == tmp_path


async def test_a_cached_state_the_browser_refuses_is_discarded_and_the_store_logs_in(tmp_path: Path) -> None:
    await Backoffice().session(tmp_path).open()
    far, log = Backoffice(refuse_cached_state=True), Log()
    await far.session(tmp_path, log=log).open()
    assert far.opened_with[0] is not None and far.opened_with[1] is None and far.logins == [False]
    [(level, _, fields)] = [line for line in log.lines if line[1] == "cached session discarded, logging in instead"]
    assert level == "warning" and "refused by the browser: storageState" in fields["reason"]


async def test_close_keeps_the_trace_only_of_a_failed_store(tmp_path: Path) -> None:
    far = Backoffice()
    session = far.session(tmp_path)
    await session.open()
    shot = await session.screenshot(lambda: tmp_path / "failure-store.png")
    assert shot == tmp_path / "failure-store.png" and shot.read_bytes() == b"png"
    assert await session.close(failed=True) == [Path("/run/stores/shop/trace.zip")]
    assert far.trace.kept is True and far.contexts[0].closed

    other = Backoffice()
    quiet = other.session(tmp_path / "other")
    await quiet.open()
    assert await quiet.close(failed=False) == [] and other.trace.kept is False


async def test_a_session_never_opened_has_nothing_to_close_or_photograph(tmp_path: Path) -> None:
    session = Backoffice().session(tmp_path)
    assert await session.close(failed=True) == []
    assert await session.screenshot(lambda: tmp_path / "x.png") is None
