"""Login, lockout, two-step verification, sessions and logout of the mock backoffice."""

from __future__ import annotations

from collections.abc import Callable

import pyotp
from flask import Flask
from flask.testing import FlaskClient

from mock_backoffice.state import World
from mock_backoffice.testing import BackofficeClient

BoFactory = Callable[[str], BackofficeClient]


def test_anonymous_request_redirects_to_login_with_next(client: FlaskClient) -> None:
    response = client.get("/shop-en/admin/settings/extras")
    assert response.status_code == 302
    assert response.headers["Location"] == "/shop-en/admin/login?next=/shop-en/admin/settings/extras"


def test_unknown_store_is_404(client: FlaskClient) -> None:
    assert client.get("/nope/admin/login").status_code == 404
    assert client.get("/nope/").status_code == 404


def test_login_page_structure_in_dutch(client: FlaskClient) -> None:
    response = client.get("/shop-nl/admin/login")
    html = response.get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert '<label for="email">E-mailadres</label>' in html
    assert '<input type="email" name="email" id="email"' in html
    assert '<label for="password">Wachtwoord</label>' in html
    assert '<button type="submit" class="btn btn-primary btn-block">Inloggen</button>' in html
    assert "Log in op je backoffice" in html
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("backend_session_id=")
    assert "Path=/shop-nl/admin" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_success_follows_safe_next(backoffice: BoFactory, world: World) -> None:
    bo = backoffice("shop-en")
    response = bo.submit_login(query="?next=/shop-en/admin/settings")
    assert response.status_code == 302 and response.headers["Location"] == "/shop-en/admin/settings"
    page = bo.client.get("/shop-en/admin/settings")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "en@shop.test" in html and '<nav class="sidebar" aria-label="Main">' in html
    assert world.stores["shop-en"].login.successful_logins == 1


def test_login_ignores_foreign_next(app: Flask) -> None:
    for target in ("https://evil.test/", "//evil.test/x", "/shop-nl/admin/", "/shop-en/admin/../../shop-nl/admin"):
        response = BackofficeClient(app.test_client(), "shop-en").submit_login(query=f"?next={target}")
        assert response.headers["Location"] == "/shop-en/admin/", target


def test_login_rotates_session_id(backoffice: BoFactory) -> None:
    bo = backoffice("shop-en")
    before = bo.client.get("/shop-en/admin/login").headers["Set-Cookie"].split(";")[0]
    after = bo.submit_login().headers["Set-Cookie"].split(";")[0]
    assert before != after


def test_wrong_password_shows_localised_alert(backoffice: BoFactory, world: World) -> None:
    response = backoffice("shop-nl").submit_login(password="wrong")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<div class="alert alert-danger" role="alert">Het e-mailadres of wachtwoord is onjuist.</div>' in html
    assert world.stores["shop-nl"].login.failed_attempts == 1


def test_five_failures_lock_even_the_right_password(backoffice: BoFactory, world: World) -> None:
    bo = backoffice("shop-en")
    for _ in range(4):
        assert "is incorrect" in bo.submit_login(password="wrong").get_data(as_text=True)
    locked_text = "Your account has been locked after too many failed login attempts."
    assert locked_text in bo.submit_login(password="wrong").get_data(as_text=True)
    response = bo.submit_login()
    assert response.status_code == 200 and locked_text in response.get_data(as_text=True)
    login = world.stores["shop-en"].login
    assert (login.locked, login.failed_attempts, login.attempts, login.successful_logins) == (True, 5, 6, 0)
    assert not world.stores["shop-nl"].login.locked  # the lock is per store


def test_success_resets_the_failure_counter(backoffice: BoFactory, world: World) -> None:
    bo = backoffice("shop-en")
    for _ in range(4):
        bo.submit_login(password="wrong")
    bo.login()
    assert world.stores["shop-en"].login.failed_attempts == 0


def test_totp_flow(backoffice: BoFactory, world: World) -> None:
    bo = backoffice("shop-totp")
    response = bo.submit_login(query="?next=/shop-totp/admin/orders")
    assert response.headers["Location"] == "/shop-totp/admin/login/verify"
    assert bo.client.get("/shop-totp/admin/orders").status_code == 302  # not logged in yet
    html = bo.client.get("/shop-totp/admin/login/verify").get_data(as_text=True)
    assert '<input type="text" name="code" id="code" autocomplete="one-time-code" inputmode="numeric"' in html
    assert "Two-step verification" in html and "Verify</button>" in html
    response = bo.submit_code(pyotp.TOTP(world.stores["shop-totp"].user.totp_secret or "").now())
    assert response.headers["Location"] == "/shop-totp/admin/orders"
    assert bo.client.get("/shop-totp/admin/orders").status_code == 200
    assert world.stores["shop-totp"].login.successful_logins == 1


def test_wrong_totp_code_counts_as_failure_and_locks(backoffice: BoFactory, world: World) -> None:
    bo = backoffice("shop-totp")
    bo.submit_login()
    html = bo.submit_code("000000").get_data(as_text=True)
    assert '<div class="alert alert-danger" role="alert">The verification code is incorrect.</div>' in html
    for _ in range(4):
        html = bo.submit_code("000000").get_data(as_text=True)
    assert "has been locked" in html
    right_code = pyotp.TOTP(world.stores["shop-totp"].user.totp_secret or "").now()
    assert "has been locked" in bo.submit_code(right_code).get_data(as_text=True)
    assert world.stores["shop-totp"].login.locked


def test_verify_page_without_password_step_goes_to_login(client: FlaskClient) -> None:
    client.get("/shop-totp/admin/login")
    assert client.get("/shop-totp/admin/login/verify").headers["Location"] == "/shop-totp/admin/login"


def test_stores_never_share_a_login(backoffice: BoFactory, client: FlaskClient) -> None:
    backoffice("shop-en").login()
    assert client.get("/shop-en/admin/").status_code == 200
    assert client.get("/shop-nl/admin/").status_code == 302
    # even a stolen cookie value is refused by the other store
    session_id = client.get_cookie("backend_session_id", path="/shop-en/admin")
    assert session_id is not None
    client.set_cookie("backend_session_id", session_id.value, path="/shop-nl/admin")
    assert client.get("/shop-nl/admin/").status_code == 302


def test_logout_ends_the_session(backoffice: BoFactory, world: World) -> None:
    bo = backoffice("shop-en")
    bo.login()
    token = bo.token("/")
    response = bo.client.post("/shop-en/admin/logout", data={"csrf_token": token})
    assert response.headers["Location"] == "/shop-en/admin/login"
    assert bo.client.get("/shop-en/admin/").status_code == 302
    assert world.to_json()["stores"]["shop-en"]["active_sessions"] == 0


def test_backoffice_layout_and_navigation(backoffice: BoFactory) -> None:
    bo = backoffice("shop-nl")
    bo.login()
    html = bo.client.get("/shop-nl/admin/settings").get_data(as_text=True)
    assert '<nav class="sidebar" aria-label="Hoofdmenu">' in html
    for text in ("Dashboard", "Bestellingen", "Producten", "Klanten", "Inhoud", "Pagina's", "Marketing", "Nieuwsbrief"):
        assert f">{text.replace(chr(39), '&#39;')}</a>" in html, text
    assert 'href="/shop-nl/admin/content/pages"' in html
    assert 'href="/shop-nl/admin/marketing/newsletter"' in html
    assert '<a href="/shop-nl/admin/settings/extras">Webextra&#39;s</a>' in html
    assert '<a href="/shop-nl/admin/settings/statistics">Webstatistieken</a>' in html
    for path in ("/", "/orders", "/products", "/customers", "/settings/account"):
        assert bo.client.get("/shop-nl/admin" + path).status_code == 200, path


def test_account_page_revokes_a_session(backoffice: BoFactory, world: World) -> None:
    bo = backoffice("shop-en")
    bo.login()
    html = bo.client.get("/shop-en/admin/settings/account").get_data(as_text=True)
    assert "en@shop.test" in html and "English" in html and "This session" in html
    (session,) = world.store_sessions("shop-en")
    response = bo.client.post(
        f"/shop-en/admin/settings/account/sessions/{session.public_id}/revoke", data={"csrf_token": bo.token("/")}
    )
    assert response.status_code == 302
    assert "expired=1" in bo.client.get("/shop-en/admin/").headers["Location"]


def test_admin_root_without_slash_redirects(client: FlaskClient) -> None:
    response = client.get("/shop-en/admin")
    assert response.status_code == 308 and response.headers["Location"].endswith("/shop-en/admin/")
