"""Each setting reads its JSON twin first and the rendered page when the twin is missing or lacks a field: both
ways give the same reading and the same plan, the page way says so once per store, and the twin way renders
nothing (the mock's access log shows the `.json` address and not the page's)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from ecom_privacy.models import LoginSecrets
from ecom_privacy.setting import Setting, StoreSession, read_notes
from flows.analytics import AnalyticsDesired, AnalyticsSetting
from flows.ccpa_page import CcpaPageDesired, CcpaPageSetting
from flows.cookie_law import CookieLawDesired, CookieLawSetting
from flows.labels.overrides import load_ui_overrides
from flows.login import login
from flows.newsletter_archive import NewsletterArchiveDesired, NewsletterArchiveSetting
from flows.privacy_policy import PrivacyPolicyDesired, PrivacyPolicySetting
from mock_backoffice import MockServer
from tests.flows.conftest import SessionFactory
from tests.flows.content_support import CCPA_TEMPLATE, POLICY_TEMPLATE, STORE_VARS
from tests.support import EMAILS, PASSWORDS, http_json

DESIRED: dict[str, tuple[Setting[Any, Any], Any]] = {
    "cookie_law": (CookieLawSetting(), CookieLawDesired(mode="custom", message="Wij gebruiken cookies.")),
    "analytics": (AnalyticsSetting(), AnalyticsDesired(measurement_id="G-ABC12345")),
    "privacy_policy": (PrivacyPolicySetting(), PrivacyPolicyDesired(mode="require", template=POLICY_TEMPLATE)),
    "ccpa_page": (CcpaPageSetting(), CcpaPageDesired(template=CCPA_TEMPLATE)),
    "newsletter_archive": (NewsletterArchiveSetting(), NewsletterArchiveDesired(enabled=True, sources="any")),
}


async def logged_in(store_session: SessionFactory, store_id: str) -> StoreSession:
    session = await store_session(store_id)
    session.plan_input = dataclasses.replace(
        session.plan_input, storefront_url=session.storefront_url, vars=STORE_VARS[store_id],
        desired={name: desired for name, (_, desired) in DESIRED.items()})
    await login(session.page, session.backoffice_url, session.labels,
                LoginSecrets(EMAILS[store_id], PASSWORDS[store_id]), clock=session.clock)
    return session


def asked(server: MockServer, store_id: str) -> list[str]:
    return [r["path"] for r in http_json(f"{server.url}/__mock__/requests?store={store_id}")["requests"]]


async def plans(session: StoreSession) -> dict[str, tuple[Any, list[dict[str, Any]], list[str]]]:
    """Per setting: the reading, its plan (as JSON) and the notes the reading carries."""
    found = {}
    for name, (setting, desired) in DESIRED.items():
        current = await setting.read(session)
        changes = [change.model_dump(mode="json") for change in setting.plan(current, desired, session.plan_input)]
        found[name] = (current, changes, [note.summary for note in read_notes(current)])
    return found


async def test_twin_and_page_give_the_same_reading_and_plan(store_session: SessionFactory, mock_server: MockServer,
                                                            tmp_path: Path) -> None:
    # A store with something to plan in every setting: an old custom message, a page to create, old subscribers.
    http_json(f"{mock_server.url}/__mock__/cookie-law", {"store": "shop-nl", "mode": "custom", "message": "Oud."})
    session = await logged_in(store_session, "shop-nl")
    await session.page.wait_for_load_state("load")  # the landing page's own scripts are not the reads' requests
    mock_server.world.requests.clear()

    from_twins = await plans(session)
    paths = asked(mock_server, "shop-nl")
    assert {"admin/settings/web_extras.json", "admin/web_statistics.json", "admin/pages.json", "admin/pages/2.json",
            "admin/newsletter_subscriptions.json"} <= set(paths)
    # Nothing rendered: no page of the backoffice was asked for, only data.
    assert [path for path in paths if not path.endswith(".json")] == []
    assert await session.page.evaluate("location.pathname") == "/shop-nl/admin/"  # the browser stayed where it was
    assert all(notes == [] for _, _, notes in from_twins.values())

    http_json(f"{mock_server.url}/__mock__/store-options", {"store": "shop-nl", "json_twins": False})
    from_pages = await plans(session)
    for name in DESIRED:
        assert from_pages[name][0] == from_twins[name][0], name
        assert from_pages[name][1] == from_twins[name][1], name
        assert from_twins[name][1], f"{name}: the test store must have something to plan"
    # Said once per store: privacy_policy and ccpa_page both read pages.json, only the first says so.
    notes = {name: found[2] for name, found in from_pages.items()}
    assert notes == {"cookie_law": ["read from the page: web_extras.json answered HTTP 404"],
                     "analytics": ["read from the page: web_statistics.json answered HTTP 404"],
                     "privacy_policy": ["read from the page: pages.json answered HTTP 404"],
                     "ccpa_page": [],
                     "newsletter_archive": ["read from the page: newsletter_subscriptions.json answered HTTP 404"]}
    again = await plans(session)  # the read-back after apply reads the same way and says nothing new
    assert all(found[2] == [] for found in again.values())


async def test_a_twin_without_the_field_is_read_from_the_page(store_session: SessionFactory, mock_server: MockServer,
                                                              tmp_path: Path) -> None:
    """The twin table's guess is wrong for a store (the field is elsewhere): the page is read, and the note names
    the field and where it was looked for."""
    overrides = tmp_path / "overrides.yaml"
    overrides.write_text("twins:\n  web_extras:\n    cookie_law_mode: settings.cookielaw.type\n", encoding="utf-8")
    session = await logged_in(store_session, "shop-nl")
    session.labels = load_ui_overrides(overrides).labels_for("nl")
    mock_server.world.requests.clear()
    setting, desired = DESIRED["cookie_law"]
    current = await setting.read(session)
    [note] = read_notes(current)
    assert note.summary == "read from the page: web_extras.json has no cookie law field"
    assert "settings.cookielaw.type" in note.detail
    assert current.mode == "none" and "admin/settings/web_extras" in asked(mock_server, "shop-nl")
    assert setting.plan(current, desired, session.plan_input)


@pytest.mark.parametrize("twin", ["web_extras", "pages", "newsletter_subscriptions", "web_statistics"])
async def test_one_twin_switched_off_falls_back_alone(store_session: SessionFactory, mock_server: MockServer,
                                                      twin: str) -> None:
    http_json(f"{mock_server.url}/__mock__/store-options", {"store": "shop-en", "json_twins": {twin: False}})
    session = await logged_in(store_session, "shop-en")
    found = await plans(session)
    said = [note for _, _, notes in found.values() for note in notes]
    assert len(said) == 1 and said[0].startswith("read from the page: ") and "HTTP 404" in said[0]


async def test_customers_read_as_data_and_from_the_pages_alike(store_session: SessionFactory,
                                                               mock_server: MockServer) -> None:
    """breach notify's recipients: customers.json (links.pages, limit up to 250) or the list's pages."""
    from flows.pages.customers_page import CustomersPage

    session = await logged_in(store_session, "shop-en")
    mock_server.world.requests.clear()
    as_data = await CustomersPage(session.page, session.backoffice_url, session.labels).read_all()
    assert "admin/customers.json" in asked(mock_server, "shop-en") and "admin/customers" not in asked(
        mock_server, "shop-en")
    http_json(f"{mock_server.url}/__mock__/store-options", {"store": "shop-en", "json_twins": False})
    from_pages = await CustomersPage(session.page, session.backoffice_url, session.labels).read_all()
    assert as_data == from_pages and len(as_data) == 3
