"""Saving a logged-in store's session opens no page (issue #21): Playwright's own `storage_state()` opens one
per origin the context visited without a page open (the identity service after a login), a renderer process
and a round of navigations per store on every login of a fleet run. Real Chromium, the mock over HTTP."""

from __future__ import annotations

from playwright.async_api import Browser

from automation.access.secrets import load_environment, resolve_secrets
from automation.browser.launch import new_store_context
from automation.browser.session_state import session_state
from automation.fleet.composition import read_fleet
from ecom_privacy.clock import SYSTEM_CLOCK
from flows.labels import labels_for
from flows.login import login
from mock_backoffice import MockServer
from tests.reliability.conftest import Fleet


async def test_the_session_is_saved_without_opening_a_page_and_logs_a_new_context_in(
        browser: Browser, server: MockServer, fleet: Fleet) -> None:
    store = next(s for s in read_fleet(fleet.path).stores if s.id == "alpha")
    secrets = resolve_secrets(store, load_environment(fleet.env), fleet.env)
    context = await new_store_context(browser, store.locale, 15_000)
    try:
        page = await context.new_page()
        await login(page, store.backoffice_url, labels_for(store.locale), secrets, clock=SYSTEM_CLOCK)
        await page.evaluate("() => window.localStorage.setItem('admin-ui', 'compact')")
        # Every page the browser opens, Playwright's own internal ones included (no "page" event for those).
        opened: list[str] = []
        cdp = await browser.new_browser_cdp_session()
        cdp.on("Target.targetCreated", lambda event: opened.append(event["targetInfo"]["type"]))
        await cdp.send("Target.setDiscoverTargets", {"discover": True})
        known = len(opened)  # the targets there already are announced at once

        state = await session_state(context)
        await page.evaluate("() => 1")  # a round trip to the browser, for any announcement to arrive

        assert opened[known:] == [] and context.pages == [page]
        cookies = {(cookie["name"], cookie["domain"]) for cookie in state["cookies"]}
        assert ("backend_session_id", "127.0.0.1") in cookies  # the store's session...
        assert len(cookies) >= 2  # ...and the identity service's, for the next login of the account
        admin_origin = store.backoffice_url.split("/", 3)[:3]
        assert state["origins"] == [{"origin": "/".join(admin_origin),
                                     "localStorage": [{"name": "admin-ui", "value": "compact"}]}]
        # What it spares: Playwright's own opens a page of its own for the identity service's origin.
        await context.storage_state()
        await page.evaluate("() => 1")
        assert opened[known:] == ["page"]
        await cdp.detach()
    finally:
        await context.close()

    # The saved state is a logged-in session: a new context reads the store's JSON twin with it.
    again = await browser.new_context(storage_state=state)  # type: ignore[arg-type]
    try:
        answer = await again.request.get(f"{store.backoffice_url}/settings/web_extras.json", max_redirects=0)
        assert answer.status == 200 and "cookie" in (await answer.text()).lower()
    finally:
        await again.close()
