"""The login chain: store -> identity service (another origin) -> callback -> one-time token -> backoffice.

Also lockout, two-step verification with recovery codes, agency accounts, sessions and logout.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_backoffice import create_app, world_of
from mock_backoffice.i18n import LABELS
from mock_backoffice.state import World
from mock_backoffice.testing import BackofficeClient

#: TOTP codes are the mock's world clock's (issue #25): computed here from `world.clock()`, never the real clock
pytestmark = pytest.mark.clock

BoFactory = Callable[[str], BackofficeClient]
IDENTITY = "http://identity.localhost"


def test_anonymous_request_enters_the_chain_and_reaches_the_identity_service(client: FlaskClient) -> None:
    response = client.get("/shop-en/admin/settings/extras")
    assert response.status_code == 302
    assert response.headers["Location"] == "/shop-en/admin/auth/login?next=/shop-en/admin/settings/extras"
    response = client.get(response.headers["Location"])
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{IDENTITY}/auth/login"
    query = parse_qs(location.query)
    assert query["client_id"] == ["ecom-eu"] and query["target_shop_id"] == ["shop-en"]
    assert query["redirect_uri"] == [f"{IDENTITY}/auth/callback"] and len(query["state"][0]) >= 16


def test_old_login_pages_are_gone(client: FlaskClient) -> None:
    assert client.get("/shop-en/admin/login").status_code == 404
    assert client.post("/shop-en/admin/login/verify").status_code == 404


def test_unknown_store_is_404_and_a_bad_login_request_is_400(backoffice: BoFactory, client: FlaskClient) -> None:
    assert client.get("/nope/admin/auth/login").status_code == 404
    assert client.get("/nope/").status_code == 404
    bo = backoffice("shop-en")
    bo.login_page()
    for change in (("target_shop_id=shop-en", "target_shop_id=nope"), ("client_id=ecom-eu", "client_id=other"),
                   ("redirect_uri=http", "redirect_uri=https")):
        response = bo.identity.get(bo.url.replace(*change))
        assert response.status_code == 400, change
        assert 'role="alert">This login link is not valid.' in response.get_data(as_text=True)


def test_identity_login_page_in_dutch(backoffice: BoFactory) -> None:
    bo = backoffice("shop-nl")
    page = bo.login_page()
    html = page.get_data(as_text=True)
    assert bo.url.startswith(f"{IDENTITY}/auth/login?")
    assert '<html lang="nl">' in html and "Log in met je Lightspeed-account" in html and "Winkel NL" in html
    assert '<label for="username">E-mailadres</label>' in html
    assert '<input type="email" name="username" id="username"' in html
    assert '<input type="password" name="password" id="password"' in html
    assert '<button type="submit">Inloggen</button>' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing loaded from elsewhere
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith("lsid_session=") and "Path=/auth" in cookie and "HttpOnly" in cookie


def test_login_lands_on_the_safe_next_with_a_store_session(backoffice: BoFactory, world: World) -> None:
    bo = backoffice("shop-en")
    response = bo.submit_login(query="?next=/shop-en/admin/settings")
    assert response.status_code == 302 and response.headers["Location"].startswith(f"{IDENTITY}/auth/callback?")
    callback = bo.open(response.headers["Location"])
    sso = urlsplit(callback.headers["Location"])
    assert sso.path == "/shop-en/admin/auth/sso" and list(parse_qs(sso.query)) == ["token"]
    landed = bo.open(callback.headers["Location"])
    assert landed.status_code == 302 and landed.headers["Location"] == "/shop-en/admin/settings"
    cookie = landed.headers["Set-Cookie"]
    assert cookie.startswith("backend_session_id=") and "Path=/shop-en/admin" in cookie and "HttpOnly" in cookie
    page = bo.follow(landed)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "en@shop.test" in html and '<nav class="sidebar" aria-label="Main">' in html
    assert bo.logged_in
    assert world.stores["shop-en"].login.successful_logins == 1


def test_login_ignores_foreign_next(app: Flask) -> None:
    for target in ("https://evil.test/", "//evil.test/x", "/shop-nl/admin/", "/shop-en/admin/../../shop-nl/admin",
                   "/shop-en/admin/auth/sso?token=x"):
        bo = BackofficeClient(app.test_client(), "shop-en")
        bo.follow(bo.submit_login(query=f"?next={target}"))
        assert bo.url == "http://localhost/shop-en/admin/", target


def test_login_rotates_both_session_ids(backoffice: BoFactory) -> None:
    bo = backoffice("shop-en")
    bo.login_page()
    store_before = bo.client.get_cookie("backend_session_id", path="/shop-en/admin")
    identity_before = bo.identity.get_cookie("lsid_session", domain="identity.localhost", path="/auth")
    bo.login()
    store_after = bo.client.get_cookie("backend_session_id", path="/shop-en/admin")
    identity_after = bo.identity.get_cookie("lsid_session", domain="identity.localhost", path="/auth")
    assert store_before is not None and store_after is not None and store_before.value != store_after.value
    assert identity_before is not None and identity_after is not None
    assert identity_before.value != identity_after.value


def test_wrong_password_shows_localised_alert(backoffice: BoFactory, world: World) -> None:
    response = backoffice("shop-nl").submit_login(password="wrong")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<div class="alert" role="alert">Het e-mailadres of wachtwoord is onjuist.</div>' in html
    assert 'value="nl@shop.test"' in html  # the email stays filled in
    assert world.stores["shop-nl"].account.failed_attempts == 1
    assert world.to_json()["stores"]["shop-nl"]["login"]["failed_attempts"] == 1


def test_unknown_email_is_refused_like_a_wrong_password_but_locks_nothing(backoffice: BoFactory,
                                                                          world: World) -> None:
    bo = backoffice("shop-en")
    for _ in range(6):
        html = bo.submit_login(email="nobody@shop.test").get_data(as_text=True)
        assert "The email address or password is incorrect." in html
    assert world.stores["shop-en"].login.attempts == 6
    assert world.stores["shop-en"].account.attempts == 0 and not world.stores["shop-en"].account.locked
    bo.login()


def test_five_failures_lock_the_account_even_for_the_right_password(backoffice: BoFactory, world: World) -> None:
    bo = backoffice("shop-en")
    for _ in range(4):
        assert "is incorrect" in bo.submit_login(password="wrong").get_data(as_text=True)
    locked_text = "Your account has been locked after too many failed login attempts."
    assert locked_text in bo.submit_login(password="wrong").get_data(as_text=True)
    response = bo.submit_login()
    assert response.status_code == 200 and locked_text in response.get_data(as_text=True)
    account = world.stores["shop-en"].account
    assert (account.locked, account.failed_attempts, account.attempts, account.successful_logins) == (True, 5, 6, 0)
    state = world.to_json()["stores"]["shop-en"]["login"]
    assert state == {"failed_attempts": 5, "locked": True, "successful_logins": 0, "attempts": 6}
    assert not world.stores["shop-nl"].account.locked  # the lock is the account's


def test_success_resets_the_failure_counter(backoffice: BoFactory, world: World) -> None:
    bo = backoffice("shop-en")
    for _ in range(4):
        bo.submit_login(password="wrong")
    bo.login()
    assert world.stores["shop-en"].account.failed_attempts == 0


def test_two_step_code_page_and_flow(backoffice: BoFactory, world: World) -> None:
    bo = backoffice("shop-totp")
    response = bo.submit_login(query="?next=/shop-totp/admin/orders")
    assert response.status_code == 302 and "/auth/login/code?" in response.headers["Location"]
    assert bo.client.get("/shop-totp/admin/orders").status_code == 302  # not logged in yet
    page = bo.follow(response)
    html = page.get_data(as_text=True)
    assert '<input type="text" name="code" id="code" autocomplete="one-time-code"' in html
    assert "Two-step verification" in html and "<button type=\"submit\">Verify</button>" in html
    assert "recovery codes" in html
    response = bo.submit_code(pyotp.TOTP(world.stores["shop-totp"].account.totp_secret or "").at(int(world.clock())),
                              page)
    bo.follow(response)
    assert bo.url == "http://localhost/shop-totp/admin/orders"
    assert world.stores["shop-totp"].login.successful_logins == 1


def test_a_code_is_checked_against_the_world_clock_give_or_take_one_step(
        backoffice: BoFactory, fake_clock: list[float], world: World) -> None:
    totp = pyotp.TOTP(world.stores["shop-totp"].account.totp_secret or "")
    bo = backoffice("shop-totp")
    page = bo.follow(bo.submit_login())
    stale = bo.submit_code(totp.at(int(fake_clock[0]) - 90), page).get_data(as_text=True)  # three steps old
    assert "The verification code is incorrect." in stale
    bo.follow(bo.submit_code(totp.at(int(fake_clock[0]) - 30)))  # the step before the world's: still accepted
    assert bo.logged_in


def test_a_recovery_code_works_once(backoffice: BoFactory, app: Flask, world: World) -> None:
    account = world.stores["shop-totp"].account
    first = account.recovery_codes[2]
    bo = backoffice("shop-totp")
    bo.submit_login()
    bo.follow(bo.submit_code(f" {first.upper()} "))  # case and surrounding spaces do not matter
    assert bo.logged_in
    assert app.test_client().get("/__mock__/accounts?store=shop-totp").get_json()["recovery_codes_used"] == [3]

    again = BackofficeClient(app.test_client(), "shop-totp")  # another browser
    again.submit_login()
    html = again.submit_code(first).get_data(as_text=True)
    assert "The verification code is incorrect." in html and account.failed_attempts == 1
    again.follow(again.submit_code(account.recovery_codes[0].replace("-", "")))  # dashes do not matter either
    assert again.logged_in and account.recovery_codes_used == [3, 1]


def test_wrong_code_counts_as_failure_and_locks(backoffice: BoFactory, world: World) -> None:
    bo = backoffice("shop-totp")
    bo.submit_login()
    html = bo.submit_code("000000").get_data(as_text=True)
    assert '<div class="alert" role="alert">The verification code is incorrect.</div>' in html
    for _ in range(4):
        html = bo.submit_code("000000").get_data(as_text=True)
    assert "has been locked" in html
    right_code = pyotp.TOTP(world.stores["shop-totp"].account.totp_secret or "").at(int(world.clock()))
    assert "has been locked" in bo.submit_code(right_code).get_data(as_text=True)
    assert world.stores["shop-totp"].account.locked and world.stores["shop-totp"].login.attempts == 7


def test_code_page_without_the_password_step_goes_back_to_the_form(backoffice: BoFactory) -> None:
    bo = backoffice("shop-totp")
    bo.login_page()
    response = bo.identity.get(bo.url.replace("/auth/login?", "/auth/login/code?"))
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login?")


def test_the_one_time_token_works_once(backoffice: BoFactory, app: Flask, world: World) -> None:
    bo = backoffice("shop-en")
    callback = bo.open(bo.submit_login().headers["Location"])
    sso = callback.headers["Location"]
    bo.follow(bo.open(sso))
    assert bo.logged_in
    thief = BackofficeClient(app.test_client(), "shop-en")  # the same link in another browser
    response = thief.open(sso)
    assert response.status_code == 302 and response.headers["Location"] == "/shop-en/admin/auth/login"
    thief.follow(response)
    assert thief.url.startswith(f"{IDENTITY}/auth/login?")  # asked for the password, not logged in
    assert world.stores["shop-en"].login.successful_logins == 1


def test_the_one_time_token_expires_after_60_seconds(backoffice: BoFactory, fake_clock: list[float],
                                                     world: World) -> None:
    bo = backoffice("shop-en")
    sso = bo.open(bo.submit_login().headers["Location"]).headers["Location"]
    fake_clock[0] += 61
    response = bo.open(sso)
    assert response.headers["Location"] == "/shop-en/admin/auth/login"
    assert world.stores["shop-en"].login.successful_logins == 0
    bo.follow(response)  # the identity session still lives: a new token, and in
    assert bo.logged_in and world.stores["shop-en"].login.successful_logins == 1


def test_a_token_for_one_store_does_not_open_another(backoffice: BoFactory, world: World) -> None:
    bo = backoffice("shop-en")
    sso = bo.open(bo.submit_login().headers["Location"]).headers["Location"]
    response = bo.open(sso.replace("/shop-en/", "/shop-nl/"))
    assert response.headers["Location"] == "/shop-nl/admin/auth/login"
    assert world.stores["shop-nl"].login.successful_logins == 0
    bo.follow(bo.open(sso))  # and it still works where it belongs
    assert bo.logged_in


def test_callback_without_an_identity_session_asks_for_the_password(backoffice: BoFactory) -> None:
    bo = backoffice("shop-en")
    bo.login_page()
    callback = bo.url.replace("/auth/login?", "/auth/callback?")
    response = bo.identity.get(callback)
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login?")


def test_an_account_without_the_store_gets_no_access(backoffice: BoFactory, world: World) -> None:
    response = backoffice("shop-en").submit_login(email="nl@shop.test", password="geheim-nl")
    assert "This account has no access to this store." in response.get_data(as_text=True)
    assert world.stores["shop-nl"].account.failed_attempts == 0


AGENCY_SEED: dict[str, Any] = {
    "stores": [
        {"id": "client-a", "locale": "nl", "email": "Agency@web.test", "two_step": True},
        {"id": "client-b", "locale": "en", "email": "agency@web.test"},
        {"id": "own-shop", "locale": "en", "email": "owner@own.test"},
    ]
}


@pytest.fixture
def agency() -> Flask:
    return create_app(AGENCY_SEED)


def test_an_agency_login_opens_its_other_stores_without_the_password_form(agency: Flask) -> None:
    browser = agency.test_client()
    first = BackofficeClient(browser, "client-a")
    first.login()
    second = BackofficeClient(browser, "client-b")
    second.follow(second.open("/client-b/admin/settings"))
    assert second.logged_in and second.url == "http://localhost/client-b/admin/settings"
    assert not any("/auth/login/code" in url for url in second.visited)
    account = world_of(agency).stores["client-b"].account
    assert account is world_of(agency).stores["client-a"].account and account.two_step
    assert (account.attempts, account.successful_logins) == (2, 1)  # password + code, once
    state = browser.get("/__mock__/accounts?email=agency@web.test").get_json()
    assert state["stores"] == ["client-a", "client-b"] and state["identity_sessions"] == 1

    # a store of another account still asks, and so does the agency's store in another browser
    own = BackofficeClient(browser, "own-shop")
    own.follow(own.open("/own-shop/admin/"))
    assert own.url.startswith(f"{IDENTITY}/auth/login?")
    elsewhere = BackofficeClient(agency.test_client(), "client-b")
    elsewhere.follow(elsewhere.open("/client-b/admin/"))
    assert elsewhere.url.startswith(f"{IDENTITY}/auth/login?")


def test_an_agency_account_locks_for_all_its_stores(agency: Flask) -> None:
    bo = BackofficeClient(agency.test_client(), "client-b")
    for _ in range(5):
        bo.submit_login(password="wrong")
    other = BackofficeClient(agency.test_client(), "client-a")  # in Dutch, the store's language
    assert "Je account is geblokkeerd" in other.submit_login().get_data(as_text=True)
    state = world_of(agency).to_json()["stores"]
    assert state["client-a"]["login"]["locked"] and state["client-b"]["login"]["locked"]
    assert not state["own-shop"]["login"]["locked"]


def test_stores_never_share_a_session(backoffice: BoFactory, client: FlaskClient) -> None:
    backoffice("shop-en").login()
    assert client.get("/shop-en/admin/").status_code == 200
    assert client.get("/shop-nl/admin/").status_code == 302
    # even a stolen cookie value is refused by the other store
    session_id = client.get_cookie("backend_session_id", path="/shop-en/admin")
    assert session_id is not None
    client.set_cookie("backend_session_id", session_id.value, path="/shop-nl/admin")
    assert client.get("/shop-nl/admin/").status_code == 302


def test_logout_ends_the_store_and_the_identity_session(backoffice: BoFactory, world: World) -> None:
    bo = backoffice("shop-en")
    bo.login()
    response = bo.client.post("/shop-en/admin/auth/logout", data={"csrf_token": bo.token("/")})
    assert response.headers["Location"] == f"{IDENTITY}/auth/logout?target_shop_id=shop-en"
    assert world.to_json()["stores"]["shop-en"]["active_sessions"] == 0
    bo.follow(response)
    assert bo.url.startswith(f"{IDENTITY}/auth/login?")  # the password form again
    assert world.identity.sessions == {} or all(s.email is None for s in world.identity.sessions.values())


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
    assert 'action="/shop-nl/admin/auth/logout"' in html
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
    assert bo.client.get("/shop-en/admin/").headers["Location"].startswith("/shop-en/admin/auth/login?expired=1")


def test_admin_root_without_slash_redirects(client: FlaskClient) -> None:
    response = client.get("/shop-en/admin")
    assert response.status_code == 308 and response.headers["Location"].endswith("/shop-en/admin/")


def test_accounts_control_endpoint(client: FlaskClient, backoffice: BoFactory) -> None:
    backoffice("shop-totp").submit_login(password="wrong")
    everything = client.get("/__mock__/accounts").get_json()["accounts"]
    assert set(everything) == {"nl@shop.test", "en@shop.test", "totp@shop.test", "custom@shop.test"}
    totp = client.get("/__mock__/accounts?store=shop-totp").get_json()
    assert totp == {"email": "totp@shop.test", "stores": ["shop-totp"], "two_step": True, "failed_attempts": 1,
                    "locked": False, "attempts": 1, "successful_logins": 0, "recovery_codes": 10,
                    "recovery_codes_used": [], "identity_sessions": 0}
    assert client.get("/__mock__/accounts?email=TOTP@shop.test").get_json() == totp
    assert client.get("/__mock__/accounts?store=nope").status_code == 400
    assert client.get("/__mock__/accounts?email=x@y.test").status_code == 400
    assert client.get("/__mock__/state").get_json()["accounts"]["totp@shop.test"]["failed_attempts"] == 1


@pytest.mark.parametrize("locale", ["en", "nl", "de", "fr"])
def test_identity_pages_speak_the_store_language(locale: str) -> None:
    app = create_app({"stores": [{"id": "s", "locale": locale, "email": "o@s.test", "two_step": True}]})
    bo = BackofficeClient(app.test_client(), "s")
    html = bo.login_page().get_data(as_text=True)
    labels = LABELS[locale]
    assert f'<html lang="{locale}">' in html and labels["id_heading"] in html
    assert f'<label for="username">{labels["email_label"]}</label>' in html
    assert f'<button type="submit">{labels["login_button"]}</button>' in html
    code = bo.follow(bo.submit_login()).get_data(as_text=True)
    assert f'<button type="submit">{labels["verify_button"]}</button>' in code
    assert f'<label for="code">{labels["code_label"]}</label>' in code
