"""Injected faults: latency, HTTP 500s and session expiry; control endpoints stay unaffected."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_backoffice import world_of
from mock_backoffice.context import context_of
from mock_backoffice.state import World
from mock_backoffice.testing import BackofficeClient

BoFactory = Callable[[str], BackofficeClient]


@pytest.fixture
def sleeps(app: Flask) -> list[float]:
    """Record the server's injected delays instead of waiting for them."""
    recorded: list[float] = []
    context_of(app).faults.sleep = recorded.append
    return recorded


def set_faults(client: FlaskClient, **body: object) -> dict:
    response = client.post("/__mock__/faults", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_latency_applies_to_every_store_request_but_not_to_control(client: FlaskClient, sleeps: list[float]) -> None:
    set_faults(client, latency_ms=250)
    assert sleeps == []  # setting faults is a control request
    client.get("/shop-en/")
    client.get("/shop-en/static/store.css")
    client.get("/shop-en/admin/auth/login")
    assert sleeps == [0.25, 0.25, 0.25]
    client.get("/__mock__/state")
    client.get("/__mock__/health")
    client.get("/__mock__/faults")
    assert len(sleeps) == 3


def test_error_rate_one_fails_everything_but_control(client: FlaskClient, sleeps: list[float]) -> None:
    set_faults(client, error_rate=1.0)
    for path in ("/shop-en/", "/shop-en/admin/auth/login", "/shop-en/static/store.css"):
        response = client.get(path)
        assert response.status_code == 500, path
        assert "Internal Server Error" in response.get_data(as_text=True)
    assert client.get("/__mock__/health").get_json() == {"ok": True}
    assert client.get("/__mock__/state").status_code == 200


def test_seeded_error_rate_is_reproducible(app: Flask) -> None:
    def statuses() -> list[int]:
        client = app.test_client()
        set_faults(client, error_rate=0.5, seed=7)
        return [client.get("/shop-en/").status_code for _ in range(20)]

    first, second = statuses(), statuses()
    assert first == second and 500 in first and 200 in first


def test_store_faults_replace_global_ones_for_that_store(client: FlaskClient, sleeps: list[float]) -> None:
    set_faults(client, error_rate=1.0)
    set_faults(client, store="shop-nl", latency_ms=10)
    assert client.get("/shop-nl/").status_code == 200 and sleeps == [0.01]
    assert client.get("/shop-en/").status_code == 500
    shown = client.get("/__mock__/faults").get_json()
    assert shown == {
        "global": {"latency_ms": 0, "error_rate": 1.0, "errors_injected": 1},
        "stores": {"shop-nl": {"latency_ms": 10, "error_rate": 0, "errors_injected": 0}},
    }
    set_faults(client, store="shop-nl")  # {} for a store clears that store only
    assert client.get("/shop-nl/").status_code == 500
    set_faults(client)  # {} clears the global faults
    assert client.get("/shop-en/").status_code == 200


def test_faults_aimed_at_a_static_file_heal_after_max_errors(client: FlaskClient) -> None:
    set_faults(client, store="shop-en", error_rate=1.0, path="static/editor.js", max_errors=2)
    assert client.get("/shop-en/").status_code == 200  # other paths of the store are not aimed at
    assert client.get("/shop-en/static/admin.js").status_code == 200
    assert [client.get("/shop-en/static/editor.js").status_code for _ in range(3)] == [500, 500, 200]
    shown = client.get("/__mock__/faults").get_json()["stores"]["shop-en"]
    assert shown["errors_injected"] == 2 and shown["path"] == "static/editor.js" and shown["max_errors"] == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"error_rate": 1, "path": ""}, "path: must be a non-empty path glob"),
        ({"error_rate": 1, "max_errors": -1}, "max_errors: must be an integer >= 0"),
        ({"latency": 1}, "latency: unknown key"),
        ({"latency_ms": -1}, "latency_ms: must be a number >= 0"),
        ({"error_rate": 1.5}, "error_rate: must be between 0 and 1"),
        ({"error_rate": "high"}, "error_rate: must be a number"),
        ({"store": "nope", "latency_ms": 1}, "store: unknown store 'nope'"),
        ({"seed": "x", "error_rate": 0.1}, "seed: must be an integer"),
    ],
)
def test_invalid_fault_requests_are_400(client: FlaskClient, body: dict, message: str) -> None:
    response = client.post("/__mock__/faults", json=body)
    assert response.status_code == 400 and message in response.get_json()["error"]


def test_session_ttl_expires_the_session(backoffice: BoFactory, world: World, fake_clock: list[float]) -> None:
    bo = backoffice("shop-en")
    bo.login()
    set_faults(bo.client, session_ttl_s=5)
    fake_clock[0] += 5
    assert bo.client.get("/shop-en/admin/settings").status_code == 200  # exactly 5 s old: still valid
    fake_clock[0] += 1
    response = bo.client.get("/shop-en/admin/settings")
    assert response.status_code == 302
    assert response.headers["Location"] == "/shop-en/admin/auth/login?expired=1&next=/shop-en/admin/settings"
    # back into the chain; the identity session still lives, so it passes without the password form and
    # ends where the user was
    page = bo.follow(response)
    assert page.status_code == 200 and bo.url == "http://localhost/shop-en/admin/settings"
    assert world.stores["shop-en"].login.successful_logins == 2
    assert world.stores["shop-en"].account.attempts == 1  # the password was typed once


def test_expired_session_without_identity_session_asks_for_the_password(
    backoffice: BoFactory, world: World, fake_clock: list[float]
) -> None:
    bo = backoffice("shop-en")
    bo.login()
    set_faults(bo.client, session_ttl_s=5)
    assert bo.client.post("/__mock__/identity/sessions/revoke", json={}).get_json() == {"revoked": 1}
    fake_clock[0] += 6
    page = bo.follow(bo.client.get("/shop-en/admin/settings"))
    assert bo.url.startswith("http://identity.localhost/auth/login?")
    assert 'name="password"' in page.get_data(as_text=True)
    login = bo.follow(bo.submit_login(page=page))
    assert login.status_code == 200 and bo.url == "http://localhost/shop-en/admin/settings"


def test_post_on_an_expired_session_is_not_performed(
    backoffice: BoFactory, world: World, fake_clock: list[float]
) -> None:
    bo = backoffice("shop-nl")
    bo.login()
    token = bo.token("/settings/web_extras")
    set_faults(bo.client, store="shop-nl", session_ttl_s=1)
    fake_clock[0] += 2
    response = bo.client.post("/shop-nl/admin/settings/web_extras", data={"csrf_token": token, "cookielaw[mode]": "2"})
    assert response.status_code == 302 and "expired=1" in response.headers["Location"]
    assert world.stores["shop-nl"].cookie_law.mode == "none"
    assert response.headers["Location"].startswith("/shop-nl/admin/auth/login?expired=1")


def test_reset_restores_seed_and_clears_everything(app: Flask, backoffice: BoFactory) -> None:
    bo = backoffice("shop-en")
    for _ in range(5):
        bo.submit_login(password="wrong")
    world = world_of(app)
    world.stores["shop-nl"].cookie_law.mode = "custom"
    set_faults(bo.client, latency_ms=1, store="shop-nl")
    assert world.stores["shop-en"].account.locked
    backoffice("shop-nl").login()
    assert world.identity.sessions and world.identity.accounts["nl@shop.test"].successful_logins == 1
    assert bo.client.post("/__mock__/reset").get_json() == {"ok": True}
    world = world_of(app)
    assert not world.stores["shop-en"].account.locked and world.stores["shop-nl"].cookie_law.mode == "none"
    assert bo.client.get("/__mock__/faults").get_json() == {"global": {}, "stores": {}}
    assert world.sessions == {} and world.identity.sessions == {}
    assert world.identity.accounts["nl@shop.test"].successful_logins == 0
    bo.login()  # unlocked


def test_a_reset_keeping_sessions_restores_the_snapshot_and_clears_everything_else(
        app: Flask, backoffice: BoFactory) -> None:
    en, nl = backoffice("shop-en"), backoffice("shop-nl")
    en.login()
    nl.login()
    assert en.client.post("/__mock__/reset", json={"keep_sessions": True}).status_code == 400  # no snapshot yet
    assert en.client.post("/__mock__/sessions/snapshot").get_json() == {"sessions": 2, "identity_sessions": 1}
    # after the snapshot: a lockout, a change, a fault, a revoked session, a logged request, a flash message
    for _ in range(5):
        backoffice("shop-totp").submit_login(password="wrong")
    world = world_of(app)
    world.stores["shop-nl"].cookie_law.mode = "custom"
    set_faults(en.client, latency_ms=1, store="shop-nl")
    assert en.client.post("/__mock__/sessions/revoke", json={"store": "shop-en"}).get_json() == {"revoked": 1}
    next(iter(world.sessions.values())).flashes.append("saved")
    assert world.access_log() and world.stores["shop-totp"].account.locked

    answer = en.client.post("/__mock__/reset", json={"keep_sessions": True}).get_json()
    assert answer == {"ok": True, "kept": {"sessions": 2, "identity_sessions": 1}}
    world = world_of(app)
    assert not world.stores["shop-totp"].account.locked and world.stores["shop-nl"].cookie_law.mode == "none"
    assert en.client.get("/__mock__/faults").get_json() == {"global": {}, "stores": {}}
    assert world.access_log() == [] and world.identity.accounts["nl@shop.test"].successful_logins == 0
    assert all(session.flashes == [] for session in world.sessions.values())
    # the cookies saved before the snapshot work again, the revoked one too: no login chain
    assert en.client.get("/shop-en/admin/").status_code == 200
    assert nl.client.get("/shop-nl/admin/").status_code == 200
    assert [record.path for record in world.access_log()] == ["admin/", "admin/"]
    # a plain reset still ends every session, and leaves the snapshot for the next reset that keeps it
    assert en.client.post("/__mock__/reset").get_json() == {"ok": True}
    assert world_of(app).sessions == {} and world_of(app).identity.sessions == {}
    assert en.client.post("/__mock__/reset", json={"keep_sessions": True}).get_json()["kept"] == {
        "sessions": 2, "identity_sessions": 1}
    assert en.client.get("/shop-en/admin/").status_code == 200
    assert en.client.post("/__mock__/reset", json={"keep_sessions": "yes"}).status_code == 400
    assert en.client.post("/__mock__/sessions/snapshot", json={"store": "x"}).status_code == 400


def test_revoke_sessions_sends_users_back_to_login(backoffice: BoFactory) -> None:
    en, nl = backoffice("shop-en"), backoffice("shop-nl")
    en.login()
    nl.login()
    response = en.client.post("/__mock__/sessions/revoke", json={"store": "shop-en"})
    assert response.get_json() == {"revoked": 1}
    assert en.client.get("/shop-en/admin/").headers["Location"] == (
        "/shop-en/admin/auth/login?expired=1&next=/shop-en/admin/")
    assert nl.client.get("/shop-nl/admin/").status_code == 200
    assert en.client.post("/__mock__/sessions/revoke").get_json() == {"revoked": 1}
    assert en.client.post("/__mock__/sessions/revoke", json={"store": "x"}).status_code == 400


def test_a_lost_answer_comes_after_the_write_and_the_write_counts_show_a_repeat(backoffice: BoFactory,
                                                                              world: World) -> None:
    bo = backoffice("shop-en")
    bo.login()
    classic = world.stores["shop-en"].markup == "classic"
    token = bo.token()  # before the faults: with error_rate 1 every read fails too (before it is handled)
    form = ({"_method": "patch", "settings[shop_setting][reviews_enabled]": "0", "authenticity_token": token}
            if classic else {"reviews[enabled]": "0", "csrf_token": token})
    set_faults(bo.client, store="shop-en", error_rate=1.0, lose_answer=True, max_errors=1)
    assert bo.client.get("/__mock__/faults").get_json()["stores"]["shop-en"]["lose_answer"] is True
    assert bo.client.post(bo.admin + "/settings/web_extras", data=form).status_code == 500
    assert world.stores["shop-en"].web_extras.reviews_enabled is False  # carried out, its answer lost
    assert bo.client.post(bo.admin + "/settings/web_extras", data=form).status_code == 302  # healed (max_errors)
    writes = bo.client.get("/__mock__/writes?store=shop-en").get_json()
    assert writes == {"shop-en": {"web_extras": {"changed": 1, "unchanged": 1}}}  # the second set what was
    assert bo.client.get("/__mock__/writes?store=nope").status_code == 400
