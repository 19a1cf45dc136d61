"""Every POST needs the session's CSRF token, as a form field or an x-csrf-token header."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from mock_backoffice.state import World
from mock_backoffice.testing import BackofficeClient, csrf_of


def test_login_post_without_token_is_refused(client: FlaskClient, world: World) -> None:
    client.get("/shop-en/admin/login")
    response = client.post("/shop-en/admin/login", data={"email": "en@shop.test", "password": "secret-en"})
    assert response.status_code == 403
    assert "The CSRF token is invalid" in response.get_data(as_text=True)
    assert world.stores["shop-en"].login.attempts == 0


def test_login_post_without_any_session_is_refused(client: FlaskClient) -> None:
    response = client.post("/shop-en/admin/login", data={"csrf_token": "x", "email": "en@shop.test"})
    assert response.status_code == 403


def test_token_of_another_session_is_refused(client: FlaskClient) -> None:
    other = client.application.test_client()
    foreign = csrf_of(other.get("/shop-en/admin/login"))
    client.get("/shop-en/admin/login")
    response = client.post(
        "/shop-en/admin/login", data={"email": "en@shop.test", "password": "secret-en", "csrf_token": foreign}
    )
    assert response.status_code == 403


def test_header_token_is_accepted(client: FlaskClient) -> None:
    token = csrf_of(client.get("/shop-en/admin/login"))
    response = client.post(
        "/shop-en/admin/login",
        data={"email": "en@shop.test", "password": "secret-en"},
        headers={"x-csrf-token": token},
    )
    assert response.status_code == 302


def test_settings_post_without_token_changes_nothing(
    backoffice: Callable[[str], BackofficeClient], world: World
) -> None:
    bo = backoffice("shop-nl")
    bo.login()
    response = bo.client.post("/shop-nl/admin/settings/extras", data={"cookielaw[mode]": "2"})
    assert response.status_code == 403
    assert "Het CSRF-token is ongeldig" in response.get_data(as_text=True)
    assert world.stores["shop-nl"].cookie_law.mode == "none"


def test_every_form_carries_the_token(backoffice: Callable[[str], BackofficeClient]) -> None:
    bo = backoffice("shop-en")
    bo.login()
    html = bo.client.get("/shop-en/admin/settings/extras").get_data(as_text=True)
    token = csrf_of(bo.client.get("/shop-en/admin/settings/extras"))
    assert html.count("<form ") == html.count(f'<input type="hidden" name="csrf_token" value="{token}">') == 2
