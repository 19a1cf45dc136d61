"""privacy_policy against the mock in real Chromium: plan / apply / verify / idempotency in nl and en, no
perpetual drift after the editor rewrote the HTML, require mode keeping the owner's text, backups."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Request, Route, expect

from automation.browser.retry import typed
from ecom_privacy.errors import TransientError
from flows.content.html_text import page_text
from flows.content.privacy_elements import element_table
from flows.privacy_policy import PrivacyPolicyDesired, PrivacyPolicySetting
from mock_backoffice import MockServer
from tests.flows.conftest import SessionFactory
from tests.flows.content_support import POLICY_TEMPLATE, logged_in, put_page

SETTING = PrivacyPolicySetting()
PRIVACY_PAGE_ID = 2  # the default pages' fixed order: about, privacy policy, terms, shipping, contact
TITLES = {"shop-nl": "Privacybeleid", "shop-en": "Privacy policy"}


def policy_of(state: dict, store_id: str) -> dict:
    return next(page for page in state[store_id]["pages"] if page["id"] == PRIVACY_PAGE_ID)


def backups(tmp_path: Path, store_id: str) -> list[Path]:
    return sorted((tmp_path / "run" / "backups" / store_id).glob("privacy_policy-*.html"))


@pytest.mark.parametrize("store_id", ["shop-nl", "shop-en"])
async def test_replace_plan_apply_verify_without_perpetual_drift(store_session: SessionFactory, mock_state,
                                                                 tmp_path: Path, store_id: str) -> None:
    session = await logged_in(store_session, store_id)
    desired = PrivacyPolicyDesired(mode="replace", template=POLICY_TEMPLATE, profile="gdpr")
    old_html = policy_of(mock_state(), store_id)["content"]

    current = await SETTING.read(session)
    assert current.page is not None and current.page.html == old_html and current.page.visible is True
    [change] = SETTING.plan(current, desired, session.plan_input)
    assert change.action == "update"
    assert change.detail["missing"] == list(element_table().profiles["gdpr"])
    old_line = page_text(old_html)
    assert f"-{old_line}" in change.diff.splitlines()
    assert policy_of(mock_state(), store_id)["content"] == old_html  # reading and planning changed nothing

    assert await SETTING.apply(session, [change]) is True  # saved
    await SETTING.read_back(session, desired)
    stored = policy_of(mock_state(), store_id)
    assert stored["content"] != change.after["html"]  # the editor rewrote the HTML on save ...
    assert page_text(stored["content"]) == page_text(change.after["html"])  # ... but it means the same
    assert SETTING.plan(await SETTING.read(session), desired, session.plan_input) == []

    [backup] = backups(tmp_path, store_id)
    assert backup.read_text(encoding="utf-8") == old_html

    assert await SETTING.apply(session, [change]) is False  # idempotent: nothing saved, no second backup
    assert policy_of(mock_state(), store_id) == stored and len(backups(tmp_path, store_id)) == 1

    await session.page.goto(session.storefront_url + "service/privacy-policy/")
    await expect(session.page.get_by_role("heading", level=1)).to_have_text(TITLES[store_id])
    heading = "Who we are" if store_id == "shop-en" else "Wie zijn wij"
    await expect(session.page.get_by_role("heading", name=heading)).to_be_visible()


OWNER_POLICY_EN = """<h3>Data  we collect</h3>
<p>When you order we collect your <b>name</b>, your e-mail address&nbsp;and your delivery address.</p>
<h3>Cookies</h3><p>You can withdraw your cookie consent at any time by clicking <i>No</i> in the cookie bar
on this page.</p>"""
OWNER_POLICY_NL = """<p><b>Welke gegevens?</b> Wij verwerken je naam, adres en e-mailadres als je bestelt.</p>
<h3>Cookies</h3><p>Je kunt je toestemming voor cookies altijd intrekken met de knop &quot;Nee&quot; in de
cookiebalk.</p><p>Laatst bijgewerkt: 12 januari 2024.</p>"""


@pytest.mark.parametrize(("store_id", "owner_html", "missing"), [
    ("shop-en", OWNER_POLICY_EN, ["purposes", "usage", "up_to_date"]),
    ("shop-nl", OWNER_POLICY_NL, ["purposes", "usage"]),
])
async def test_require_adds_only_the_missing_sections_and_keeps_the_owners_text(
        store_session: SessionFactory, mock_server: MockServer, mock_state, tmp_path: Path, store_id: str,
        owner_html: str, missing: list[str]) -> None:
    put_page(mock_server.url, store=store_id, id=PRIVACY_PAGE_ID, content=owner_html, visible=False)
    session = await logged_in(store_session, store_id)
    desired = PrivacyPolicyDesired(mode="require", template=POLICY_TEMPLATE)

    [change] = SETTING.plan(await SETTING.read(session), desired, session.plan_input)
    assert change.detail["missing"] == missing
    assert "make visible" in change.summary
    added = [line for line in change.diff.splitlines() if line.startswith("+## ")]
    assert len(added) == len(missing)  # one section per missing element, nothing else
    assert not [line for line in change.diff.splitlines()[2:] if line.startswith("-")]  # nothing removed

    assert await SETTING.apply(session, [change]) is True  # saved
    await SETTING.read_back(session, desired)
    stored = policy_of(mock_state(), store_id)
    assert stored["visible"] is True
    assert page_text(stored["content"]).startswith(page_text(owner_html))  # the owner's text comes first, intact
    [backup] = backups(tmp_path, store_id)
    assert backup.read_text(encoding="utf-8") == owner_html
    assert SETTING.plan(await SETTING.read(session), desired, session.plan_input) == []


async def test_the_old_content_is_backed_up_before_the_page_is_touched(store_session: SessionFactory, mock_state,
                                                                        tmp_path: Path) -> None:
    session = await logged_in(store_session, "shop-en")
    desired = PrivacyPolicyDesired(mode="replace", template=POLICY_TEMPLATE)
    old_html = policy_of(mock_state(), "shop-en")["content"]
    [change] = SETTING.plan(await SETTING.read(session), desired, session.plan_input)

    async def refuse_saving(route: Route, request: Request) -> None:
        if request.method == "POST":
            await route.abort("connectionreset")  # the save never reaches the backoffice
        else:
            await route.fallback()

    await session.page.route("**/admin/pages/**", refuse_saving)
    with pytest.raises(TransientError):  # as the engine sees it: retried, and the retry backs up again
        await typed(lambda: SETTING.apply(session, [change]))
    [backup] = backups(tmp_path, "shop-en")
    assert backup.read_text(encoding="utf-8") == old_html
    assert policy_of(mock_state(), "shop-en")["content"] == old_html


async def test_template_values_are_escaped_on_the_page(store_session: SessionFactory, mock_state) -> None:
    company = 'Smith & Sons <script>document.title="owned"</script>'
    session = await logged_in(store_session, "shop-en", company=company)
    desired = PrivacyPolicyDesired(mode="replace", template=POLICY_TEMPLATE)
    changes = SETTING.plan(await SETTING.read(session), desired, session.plan_input)
    assert "&lt;script&gt;" in changes[0].after["html"]
    await SETTING.apply(session, changes)
    assert "<script>" not in policy_of(mock_state(), "shop-en")["content"]
    await session.page.goto(session.storefront_url + "service/privacy-policy/")
    await expect(session.page.get_by_text(company).first).to_be_visible()  # shown as text, not run
    assert await session.page.title() != "owned"
