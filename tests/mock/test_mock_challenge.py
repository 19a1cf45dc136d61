"""The Cloudflare-like bot check in front of a store's login chain (seed `bot_challenge: true`)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, expect, sync_playwright

from mock_backoffice import MockServer, create_app, world_of

SEED: dict[str, Any] = {
    "stores": [
        {"id": "guarded", "locale": "en", "email": "owner@guarded.test", "password": "pw-guarded",
         "bot_challenge": True},
        {"id": "open", "locale": "en", "email": "owner@open.test", "password": "pw-open"},
    ]
}


@pytest.fixture
def app() -> Flask:
    return create_app(SEED)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def challenge_urls(html: str) -> dict[str, str]:
    found = dict(re.findall(r'data-(status|verify|pass)="([^"]+)"', html))
    return {name: url.replace("&amp;", "&") for name, url in found.items()}


def test_the_login_chain_answers_with_a_challenge(client: FlaskClient) -> None:
    entry = client.get("/guarded/admin/settings")
    assert entry.headers["Location"] == "/guarded/admin/auth/login?next=/guarded/admin/settings"
    response = client.get(entry.headers["Location"])
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and response.headers["cf-mitigated"] == "challenge"
    assert "<title>Just a moment...</title>" in html and "Checking your browser" in html
    assert "Verify you are human" in html and "navigator.webdriver" in html
    assert client.get("/__mock__/challenges").get_json() == {
        "guarded": {"pending": 1, "solved": 0, "passed": 0, "clicks": 0}}
    # the store without the flag goes straight on to the identity service
    assert client.get("/open/admin/auth/login").headers["Location"].startswith("http://identity.localhost/")


def test_solving_sets_a_clearance_and_the_chain_goes_on(client: FlaskClient, app: Flask) -> None:
    urls = challenge_urls(client.get("/guarded/admin/auth/login?next=/guarded/admin/orders").get_data(as_text=True))
    assert client.get(urls["status"]).get_json() == {"solved": False}
    not_yet = client.get(urls["pass"])  # not solved: no clearance, back to the challenge
    assert "Set-Cookie" not in not_yet.headers
    assert client.get(not_yet.headers["Location"]).status_code == 403

    assert client.post("/__mock__/challenges/solve", json={"store": "guarded"}).get_json() == {"solved": 2}
    assert client.get(urls["status"]).get_json() == {"solved": True}
    passed = client.get(urls["pass"])
    assert passed.headers["Location"] == "/guarded/admin/auth/login?next=/guarded/admin/orders"
    cookie = passed.headers["Set-Cookie"]
    assert cookie.startswith("cf_clearance=") and "Path=/guarded/" in cookie and "HttpOnly" in cookie
    onward = client.get(passed.headers["Location"])
    assert onward.status_code == 302 and onward.headers["Location"].startswith("http://identity.localhost/auth/login?")
    assert client.get(urls["status"]).status_code == 404  # a passed challenge is gone; the page reloads
    assert client.get(urls["pass"]).headers.get("Set-Cookie") is None  # and cannot be passed twice
    assert world_of(app).to_json()["stores"]["guarded"]["challenges"]["passed"] == 1


def test_a_clearance_is_per_store_and_expires(client: FlaskClient, app: Flask) -> None:
    now = [1_700_000_000.0]
    world_of(app).clock = lambda: now[0]
    urls = challenge_urls(client.get("/guarded/admin/auth/login").get_data(as_text=True))
    client.post("/__mock__/challenges/solve", json={"store": "guarded"})
    client.get(urls["pass"])
    assert client.get("/guarded/admin/auth/login").status_code == 302
    now[0] += 31 * 60
    assert client.get("/guarded/admin/auth/login").status_code == 403


def test_the_pass_link_only_leads_back_into_the_store_chain(client: FlaskClient) -> None:
    urls = challenge_urls(client.get("/guarded/admin/auth/login").get_data(as_text=True))
    client.post("/__mock__/challenges/solve", json={"store": "guarded"})
    evil = re.sub(r"next=[^&]*", "next=//evil.test/", urls["pass"])
    assert client.get(evil).headers["Location"] == "/guarded/admin/auth/login"


def test_solve_control_refuses_bad_requests(client: FlaskClient) -> None:
    assert client.post("/__mock__/challenges/solve", json={"store": "guarded"}).get_json() == {"solved": 0}
    for body, message in (({"store": "open"}, "has no bot challenge"), ({"store": "nope"}, "unknown store"),
                          ({"shop": "guarded"}, "shop: unknown key"), ([1], "must be a JSON object")):
        response = client.post("/__mock__/challenges/solve", json=body)
        assert response.status_code == 400 and message in response.get_json()["error"], body


def test_reset_forgets_challenges_and_clearances(client: FlaskClient) -> None:
    urls = challenge_urls(client.get("/guarded/admin/auth/login").get_data(as_text=True))
    client.post("/__mock__/challenges/solve", json={"store": "guarded"})
    client.get(urls["pass"])
    client.post("/__mock__/reset")
    assert client.get("/guarded/admin/auth/login").status_code == 403
    assert client.get("/__mock__/challenges").get_json()["guarded"]["passed"] == 0


# --- in a real Chromium: the page's own script ---------------------------------------------------------------
@pytest.fixture(scope="module")
def playwright_browsers() -> Iterator[tuple[Browser, Browser]]:
    """(an automated Chromium: navigator.webdriver is true; one that hides it, standing in for a person's)"""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        try:
            automated = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
            personal = playwright.chromium.launch(
                executable_path=executable, args=["--no-sandbox", "--disable-blink-features=AutomationControlled"])
        except Exception as exc:  # no browser on this machine: the HTTP-level tests still cover the server
            pytest.skip(f"Chromium not available: {exc}")
        yield automated, personal
        automated.close()
        personal.close()


@pytest.mark.browser
def test_automation_never_passes_on_its_own_until_the_control_solves_it(
        playwright_browsers: tuple[Browser, Browser]) -> None:
    automated, _ = playwright_browsers
    with MockServer(SEED) as server:
        page = automated.new_page()
        page.set_default_timeout(10_000)
        response = page.goto(f"{server.url}/guarded/admin/")
        assert response is not None and response.status == 403 and response.headers["cf-mitigated"] == "challenge"
        expect(page).to_have_title("Just a moment...")
        assert page.evaluate("navigator.webdriver") is True
        page.get_by_label("Verify you are human").check()  # the script ignores a click under automation
        expect(page.get_by_text("Checking your browser")).to_be_visible()
        server.app.test_client().post("/__mock__/challenges/solve", json={"store": "guarded"})
        page.get_by_label("Email address").wait_for()  # the page went on, to the identity service
        assert page.url.startswith(f"{server.id_url}/auth/login?")
        assert server.world.challenges.to_json("guarded")["clicks"] == 0
        assert any(c["name"] == "cf_clearance" for c in page.context.cookies())
        page.context.close()


@pytest.mark.browser
def test_a_person_passes_with_a_click(playwright_browsers: tuple[Browser, Browser]) -> None:
    _, personal = playwright_browsers
    with MockServer(SEED) as server:
        page = personal.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{server.url}/guarded/admin/orders")
        expect(page).to_have_title("Just a moment...")
        page.get_by_label("Verify you are human").check()
        page.get_by_label("Email address").fill("owner@guarded.test")
        page.get_by_label("Password").fill("pw-guarded")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Orders")).to_be_visible()
        assert page.url == f"{server.url}/guarded/admin/orders"
        assert server.world.challenges.to_json("guarded") == {"pending": 0, "solved": 0, "passed": 1, "clicks": 1}
        page.context.close()
