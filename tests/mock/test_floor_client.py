"""The benchmark's floor (benchmarks/floor.py) against the mock over real HTTP: the login chain with and without
a one-time code, then the twins; what it asked for, from the access log."""

from __future__ import annotations

import pytest

from benchmarks.floor import FloorClient, StoreLogin
from mock_backoffice import MockServer
from tests.mock.conftest import SEED, TOTP_SECRET
from tests.support import http_json


@pytest.fixture(scope="module")
def server() -> MockServer:
    with MockServer(SEED) as running:
        yield running


@pytest.mark.parametrize(("store", "password", "totp"), [("shop-en", "secret-en", None),
                                                         ("shop-totp", "secret-totp", TOTP_SECRET)])
def test_the_floor_logs_in_and_reads_its_twins(server: MockServer, store: str, password: str,
                                               totp: str | None) -> None:
    email = next(s["email"] for s in SEED["stores"] if s["id"] == store)
    client = FloorClient(StoreLogin(store, f"{server.url}/{store}/admin", email, password, totp))
    client.reads = ["admin/settings/web_extras.json", "admin/web_statistics.json"]
    http_json(f"{server.url}/__mock__/requests/clear", {})
    client.login()
    client.read()
    paths = [r["path"] for r in http_json(f"{server.url}/__mock__/requests?store={store}")["requests"]]
    assert paths[-2:] == client.reads and paths[0] == "admin/" and "admin/auth/sso" in paths
    assert http_json(f"{server.url}/__mock__/accounts?store={store}")["locked"] is False


def test_a_refused_password_is_said(server: MockServer) -> None:
    client = FloorClient(StoreLogin("shop-nl", f"{server.url}/shop-nl/admin", "nl@shop.test", "wrong"))
    with pytest.raises(RuntimeError, match="shop-nl: login refused"):
        client.login()
