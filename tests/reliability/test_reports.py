"""What a run leaves for people and CI: report.html (read in a real browser), junit.xml, --store/--group."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, expect

from automation.cli import main
from tests.reliability.conftest import Fleet, Run

ROOT = Path(__file__).resolve().parents[2]
#: screenshots of what the tests saw, kept after the run for a person to look at (git-ignored)
TEST_ARTIFACTS = ROOT / ".test-artifacts"


@pytest.fixture
def applied(fleet: Fleet, run: Callable[..., Run]) -> Run:
    """An apply with a changed store, a custom message with markup, and a store whose UI is broken.

    A plain fixture: the CLI runs its own event loop, which the async test below must not be inside of.
    """
    fleet.set_desired({"cookie_law": {"mode": "confirm"}},
                      groups={"custom": {"cookie_law": {"mode": "custom", "message": "We <b>only</b> use cookies"}}},
                      members={"bravo": ["custom"]})
    result = run("apply", "--auto-approve", "--store", "alpha", "--store", "bravo", "--store", "delta-broken")
    assert result.code == 1
    return result


@pytest.mark.usefixtures("warm_sessions")  # not about logging in (tests/warm_sessions.py)
async def test_html_report_shows_the_matrix_diffs_and_links_in_a_browser(
        new_context: Callable[..., Awaitable[BrowserContext]], applied: Run) -> None:
    report_file = applied.run_dir / "report.html"
    html = report_file.read_text()
    # Nothing to fetch, so it reads the same offline: no script, stylesheet, image or font, relative links only.
    assert "<script" not in html and "<link" not in html and " src=" not in html and "url(" not in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and not [href for href in hrefs if href.startswith(("http:", "https:", "//", "/"))]

    context = await new_context()  # pytest-playwright's: traced and screenshotted as its options say
    try:
        page = await context.new_page()
        await page.goto(report_file.as_uri())
        await expect(page.get_by_role("heading", name="ecom-privacy apply")).to_be_visible()
        await expect(page.locator("#summary")).to_contain_text("2 changed")
        await expect(page.locator("#summary")).to_contain_text("1 failed")
        matrix = page.get_by_role("table", name="Stores and settings")
        await expect(matrix.get_by_role("columnheader", name="cookie_law")).to_be_visible()
        rows = {store: matrix.get_by_role("row").filter(has=page.get_by_role("rowheader", name=store))
                for store in ("alpha", "bravo", "delta-broken")}
        await expect(rows["alpha"].get_by_role("cell")).to_have_text("✎ changed")
        await expect(rows["delta-broken"].get_by_role("cell")).to_have_text("✗ failed")
        broken = page.locator("#store-delta-broken")
        await expect(broken).to_contain_text("element 'section COOKIE LAW' not found")
        # The change of bravo with its before/after, the custom message escaped, not rendered as HTML.
        bravo = page.locator("#store-bravo")
        await expect(bravo).to_contain_text("mode notify -> custom")
        await expect(bravo).to_contain_text("We <b>only</b> use cookies")
        # Links to the screenshot and the trace, relative, to files that exist.
        for name in ("failure-cookie_law.png", "trace.zip"):
            link = broken.get_by_role("link", name=f"stores/delta-broken/{name}")
            await expect(link).to_be_visible()
            assert (applied.run_dir / (await link.get_attribute("href") or "")).is_file()
        await rows["delta-broken"].get_by_role("link").click()
        await expect(page).to_have_url(report_file.as_uri() + "#store-delta-broken")
        TEST_ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(TEST_ARTIFACTS / "report-html.png"), full_page=True)
    finally:
        await context.close()
    assert (TEST_ARTIFACTS / "report-html.png").stat().st_size > 10_000


@pytest.mark.usefixtures("warm_sessions")  # not about logging in (tests/warm_sessions.py)
def test_report_command_rebuilds_the_html(run: Callable[..., Run], capsys) -> None:
    planned = run("plan", "--store", "alpha")
    original = (planned.run_dir / "report.html").read_text()
    (planned.run_dir / "report.html").unlink()
    assert main(["report", str(planned.run_dir)]) == 0
    assert (planned.run_dir / "report.html").read_text() == original
    assert "≠ drift" in original and "mode none -&gt; confirm" in original
    assert main(["report", str(planned.run_dir / "nowhere")]) == 1
    assert "no report.json or plan.json here" in capsys.readouterr().err


@pytest.mark.usefixtures("warm_sessions")  # not about logging in (tests/warm_sessions.py)
def test_junit_has_one_case_per_store_and_setting(fleet: Fleet, run: Callable[..., Run]) -> None:
    junit = fleet.directory / "junit.xml"
    applied = run("apply", "--auto-approve", "--store", "alpha", "--store", "delta-broken", "--junit", str(junit))
    assert applied.code == 1
    assert junit.read_text() == (applied.run_dir / "junit.xml").read_text()
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures")) == ("2", "1")
    cases = {case.get("classname"): case for case in suite.iter("testcase")}
    assert cases["alpha"].find("failure") is None
    assert "mode none -> confirm" in (cases["alpha"].findtext("system-out") or "")
    failure = cases["delta-broken"].find("failure")
    assert failure is not None and failure.get("type") == "ui_mismatch"


def test_store_and_group_select_the_stores(fleet: Fleet, run: Callable[..., Run], state) -> None:
    fleet.set_desired({"cookie_law": {"mode": "confirm"}}, groups={"dutch": None},
                      members={"alpha": ["dutch"], "echo": ["dutch"]})
    planned = run("plan", "--group", "dutch")
    assert [s["id"] for s in json.loads((planned.run_dir / "plan.json").read_text())["stores"]] == ["alpha", "echo"]
    union = run("plan", "--group", "dutch", "--store", "bravo")
    assert {s["id"] for s in json.loads((union.run_dir / "plan.json").read_text())["stores"]} == {
        "alpha", "bravo", "echo"}
    unknown = run("plan", "--group", "nowhere")
    assert unknown.code == 1 and "no group nowhere" in unknown.err
    logged_in = {sid for sid, store in state().items() if store["login"]["attempts"]}
    assert logged_in == {"alpha", "bravo", "echo"}  # no other store was touched
