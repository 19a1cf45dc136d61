"""A plan on a cached session opens the store's page only when a step renders one (issue #21: a renderer
process per store is memory and time a plan that reads JSON twins does not need). Real Chromium, the mock over
HTTP, the one opener (automation/access/backoffice.py)."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser

from automation.access.backoffice import StoreAccess
from automation.access.secrets import load_environment
from automation.fleet.composition import read_fleet
from automation.fleet.model import plan_input_for
from automation.redaction.redactor import Redactor
from ecom_privacy.setting import read_notes
from flows.registry import lightspeed_ecom
from mock_backoffice import MockServer
from tests.reliability.conftest import Fleet
from tests.support import http_json


class Sink:
    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, store_id: str, name: str, content: str | bytes, kind: str = "backups") -> Path:
        path = self.root / kind / store_id / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        return path


async def test_a_plan_reads_twins_without_a_page_and_opens_one_when_a_twin_fails(
        browser: Browser, server: MockServer, fleet: Fleet, tmp_path: Path) -> None:
    loaded = read_fleet(fleet.path)
    store = next(s for s in loaded.stores if s.id == "alpha")
    driver = lightspeed_ecom()
    cookie_law = driver.settings["cookie_law"]

    def access(reads_only: bool) -> StoreAccess:
        return StoreAccess.create(driver=driver, env=load_environment(fleet.env), env_file=fleet.env,
                                  session_dir=tmp_path / "sessions", use_cache=True, redactor=Redactor(),
                                  reads_only=reads_only)

    sink = Sink(tmp_path / "artifacts")
    plan_input = plan_input_for(loaded, store, driver.shop_labels)
    async with access(reads_only=True).opened(store, browser, sink, plan_input) as cold:
        assert cold.page is None  # the login chain had a page, closed once logged in: a plan reads data
        await cold.step(lambda: cookie_law.read(cold.session))

    warm = access(reads_only=True).backoffice(store, browser, trace_dir=lambda: tmp_path / "trace")
    try:
        session = await warm.open(sink, plan_input)
        current = await warm.step(lambda: cookie_law.read(session))
        assert warm.context is not None and warm.context.pages == [] and warm.page is None
        assert current.mode == server.world.stores["alpha"].cookie_law.mode
        # Nothing rendered, nothing to replay: the trace starts with the first page (two round trips saved)
        assert warm.trace is not None and not warm.trace.recording

        # Without the twin the cookie law is read from its page: the step opens it and reads again.
        http_json(f"{server.url}/__mock__/store-options", {"store": "alpha", "json_twins": False})
        again = await warm.step(lambda: cookie_law.read(session))
        assert len(warm.context.pages) == 1 and session.page is warm.page
        assert warm.trace.recording
        # ...and its pages are routed from the first (no images, fonts or media; nothing from other hosts)
        await warm.page.evaluate("url => fetch(url, {mode: 'no-cors'}).catch(() => null)",
                                 "https://fonts.example.test/face.woff2")
        assert ("fetch", "https://fonts.example.test/face.woff2") in warm.policy.blocked
        assert again.mode == current.mode
        # said once, although the step read the twin twice (before and after the page was opened)
        assert [d.summary for d in read_notes(again)] == ["read from the page: web_extras.json answered HTTP 404"]
    finally:
        await warm.close(failed=False)

    # Any other command (an apply reads before it writes) opens its page at once.
    eager = access(reads_only=False).backoffice(store, browser)
    try:
        await eager.open(sink, plan_input)
        assert eager.page is not None
    finally:
        await eager.close(failed=False)
