"""Faults injected through the mock: HTTP 500s, sessions lost mid-run, a refused password, a changed UI.

Every test checks the mock's own state, not only what the tool says: the report must tell the truth.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterable
from typing import Any

from mock_backoffice import MockServer
from tests.reliability.conftest import HEALTHY, PASSWORDS, Fleet, Run
from tests.support import http_json


def selected(stores: Iterable[str]) -> list[str]:
    return [arg for store in stores for arg in ("--store", store)]


def modes(state: dict[str, Any], stores: Iterable[str]) -> dict[str, str]:
    return {store: state[store]["cookie_law"]["mode"] for store in stores}


def report(result: Run) -> dict[str, Any]:
    return {store["id"]: store for store in json.loads((result.run_dir / "report.json").read_text())["stores"]}


def test_twenty_percent_http_500s_still_converge(server: MockServer, run: Callable[..., Run], state) -> None:
    http_json(f"{server.url}/__mock__/faults", {"error_rate": 0.2, "seed": 20})
    applied = run("apply", "--auto-approve", "--parallelism", "3", "--timeout", "5", *selected(HEALTHY))
    faults = http_json(f"{server.url}/__mock__/faults")
    http_json(f"{server.url}/__mock__/faults", {})
    assert faults["global"]["error_rate"] == 0.2  # the faults were really on during the run
    assert applied.code == 0, applied.out + applied.err
    assert set(modes(state(), HEALTHY).values()) == {"confirm"}
    assert all(store["status"] == "ok" for store in report(applied).values())
    again = run("plan", *selected(HEALTHY))
    assert again.code == 0, again.out + again.err  # converged: nothing left to change


class RevokeBeforeFirstSave:
    """WSGI middleware: drop a store's sessions just before its first settings save, once per store.

    That is the backoffice logging the tool out in the middle of its work, between reading and applying.
    """

    def __init__(self, server: MockServer) -> None:
        self.server = server
        self.inner = server.app.wsgi_app
        self.revoked: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        store = path.strip("/").split("/", 1)[0]
        if environ["REQUEST_METHOD"] == "POST" and path.endswith("/admin/settings/web_extras") \
                and store not in self.revoked:
            self.revoked.append(store)
            self.server.world.drop_sessions(store)
        return self.inner(environ, start_response)


def test_sessions_lost_mid_run_are_survived(server: MockServer, run: Callable[..., Run], state) -> None:
    stores = ["alpha", "bravo", "charlie-totp"]
    middleware = RevokeBeforeFirstSave(server)
    server.app.wsgi_app = middleware  # type: ignore[method-assign]
    try:
        applied = run("apply", "--auto-approve", *selected(stores))
    finally:
        server.app.wsgi_app = middleware.inner  # type: ignore[method-assign]
    assert sorted(middleware.revoked) == sorted(stores)
    assert applied.code == 0, applied.out + applied.err
    now = state()
    assert set(modes(now, stores).values()) == {"confirm"}
    # One login at the start, one after being logged out; never more (a blind retry would show here).
    assert {store: now[store]["login"]["successful_logins"] for store in stores} == dict.fromkeys(stores, 2)
    assert applied.err.count("session expired, logging in again") == 3


def test_cached_sessions_revoked_between_runs_mean_a_new_login(server: MockServer, run: Callable[..., Run],
                                                             state) -> None:
    assert run("plan", "--store", "alpha").code == 2
    http_json(f"{server.url}/__mock__/sessions/revoke", {})
    applied = run("apply", "--auto-approve", "--store", "alpha")
    assert applied.code == 0, applied.out + applied.err
    assert "cached session no longer valid, logging in" in applied.err
    assert state()["alpha"]["login"]["successful_logins"] == 2
    assert state()["alpha"]["cookie_law"]["mode"] == "confirm"


def test_wrong_password_fails_that_store_alone_and_is_tried_once(fleet: Fleet, run: Callable[..., Run],
                                                                 state) -> None:
    fleet.set_password("echo", "Not-The-Password-99")
    stores = ["alpha", "bravo", "echo"]
    applied = run("apply", "--auto-approve", *selected(stores))
    assert applied.code == 1
    assert "Store echo: FAILED (authentication): the email or password was refused" in applied.out
    now = state()
    assert now["echo"]["login"]["attempts"] == 1 and now["echo"]["login"]["failed_attempts"] == 1
    assert not now["echo"]["login"]["locked"] and now["echo"]["cookie_law"]["mode"] == "none"
    assert modes(now, ["alpha", "bravo"]) == {"alpha": "confirm", "bravo": "confirm"}
    stores_report = report(applied)
    assert stores_report["echo"]["error_kind"] == "authentication"
    assert stores_report["echo"]["settings"][0]["status"] == "failed"
    assert "Apply: 3 stores, 2 changed, 1 store failed" in applied.out and "Stores: 2 changed, 1 failed" in applied.out
    assert "Not-The-Password-99" not in applied.out + applied.err


def test_refused_credentials_are_not_tried_again_by_the_next_run(fleet: Fleet, run: Callable[..., Run],
                                                                  state) -> None:
    fleet.set_password("echo", "Not-The-Password-99")
    assert run("plan", "--store", "echo").code == 1
    again = run("plan", "--store", "echo")  # the nightly cron run of the next day, password still wrong
    assert again.code == 1
    assert "not logging in: the backoffice refused these same credentials" in again.out
    assert state()["echo"]["login"]["attempts"] == 1  # one refusal in all, however many runs
    fleet.set_password("echo", PASSWORDS["echo"])  # corrected: one new try is allowed, and it works
    fixed = run("plan", "--store", "echo")
    assert fixed.code == 2, fixed.out
    assert state()["echo"]["login"]["attempts"] == 2


def test_no_session_cache_still_remembers_refused_credentials(fleet: Fleet, run: Callable[..., Run],
                                                             state) -> None:
    """`--no-session-cache` reads and writes no cached session, but a nightly run with it must not submit a
    refused password every night toward a lockout (issue #10, bug 2)."""
    fleet.set_password("echo", "Not-The-Password-99")
    assert run("plan", "--store", "echo", "--no-session-cache").code == 1
    again = run("plan", "--store", "echo", "--no-session-cache")
    assert again.code == 1
    assert "not logging in: the backoffice refused these same credentials" in again.out
    assert state()["echo"]["login"]["attempts"] == 1


def test_missing_element_fails_that_store_with_page_element_screenshot_and_trace(
        run: Callable[..., Run], state) -> None:
    applied = run("apply", "--auto-approve", "--store", "alpha", "--store", "delta-broken")
    assert applied.code == 1
    broken = report(applied)["delta-broken"]
    [setting] = broken["settings"]
    assert setting["status"] == "failed" and setting["error_kind"] == "ui_mismatch"
    assert ("UI did not match on page 'Settings > Web extras': element 'section COOKIE LAW' not found (locale en)"
            in setting["error"])
    assert "x cookie_law: FAILED (ui_mismatch): UI did not match" in applied.out
    screenshot = applied.run_dir / "stores" / "delta-broken" / "failure-cookie_law.png"
    trace = applied.run_dir / "stores" / "delta-broken" / "trace.zip"
    assert screenshot.read_bytes().startswith(b"\x89PNG")
    assert set(broken["artifacts"]) == {"stores/delta-broken/failure-cookie_law.png", "stores/delta-broken/trace.zip"}
    with zipfile.ZipFile(trace) as archive:
        assert "trace.trace" in archive.namelist()
        assert b"settings/web_extras" in archive.read("trace.trace")
    # The healthy store was applied, and kept no trace (traces are for failed stores only).
    assert state()["alpha"]["cookie_law"]["mode"] == "confirm"
    assert report(applied)["alpha"]["artifacts"] == []
    assert not (applied.run_dir / "stores" / "alpha").exists()
