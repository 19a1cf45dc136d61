"""Converging under faults (issue #21): a write whose answer is lost is read back, never made twice; sessions
that expire during a step are renewed without using up the step's retries.

The mock counts every write per target (`GET /__mock__/writes`): `unchanged` is a write that set what already
was, a change made twice. Each test checks the mock's state, not only what the tool reports.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from automation.cli import main
from automation.run.engine import RunOptions
from mock_backoffice import MockServer, write_fleet
from tests.reliability.conftest import Run
from tests.reliability.test_faults import report
from tests.support import http_json

ARCHIVE_SHOP, COOKIE_SHOP = "archive-shop", "cookie-shop"
SEED: dict[str, Any] = {"stores": [
    # 60 subscribers: three pages of 25 on the newsletter page, 12 of them to archive (manual or import, before
    # 2018-05-25), with the Source column the default rule needs.
    {"id": ARCHIVE_SHOP, "locale": "en", "email": "owner@archive.test", "password": "Archive-Secret-7007",
     "newsletter_source_column": True, "subscribers": {"generate": {"count": 60, "passive_before_2018": 12}}},
    {"id": COOKIE_SHOP, "locale": "en", "email": "owner@cookie.test", "password": "Cookie-Secret-8008"},
]}
DESIRED = {"cookie_law": {"mode": "confirm"}, "newsletter_archive": {"enabled": True}}


@pytest.fixture(scope="module")
def module_server() -> Iterator[MockServer]:
    with MockServer(SEED) as server:
        yield server


@pytest.fixture
def server(module_server: MockServer) -> MockServer:
    http_json(f"{module_server.url}/__mock__/reset", {})
    return module_server


@pytest.fixture
def apply(server: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[[str], Run]:
    """`apply --auto-approve --allow-archive` of one store, in-process, with a session folder of its own."""
    fleet_path, env = write_fleet(server.world, server.url, tmp_path / "fleet" / "fleet.yaml")
    fleet = yaml.safe_load(fleet_path.read_text())
    fleet["defaults"] = DESIRED
    fleet_path.write_text(yaml.safe_dump(fleet, sort_keys=False))

    def invoke(store: str) -> Run:
        runs = tmp_path / "runs"
        out = io.StringIO()
        code = main(["apply", "--auto-approve", "--allow-archive", "--store", store, "-c", str(fleet_path),
                     "--env-file", str(env), "--artifacts-dir", str(runs), "--session-dir", str(tmp_path / "s"),
                     "--log-format", "json"], out=out)
        return Run(code, out.getvalue(), capsys.readouterr().err, max(runs.iterdir()))

    return invoke


def writes(server: MockServer, store: str) -> dict[str, dict[str, int]]:
    return http_json(f"{server.url}/__mock__/writes?store={store}")[store]


def statuses(run: Run, store: str) -> dict[str, str]:
    return {setting["setting"]: setting["status"] for setting in report(run)[store]["settings"]}


class Middleware:
    """WSGI middleware around the mock, to do something to the requests `matches` picks, `times` times."""

    def __init__(self, server: MockServer, matches: Callable[[str, str], bool], times: int) -> None:
        self.server = server
        self.inner = server.app.wsgi_app
        self.matches = matches
        self.left = times
        self.hits = 0

    def __enter__(self) -> Middleware:
        self.server.app.wsgi_app = self  # type: ignore[method-assign]
        return self

    def __exit__(self, *_: object) -> None:
        self.server.app.wsgi_app = self.inner  # type: ignore[method-assign]

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.left > 0 and self.matches(environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")):
            self.left -= 1
            self.hits += 1
            return self.intercept(environ, start_response)
        return self.inner(environ, start_response)

    def intercept(self, environ: dict[str, Any], start_response: Any) -> Any:
        raise NotImplementedError


class AnswerLostAfterSaving(Middleware):
    """The backoffice carries the write out, then its answer is lost: HTTP 500 instead of the redirect."""

    def intercept(self, environ: dict[str, Any], start_response: Any) -> Any:
        body = self.inner(environ, lambda *_args, **_kwargs: None)
        b"".join(body)  # the whole answer was made (the change saved), and is dropped
        start_response("500 Internal Server Error", [("Content-Type", "text/html")])
        return [b"<!doctype html><title>500</title><h1>Internal Server Error</h1>"]


class SessionEndsBefore(Middleware):
    """The backoffice ends the store's sessions just before the request (a session that lives seconds)."""

    def intercept(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.server.world.drop_sessions(COOKIE_SHOP)
        return self.inner(environ, start_response)


def test_an_archive_whose_answer_was_lost_is_read_back_and_never_sent_twice(server: MockServer,
                                                                              apply: Callable[[str], Run]) -> None:
    seeded = http_json(f"{server.url}/__mock__/state")["stores"][ARCHIVE_SHOP]["subscribers"]
    planned = {s["email"] for s in seeded if s["source"] in ("manual", "import") and s["subscribed_at"] < "2018-05-25"}
    # The first archive request is carried out, and answered HTTP 500 (the mock's lose_answer fault).
    http_json(f"{server.url}/__mock__/faults", {"store": ARCHIVE_SHOP, "error_rate": 1, "lose_answer": True,
                                                "max_errors": 1, "path": "admin/newsletter_subscriptions/archive"})
    applied = apply(ARCHIVE_SHOP)
    faults = http_json(f"{server.url}/__mock__/faults")["stores"][ARCHIVE_SHOP]
    assert faults["errors_injected"] == 1  # the answer really was lost
    assert applied.code == 0, applied.out + applied.err
    state = http_json(f"{server.url}/__mock__/state")["stores"][ARCHIVE_SHOP]
    assert len(planned) == 12 and {s["email"] for s in state["subscribers"] if s["archived"]} == planned
    # Every archive request archived someone: none named a subscriber archived already.
    count = writes(server, ARCHIVE_SHOP)["newsletter archive"]
    assert count["unchanged"] == 0 and count["changed"] >= 1
    assert statuses(applied, ARCHIVE_SHOP)["newsletter_archive"] == "changed"
    # The page that failed was done again as a piece: the apply did not start over (a second export of the
    # list, written before the first click of every new start, would show it).
    exports = sorted((applied.run_dir / "exports" / ARCHIVE_SHOP).glob("newsletter-archive-*.csv"))
    assert len(exports) == 1, exports


def test_a_setting_saved_before_its_answer_was_lost_is_read_not_saved_again(server: MockServer,
                                                                            apply: Callable[[str], Run]) -> None:
    def cookie_save(method: str, path: str) -> bool:
        return method == "POST" and path == f"/{COOKIE_SHOP}/admin/settings/web_extras"

    with AnswerLostAfterSaving(server, cookie_save, times=1) as lost:
        applied = apply(COOKIE_SHOP)
    assert lost.hits == 1
    assert applied.code == 0, applied.out + applied.err
    assert http_json(f"{server.url}/__mock__/state")["stores"][COOKIE_SHOP]["cookie_law"]["mode"] == "confirm"
    assert writes(server, COOKIE_SHOP) == {"web_extras": {"changed": 1, "unchanged": 0}}
    assert "apply: already done by the try that failed, not written again" in applied.err
    assert statuses(applied, COOKIE_SHOP)["cookie_law"] == "changed"


def test_sessions_ending_during_a_step_do_not_use_up_its_retries(server: MockServer,
                                                                 apply: Callable[[str], Run]) -> None:
    # As many expiries in the one read of the cookie bar as the step has tries in all: each used to cost one.
    expiries = RunOptions().attempts

    def cookie_read(method: str, path: str) -> bool:
        return method == "GET" and path == f"/{COOKIE_SHOP}/admin/settings/web_extras.json"

    with SessionEndsBefore(server, cookie_read, times=expiries) as ended:
        applied = apply(COOKIE_SHOP)
    assert ended.hits == expiries
    assert applied.code == 0, applied.out + applied.err
    state = http_json(f"{server.url}/__mock__/state")["stores"][COOKIE_SHOP]
    assert state["cookie_law"]["mode"] == "confirm"
    assert state["login"]["successful_logins"] == 1 + expiries  # the first login, then one per expiry
    assert applied.err.count("session expired, logging in again") == expiries
    assert statuses(applied, COOKIE_SHOP)["cookie_law"] == "changed"
