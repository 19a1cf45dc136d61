"""Every POST needs the session's CSRF token, as a form field or an x-csrf-token header: the backoffice's
forms and the identity service's login form alike."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from mock_backoffice.state import World
from mock_backoffice.testing import BackofficeClient, csrf_of


def _login_form(bo: BackofficeClient) -> tuple[str, str]:
    """The identity service's login page for shop-en: (its form's absolute URL, its CSRF token)."""
    page = bo.login_page()
    return bo.url, csrf_of(page)


def test_login_post_without_token_is_refused(backoffice: Callable[[str], BackofficeClient], world: World) -> None:
    bo = backoffice("shop-en")
    url, _ = _login_form(bo)
    response = bo.identity.post(url, data={"username": "en@shop.test", "password": "secret-en"})
    assert response.status_code == 403
    assert "Your login form has expired" in response.get_data(as_text=True)
    assert world.stores["shop-en"].login.attempts == 0 and world.stores["shop-en"].account.attempts == 0


def test_login_post_without_any_session_is_refused(backoffice: Callable[[str], BackofficeClient]) -> None:
    bo = backoffice("shop-en")
    url, token = _login_form(bo)
    fresh = bo.identity.application.test_client()  # another browser: no identity session at all
    response = fresh.post(url, data={"csrf_token": token, "username": "en@shop.test", "password": "secret-en"})
    assert response.status_code == 403


def test_token_of_another_session_is_refused(app: Flask) -> None:
    _, foreign = _login_form(BackofficeClient(app.test_client(), "shop-en"))
    bo = BackofficeClient(app.test_client(), "shop-en")
    url, _ = _login_form(bo)
    response = bo.identity.post(url, data={"username": "en@shop.test", "password": "secret-en", "csrf_token": foreign})
    assert response.status_code == 403


def test_header_token_is_accepted(backoffice: Callable[[str], BackofficeClient]) -> None:
    bo = backoffice("shop-en")
    url, token = _login_form(bo)
    response = bo.identity.post(url, data={"username": "en@shop.test", "password": "secret-en"},
                                headers={"x-csrf-token": token})
    assert response.status_code == 302 and "/auth/callback?" in response.headers["Location"]


def test_settings_post_without_token_changes_nothing(
    backoffice: Callable[[str], BackofficeClient], world: World
) -> None:
    bo = backoffice("shop-nl")
    bo.login()
    response = bo.client.post("/shop-nl/admin/settings/web_extras", data={"cookielaw[mode]": "2"})
    assert response.status_code == 403
    assert "Het CSRF-token is ongeldig" in response.get_data(as_text=True)
    assert world.stores["shop-nl"].cookie_law.mode == "none"


def test_every_form_carries_the_token(backoffice: Callable[[str], BackofficeClient]) -> None:
    bo = backoffice("shop-en")
    bo.login()
    html = bo.client.get("/shop-en/admin/settings/web_extras").get_data(as_text=True)
    token = csrf_of(bo.client.get("/shop-en/admin/settings/web_extras"))
    assert html.count("<form ") == html.count(f'<input type="hidden" name="csrf_token" value="{token}">') == 2
