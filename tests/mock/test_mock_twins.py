"""The admin pages' JSON twins, the storefront's facts (`?format=json`, `/whois.json`), the access log and the
switches tests use (`POST /__mock__/store-options`).

Public field names (docs/backoffice.md) are asserted exactly; the mock's guesses are asserted too, so that a
change of a guess is a deliberate one (the tool's twin table, flows/labels/twins.yaml, names them)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from mock_backoffice import create_app
from mock_backoffice.testing import BackofficeClient

SEED: dict[str, Any] = {"stores": [
    {"id": "nl", "locale": "nl", "email": "o@nl.test", "password": "pw-nl", "languages": ["nl", "de"],
     "cookie_law": {"mode": "custom", "message": {"nl": "Wij gebruiken cookies.", "de": "Wir nutzen Cookies."}},
     "analytics": {"measurement_id": "G-ABC12345"},
     "subscribers": {"generate": {"count": 260, "passive_before_2018": 20, "seed": 3}}},
    {"id": "off", "locale": "en", "email": "o@off.test", "password": "pw-off", "json_twins": False, "cluster": "us1",
     "newsletter_source_column": True,
     "subscribers": [{"email": "a@x.test", "name": "Ann Lee", "subscribed_at": "2016-01-02", "source": "import"}]},
    {"id": "some", "locale": "en", "email": "o@some.test", "password": "pw-some", "json_twins": {"pages": False}},
]}
TWINS = ("/settings/web_extras.json", "/web_statistics.json", "/pages.json", "/pages/2.json",
         "/newsletter_subscriptions.json", "/customers.json")


def logged_in(store_id: str, client: FlaskClient | None = None) -> BackofficeClient:
    bo = BackofficeClient(client or create_app(SEED).test_client(), store_id)
    bo.login()
    return bo


def twin(bo: BackofficeClient, path: str) -> Any:
    response = bo.client.get(bo.admin + path)
    assert response.status_code == 200 and response.mimetype == "application/json", path
    return response.get_json()


def test_web_extras_and_web_statistics() -> None:
    bo = logged_in("nl")
    settings = twin(bo, "/settings/web_extras.json")["settings"]
    assert settings["google_search_console"] == {"meta_tags": ""}  # public
    assert settings["cookie_law"] == {"mode": "custom", "manage_cookies": True,  # guesses
                                      "message": {"nl": "Wij gebruiken cookies.", "de": "Wir nutzen Cookies."}}
    statistics = twin(bo, "/web_statistics.json")["web_statistics"]["stats_google_analytics"]
    assert statistics["tracking_id"] == "G-ABC12345"  # public
    assert statistics["consent_mode"] is True and statistics["default_analytics_storage"] == "denied"  # guesses


def test_pages_per_language() -> None:
    bo = logged_in("nl")
    listed = twin(bo, "/pages.json")
    assert [page["url"] for page in listed["pages"]][:2] == ["about", "privacy-policy"]
    assert listed["pages"][1] == {"id": 2, "url": "privacy-policy", "is_visible": True,
                                  "title": {"nl": "Privacybeleid", "de": "Datenschutzerklärung"}}
    page = twin(bo, "/pages/2.json")["page"]
    assert page["content"]["nl"] == "<p>Wij respecteren je privacy.</p>" and set(page["content"]) == {"nl", "de"}
    assert bo.client.get(bo.admin + "/pages/99.json").status_code == 404


def test_newsletter_subscriptions_are_paged_up_to_250_without_a_source_by_default() -> None:
    bo = logged_in("nl")
    first = twin(bo, "/newsletter_subscriptions.json?limit=1000")
    assert first["links"] == {"pages": 2, "page": 1, "limit": 250, "count": 260}
    second = twin(bo, "/newsletter_subscriptions.json?limit=250&page=2")
    rows = first["newsletter_subscriptions"] + second["newsletter_subscriptions"]
    assert len(rows) == 260 and len({row["email"] for row in rows}) == 260
    assert set(rows[0]) == {"id", "email", "firstname", "lastname", "created_at", "is_confirmed"}
    listed = [s.email for s in bo.store.active_subscribers()]
    assert [row["email"] for row in rows] == listed  # the list's order: newest first
    assert twin(bo, "/newsletter_subscriptions.json")["links"]["limit"] == 25  # the list's own page size


def test_a_store_showing_the_source_column_says_it_in_its_twin_too() -> None:
    client = create_app({**SEED, "stores": [{**SEED["stores"][1], "json_twins": True}]}).test_client()
    bo = logged_in("off", client)
    [row] = twin(bo, "/newsletter_subscriptions.json")["newsletter_subscriptions"]
    assert (row["email"], row["firstname"], row["lastname"], row["created_at"][:10], row["source"]) == (
        "a@x.test", "Ann", "Lee", "2016-01-02", "import")


def test_customers_carry_the_public_fields() -> None:
    data = twin(logged_in("nl"), "/customers.json?limit=2")
    assert data["links"]["pages"] == 2 and len(data["customers"]) == 2
    assert {"is_gdpr_anonymised", "is_confirmed", "notify_newsletter", "email"} <= set(data["customers"][0])


@pytest.mark.parametrize(("store_id", "missing"), [("off", TWINS), ("some", ("/pages.json", "/pages/2.json"))])
def test_json_twins_can_be_switched_off(store_id: str, missing: tuple[str, ...]) -> None:
    bo = logged_in(store_id)
    for path in TWINS:
        expected = 404 if path in missing else 200
        assert bo.client.get(bo.admin + path).status_code == expected, path


def test_twins_need_a_login_like_their_pages() -> None:
    client = create_app(SEED).test_client()
    response = client.get("/nl/admin/settings/web_extras.json")
    assert response.status_code == 302 and "/nl/admin/auth/login?next=" in response.headers["Location"]


def test_storefront_facts() -> None:
    client = create_app(SEED).test_client()
    shop = client.get("/nl/service/privacy-policy/?format=json").get_json()
    assert list(shop["shop"]["languages"]) == ["nl", "de"]
    assert shop["shop"]["languages"]["de"]["url"] == "http://localhost/nl/de/"
    assert shop["page"]["url"] == "privacy-policy" and shop["gtag"]["gtag_id"] == "G-ABC12345"
    assert client.get("/nl/de/?format=json").get_json()["shop"]["language"] == "de"
    assert client.get("/nl/whois.json").get_json()["clusterId"] == "eu1"
    assert client.get("/off/whois.json").get_json()["clusterId"] == "us1"


def test_the_access_log_names_every_path_asked_for_old_ones_included() -> None:
    client = create_app(SEED).test_client()
    bo = logged_in("some", client)
    bo.client.get(bo.admin + "/settings/web_extras.json")
    bo.client.get(bo.admin + "/settings/extras")
    log = client.get("/__mock__/requests?store=some").get_json()["requests"]
    assert {"store": "some", "method": "GET", "path": "admin/settings/web_extras.json", "status": 200} in log
    assert {"store": "some", "method": "GET", "path": "admin/settings/extras", "status": 404} in log
    assert not any("token=" in record["path"] for record in log)  # never a query: the chain's carry secrets
    client.post("/__mock__/reset", json={})
    assert client.get("/__mock__/requests").get_json()["requests"] == []


def test_store_options_switch_markup_twins_and_the_source_column_until_reset() -> None:
    app = create_app(SEED)
    client = app.test_client()
    answer = client.post("/__mock__/store-options", json={"markup": "aria", "json_twins": {"customers": False}})
    assert answer.get_json()["nl"] == {"markup": "aria", "newsletter_source_column": False,
                                       "json_twins": ["newsletter_subscriptions", "pages", "web_extras",
                                                      "web_statistics"]}
    assert answer.get_json()["off"]["json_twins"] == []  # a twin switched off by the seed stays off
    client.post("/__mock__/store-options", json={"store": "nl", "newsletter_source_column": True})
    bo = logged_in("nl", client)
    assert 'role="status"' not in bo.client.get(bo.admin + "/settings/web_extras").get_data(as_text=True)
    assert "<th>Bron</th>" in bo.client.get(bo.admin + "/newsletter_subscriptions").get_data(as_text=True)
    for body, error in (({"markup": "fancy"}, "markup: one of classic, aria"), ({"store": "x"}, "store: unknown"),
                        ({"json_twins": {"orders": True}}, "json_twins: true, false or")):
        refused = client.post("/__mock__/store-options", json=body)
        assert refused.status_code == 400 and error in refused.get_json()["error"]
    client.post("/__mock__/reset", json={})
    assert client.get("/__mock__/state").get_json()["stores"]["nl"]["markup"] == "classic"
