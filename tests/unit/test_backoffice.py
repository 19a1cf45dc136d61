"""The opener of a store's backoffice without a browser: login, cached sessions, re-login, refused logins,
trace pauses, credentials checks.

The session cache, the login coordinator, its refusal memory and the redactor are the real ones on real
files; the browser context, its trace and the login flow are fakes that record what they were asked to do.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Error as PlaywrightError
from structlog.testing import capture_logs

from automation.access.backoffice import Backoffice, StoreAccess
from automation.access.session_cache import SessionCache, session_key
from automation.browser.retry import DeadlinePassedError
from automation.redaction.redactor import Redactor
from automation.run.engine import FleetRunner, RunOptions
from ecom_privacy.clock import FixedClock
from ecom_privacy.errors import AuthenticationError, LoginWithheldError, SessionExpiredError
from ecom_privacy.models import LoginSecrets, LoginTally
from ecom_privacy.setting import PlanInput
from tests.unit.engine_fakes import driver_for, store_config

URL = "http://backoffice.test/shop/admin"
GOOD = LoginSecrets(email="owner@shop.test", password="Right-Password-1")
PLAN_INPUT = PlanInput(store_id="shop", locale="en")


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
        self.routes: list[Any] = []
        self.pages: list[Any] = []

    async def new_page(self) -> FakePage:
        return FakePage()

    async def route(self, pattern: Any, handler: Any) -> None:
        self.routes.append(pattern)

    async def storage_state(self) -> dict[str, Any]:
        return {"cookies": [{"name": "sid", "value": self.sid, "path": "/"}], "origins": []}

    async def cookies(self, urls: Any = None) -> list[dict[str, Any]]:
        return (await self.storage_state())["cookies"]

    async def close(self) -> None:
        self.closed = True


class FarSide:
    """The backoffice: which password it accepts, and what each login and context saw."""

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

    async def login(self, page: Any, backoffice_url: str, labels: Any, secrets: LoginSecrets,
                    tally: LoginTally) -> None:
        assert backoffice_url == URL and labels.locale == "en"
        self.logins.append(self.trace.recording)
        tally.counts.chains += 1
        tally.counts.password += 1
        if secrets.password != self.password:
            raise AuthenticationError("the email or password was refused")
        self.contexts[-1].sid = f"session-cookie-{len(self.logins)}"

    def access(self, directory: Path, secrets: LoginSecrets = GOOD, cache: bool = True,
               redactor: Redactor | None = None, **options: Any) -> StoreAccess:
        env = {"SHOP_EMAIL": secrets.email, "SHOP_PASSWORD": secrets.password}
        return StoreAccess.create(driver=driver_for([], login=self.login), env=env, env_file=None,
                                  session_dir=directory, use_cache=cache, redactor=redactor or Redactor(),
                                  attempts=3, **options)

    def backoffice(self, access: StoreAccess) -> Backoffice:
        return Backoffice(store_config({}), access, self.open_context,
                          trace_for=lambda context: self.trace)  # type: ignore[arg-type,return-value]

    def session(self, directory: Path, secrets: LoginSecrets = GOOD, cache: bool = True,
                redactor: Redactor | None = None, **options: Any) -> Backoffice:
        return self.backoffice(self.access(directory, secrets, cache, redactor, **options))


def events(logs: list[dict[str, Any]]) -> list[str]:
    return [line["event"] for line in logs]


async def test_first_login_is_untraced_cached_and_its_cookie_redacted(tmp_path: Path) -> None:
    far, redactor = FarSide(), Redactor()
    backoffice = far.session(tmp_path, redactor=redactor)
    session = await backoffice.open(None, PLAN_INPUT)  # type: ignore[arg-type]
    assert session.store_id == "shop" and session.backoffice_url == URL and session.labels.locale == "en"
    assert far.logins == [False]  # the trace did not record the password being typed
    assert far.trace.recording  # ...and records the work after it
    cached = SessionCache(tmp_path).load(session_key("shop", URL, GOOD.email))
    assert cached is not None and cached["cookies"][0]["value"] == "session-cookie-1"
    assert redactor("Right-Password-1 session-cookie-1") == "*** ***"
    assert backoffice.logins.password == 1 and backoffice.logins.cached_session == 0


async def test_a_cached_session_is_used_without_logging_in(tmp_path: Path) -> None:
    await FarSide().session(tmp_path).open(None, PLAN_INPUT)  # type: ignore[arg-type]
    far, redactor = FarSide(), Redactor()
    backoffice = far.session(tmp_path, redactor=redactor)
    with capture_logs() as logs:
        await backoffice.open(None, PLAN_INPUT)  # type: ignore[arg-type]
    assert far.logins == [] and "reusing cached session" in events(logs)
    assert far.opened_with[0] is not None and far.contexts[0].sid == "session-cookie-1"
    assert redactor("session-cookie-1") == "***"  # a cached cookie is a secret from the first moment
    assert backoffice.logins.cached_session == 1 and backoffice.logins.password == 0


async def test_an_expired_session_is_logged_in_again_with_the_trace_paused(tmp_path: Path) -> None:
    await FarSide().session(tmp_path).open(None, PLAN_INPUT)  # type: ignore[arg-type]
    far = FarSide()
    backoffice = far.session(tmp_path)
    await backoffice.open(None, PLAN_INPUT)  # type: ignore[arg-type]
    tries: list[bool] = []

    async def read() -> str:
        tries.append(far.trace.recording)
        if len(tries) == 1:
            raise SessionExpiredError("sent back to the login page")
        return "read"

    with capture_logs() as logs:
        assert await backoffice.step(read) == "read"
        assert far.logins == [False] and tries == [True, True]  # paused for the login only
        assert "cached session no longer valid, logging in" in events(logs)
        # A second expiry in the same run is an ordinary one.
        tries.clear()
        assert await backoffice.step(read) == "read"
    assert "session expired, logging in again" in events(logs)


async def test_expired_sessions_are_renewed_on_their_own_budget_not_the_steps_tries(tmp_path: Path) -> None:
    far = FarSide()
    backoffice = far.session(tmp_path, cache=False)  # three tries per step (FarSide.access)
    await backoffice.open(None, PLAN_INPUT)  # type: ignore[arg-type]
    expiries = backoffice.access.renewals + backoffice.access.attempts - 1  # all of both budgets but one try

    async def read() -> str:
        if len(far.logins) <= expiries:
            raise SessionExpiredError("sent back to the login page")
        return "read"

    assert await backoffice.step(read) == "read"
    assert len(far.logins) == 1 + expiries  # each expiry logged in again
    far.logins.clear()

    async def never() -> str:
        raise SessionExpiredError("sent back to the login page")

    with pytest.raises(SessionExpiredError):  # a backoffice that logs us out forever: the step still ends
        await backoffice.step(never)
    assert len(far.logins) == backoffice.access.renewals + backoffice.access.attempts - 1


async def test_past_the_store_deadline_no_step_begins(tmp_path: Path) -> None:
    clock = FixedClock(datetime(2026, 3, 1, tzinfo=UTC))
    backoffice = FarSide().session(tmp_path, clock=clock, deadline_s=120)
    await backoffice.open(None, PLAN_INPUT)  # type: ignore[arg-type]
    steps: list[str] = []

    async def read() -> str:
        steps.append("read")
        return "read"

    clock.advance(119)
    assert await backoffice.step(read) == "read"
    clock.advance(1)
    with pytest.raises(DeadlinePassedError, match="not started: the store's deadline of 120 s passed"):
        await backoffice.step(read)
    assert steps == ["read"]


async def test_a_refused_password_is_remembered_and_not_tried_again(tmp_path: Path) -> None:
    wrong = LoginSecrets(email=GOOD.email, password="Wrong-Password-9")
    far = FarSide()
    with pytest.raises(AuthenticationError, match="refused"):
        await far.session(tmp_path, wrong).open(None, PLAN_INPUT)  # type: ignore[arg-type]
    next_night = FarSide()
    with pytest.raises(LoginWithheldError, match="not logging in: the backoffice refused these same credentials"):
        await next_night.session(tmp_path, wrong).open(None, PLAN_INPUT)  # type: ignore[arg-type]
    assert next_night.logins == []
    corrected = FarSide()
    await corrected.session(tmp_path, GOOD).open(None, PLAN_INPUT)  # type: ignore[arg-type]
    assert corrected.logins == [False]  # a change of this store's credentials allows one new try


async def test_without_the_session_cache_refused_logins_are_still_remembered(tmp_path: Path) -> None:
    """Bug 2 of issue #10: --no-session-cache switched the memory of refused logins off as well."""
    wrong = LoginSecrets(email=GOOD.email, password="Wrong-Password-9")
    with pytest.raises(AuthenticationError):
        await FarSide().session(tmp_path, wrong, cache=False).open(None, PLAN_INPUT)  # type: ignore[arg-type]
    again = FarSide()
    with pytest.raises(LoginWithheldError, match="not logging in"):
        await again.session(tmp_path, wrong, cache=False).open(None, PLAN_INPUT)  # type: ignore[arg-type]
    assert again.logins == [] and not list(tmp_path.glob("*.json"))  # and no session was cached

    # The engine wires it so: a disabled cache still has its folder for the refusals.
    options = RunOptions(session_dir=tmp_path, use_session_cache=False)
    runner = FleetRunner(None, [], {}, None, Redactor(), options, driver_for([]))  # type: ignore[arg-type]
    assert runner.access.coordinator.directory == tmp_path and not runner.access.cache.enabled


async def test_a_cached_state_the_browser_refuses_is_discarded_and_the_store_logs_in(tmp_path: Path) -> None:
    await FarSide().session(tmp_path).open(None, PLAN_INPUT)  # type: ignore[arg-type]
    far = FarSide(refuse_cached_state=True)
    with capture_logs() as logs:
        await far.session(tmp_path).open(None, PLAN_INPUT)  # type: ignore[arg-type]
    assert far.opened_with[0] is not None and far.opened_with[1] is None and far.logins == [False]
    [line] = [line for line in logs if line["event"] == "cached session discarded, logging in instead"]
    assert line["log_level"] == "warning" and "refused by the browser: storageState" in line["reason"]


async def test_close_keeps_the_trace_only_of_a_failed_store(tmp_path: Path) -> None:
    far = FarSide()
    backoffice = far.session(tmp_path)
    await backoffice.open(None, PLAN_INPUT)  # type: ignore[arg-type]
    shot = await backoffice.screenshot(lambda: tmp_path / "failure-store.png")
    assert shot == tmp_path / "failure-store.png" and shot.read_bytes() == b"png"
    assert await backoffice.close(failed=True) == [Path("/run/stores/shop/trace.zip")]
    assert far.trace.kept is True and far.contexts[0].closed

    other = FarSide()
    quiet = other.session(tmp_path / "other")
    await quiet.open(None, PLAN_INPUT)  # type: ignore[arg-type]
    assert await quiet.close(failed=False) == [] and other.trace.kept is False


async def test_a_backoffice_never_opened_has_nothing_to_close_or_photograph(tmp_path: Path) -> None:
    backoffice = FarSide().session(tmp_path)
    assert await backoffice.close(failed=True) == []
    assert await backoffice.screenshot(lambda: tmp_path / "x.png") is None


async def test_a_credentials_check_neither_reads_nor_replaces_the_cached_session(tmp_path: Path) -> None:
    await FarSide().session(tmp_path).open(None, PLAN_INPUT)  # type: ignore[arg-type]
    key = session_key("shop", URL, GOOD.email)
    before = SessionCache(tmp_path).path_for(key).read_bytes()
    far = FarSide()
    backoffice = far.session(tmp_path, checking=True)
    await backoffice.open(None, PLAN_INPUT)  # type: ignore[arg-type]
    assert far.opened_with == [None] and far.logins == [False]  # logged in with the credentials, fresh
    assert SessionCache(tmp_path).path_for(key).read_bytes() == before  # the cached session is untouched


async def test_check_credentials_logs_in_instead_of_the_cached_session_once_the_period_is_over(tmp_path: Path) -> None:
    await FarSide().session(tmp_path).open(None, PLAN_INPUT)  # type: ignore[arg-type]  # proves them now
    weekly = FarSide()
    await weekly.session(tmp_path, check_every=timedelta(days=7)).open(None, PLAN_INPUT)  # type: ignore[arg-type]
    assert weekly.logins == []  # proven less than a week ago: the cached session is used
    due = FarSide()
    access = due.access(tmp_path, check_every=timedelta(days=7))
    key = session_key("shop", URL, GOOD.email)
    access.checks.path_for(key).write_text((datetime.now(UTC) - timedelta(days=8)).isoformat())  # type: ignore[union-attr]
    with capture_logs() as logs:
        await due.backoffice(access).open(None, PLAN_INPUT)  # type: ignore[arg-type]
    assert due.opened_with == [None] and due.logins == [False]
    assert any("credentials check due" in line for line in events(logs))
    assert not access.checks.due(key, timedelta(days=7))  # proven again just now
