"""newsletter_archive against the mock in a real Chromium: read, plan, export, archive exactly the plan."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Request, Route

from ecom_privacy.errors import ConfigError, SettingError, VerificationError
from ecom_privacy.models import LoginSecrets
from ecom_privacy.setting import StoreSession
from flows.login import login
from flows.newsletter_archive import NewsletterArchiveCurrent, NewsletterArchiveDesired, NewsletterArchiveSetting
from mock_backoffice import MockServer
from tests.flows.conftest import SessionFactory
from tests.support import EMAILS, PASSWORDS, http_json

SETTING = NewsletterArchiveSetting()
DESIRED = NewsletterArchiveDesired(enabled=True)
ANY = NewsletterArchiveDesired(enabled=True, sources="any")


@pytest.fixture
def no_source_column(mock_server: MockServer) -> None:
    """The test stores show a Source column (for the vendor's source rule); most real stores do not."""
    http_json(f"{mock_server.url}/__mock__/store-options", {"newsletter_source_column": False})


async def logged_in(store_session: SessionFactory, store_id: str) -> StoreSession:
    session = await store_session(store_id)
    await login(session.page, session.backoffice_url, session.labels,
                LoginSecrets(EMAILS[store_id], PASSWORDS[store_id]), clock=session.clock)
    return session


def passive_before_2018(subscribers: list[dict[str, Any]]) -> set[str]:
    """The vendor's rule, written out independently of the tool's code."""
    return {s["email"] for s in subscribers if not s["archived"] and s["source"] in ("manual", "import")
            and s["subscribed_at"] < "2018-05-25"}


def archived(mock_state, store_id: str) -> set[str]:
    return {s["email"] for s in mock_state()[store_id]["subscribers"] if s["archived"]}


def exports(tmp_path: Path, store_id: str) -> list[Path]:
    folder = tmp_path / "run" / "exports" / store_id
    return sorted(folder.glob("newsletter-archive-*.csv")) if folder.is_dir() else []


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def as_rows(subscribers: list[dict[str, Any]], emails: set[str]) -> list[tuple[str, str, str, str]]:
    return sorted((s["email"], s["name"], s["subscribed_at"], s["source"]) for s in subscribers if s["email"] in emails)


async def test_read_plan_export_archive_verify_in_dutch(store_session: SessionFactory, mock_state,
                                                        tmp_path: Path) -> None:
    session = await logged_in(store_session, "shop-nl")
    seeded = mock_state()["shop-nl"]["subscribers"]
    current = await SETTING.read(session)
    assert isinstance(current, NewsletterArchiveCurrent)  # the typed reading: dates are dates
    assert sorted((s.email, s.name, s.subscribed_at.isoformat(), s.source) for s in current.subscribers) == as_rows(
        seeded, {s["email"] for s in seeded})

    expected = passive_before_2018(seeded)
    [change] = SETTING.plan(current, DESIRED, session.plan_input)
    assert set(change.after["archived"]) == expected and len(expected) == 15
    assert change.irreversible and change.action == "archive"
    assert archived(mock_state, "shop-nl") == set()  # reading and planning changed nothing

    assert await SETTING.apply(session, [change]) is True
    assert archived(mock_state, "shop-nl") == expected
    [export] = exports(tmp_path, "shop-nl")
    assert sorted(tuple(r.values()) for r in csv_rows(export)) == as_rows(seeded, expected)
    await SETTING.read_back(session, DESIRED)
    assert SETTING.plan(await SETTING.read(session), DESIRED, session.plan_input) == []

    # Idempotent and honest: nothing left to archive, no second export, and it says it changed nothing.
    assert await SETTING.apply(session, [change]) is False
    assert archived(mock_state, "shop-nl") == expected and len(exports(tmp_path, "shop-nl")) == 1


async def test_more_than_500_subscribers_over_many_pages_in_english(store_session: SessionFactory, mock_state,
                                                                    mock_server: MockServer, tmp_path: Path) -> None:
    session = await logged_in(store_session, "shop-en")
    seeded = mock_state()["shop-en"]["subscribers"]
    documents: list[str] = []

    def count_document(request: Request) -> None:
        if request.resource_type == "document":
            documents.append(request.url)

    session.page.on("request", count_document)
    current = await SETTING.read(session)
    # As data: the JSON twin in pages of 250, nothing rendered.
    asked = [r["path"] for r in http_json(f"{mock_server.url}/__mock__/requests?store=shop-en")["requests"]]
    assert asked.count("admin/newsletter_subscriptions.json") == 3 and documents == []
    # Without the twin: one navigation per page of 25, not one per row; the same subscribers.
    http_json(f"{mock_server.url}/__mock__/store-options", {"store": "shop-en", "json_twins": False})
    from_pages = await SETTING.read(session)
    session.page.remove_listener("request", count_document)
    assert len(current.subscribers) == len(seeded) == 610
    assert len(documents) == 25
    assert from_pages == current

    [change] = SETTING.plan(current, DESIRED, session.plan_input)
    expected = passive_before_2018(seeded)
    assert set(change.after["archived"]) == expected and len(expected) == 180
    await SETTING.apply(session, [change])
    assert archived(mock_state, "shop-en") == expected
    [export] = exports(tmp_path, "shop-en")
    assert {r["email"] for r in csv_rows(export)} == expected
    await SETTING.read_back(session, DESIRED)


async def test_signups_after_the_plan_are_never_archived(store_session: SessionFactory, mock_server: MockServer,
                                                         mock_state) -> None:
    session = await logged_in(store_session, "shop-nl")
    [change] = SETTING.plan(await SETTING.read(session), DESIRED, session.plan_input)
    planned = set(change.after["archived"])
    # 30 signups push every row more than a page down; one old import would even match the rule.
    for number in range(30):
        http_json(f"{mock_server.url}/__mock__/subscribers", {"store": "shop-nl", "email": f"new{number}@x.test"})
    http_json(f"{mock_server.url}/__mock__/subscribers", {"store": "shop-nl", "email": "late.import@x.test",
                                                          "subscribed_at": "2016-04-04", "source": "import"})

    await SETTING.apply(session, [change])
    assert archived(mock_state, "shop-nl") == planned
    with pytest.raises(VerificationError, match="newsletter_archive"):
        await SETTING.read_back(session, DESIRED)  # the late import still matches: reported, never archived unplanned


async def test_interrupted_apply_keeps_its_export_and_is_finished_later(store_session: SessionFactory, mock_state,
                                                                         tmp_path: Path) -> None:
    session = await logged_in(store_session, "shop-nl")
    seeded = mock_state()["shop-nl"]["subscribers"]
    [change] = SETTING.plan(await SETTING.read(session), DESIRED, session.plan_input)
    planned = set(change.after["archived"])

    posts: list[str] = []

    async def fail_second_archive(route: Route) -> None:
        posts.append(route.request.url)
        if len(posts) == 1:
            await route.continue_()
        else:
            await route.abort()  # the connection drops in the middle of the work

    await session.page.route("**/newsletter_subscriptions/archive", fail_second_archive)
    # The dropped connection: a failed navigation (a form post), or a failed fetch (Turbolinks) that falls back
    # to the ordinary post, which fails again: either way the second page's archive never reaches the store.
    with pytest.raises(Exception, match=r"ERR_FAILED|no answer to"):
        await SETTING.apply(session, [change])
    await session.page.unroute("**/newsletter_subscriptions/archive")

    first_batch = archived(mock_state, "shop-nl")
    assert first_batch and first_batch < planned  # part of the plan, nobody else
    [export] = exports(tmp_path, "shop-nl")
    assert sorted(tuple(r.values()) for r in csv_rows(export)) == as_rows(seeded, planned)
    first_archived_at = min(datetime.fromisoformat(s["archived_at"]).timestamp()
                            for s in mock_state()["shop-nl"]["subscribers"] if s["archived"])
    assert export.stat().st_mtime <= first_archived_at  # written before the first click

    # The same plan applied again (as from a saved PLAN.json) skips the archived ones and does the rest.
    await SETTING.apply(session, [change])
    assert archived(mock_state, "shop-nl") == planned
    _, second = exports(tmp_path, "shop-nl")
    assert {r["email"] for r in csv_rows(second)} == planned - first_batch


async def test_refuses_when_the_page_ticks_more_than_planned(store_session: SessionFactory, mock_state) -> None:
    session = await logged_in(store_session, "shop-nl")
    [change] = SETTING.plan(await SETTING.read(session), DESIRED, session.plan_input)
    # A changed backoffice whose row checkbox ticks the whole page (a "select all" the tool did not ask for).
    await session.page.add_init_script("""
        document.addEventListener("change", (event) => {
          if (!event.target.matches("tbody input[type=checkbox]") || !event.target.checked) return;
          document.querySelectorAll("tbody input[type=checkbox]").forEach((box) => {
            if (!box.checked) { box.checked = true; box.dispatchEvent(new Event("change")); }
          });
        }, true);
    """)
    with pytest.raises(SettingError, match="are not the planned"):
        await SETTING.apply(session, [change])
    assert archived(mock_state, "shop-nl") == set()


async def test_a_planned_subscriber_who_signed_up_again_during_the_run_is_not_archived(
        store_session: SessionFactory, mock_server: MockServer, mock_state) -> None:
    """Issue #9 finding 6: same address, but a new subscription (today, by form) that no plan covered."""
    session = await logged_in(store_session, "shop-nl")
    [change] = SETTING.plan(await SETTING.read(session), DESIRED, session.plan_input)
    planned = set(change.after["archived"])
    returning = sorted(planned)[0]
    # Between plan and apply a colleague archives them by hand, and they sign up again on the storefront.
    http_json(f"{mock_server.url}/__mock__/subscribers/archive", {"store": "shop-nl", "emails": [returning]})
    signup = http_json(f"{mock_server.url}/__mock__/subscribers", {"store": "shop-nl", "email": returning,
                                                                   "name": "Back Again"})

    await SETTING.apply(session, [change])
    records = [s for s in mock_state()["shop-nl"]["subscribers"] if s["email"] == returning]
    assert [(s["source"], s["subscribed_at"], s["archived"]) for s in records] == [
        (records[0]["source"], records[0]["subscribed_at"], True), ("form", signup["subscribed_at"], False)]
    assert archived(mock_state, "shop-nl") == planned  # everyone else in the plan was archived
    await SETTING.read_back(session, DESIRED)  # and the new subscription is as desired: kept


@pytest.mark.usefixtures("no_source_column")
async def test_without_a_source_column_the_default_rule_fails_with_what_to_do(store_session: SessionFactory) -> None:
    session = await logged_in(store_session, "shop-nl")
    current = await SETTING.read(session)
    assert current.source_column is False and all(s.source is None for s in current.subscribers)
    with pytest.raises(ConfigError) as error:
        SETTING.plan(current, DESIRED, session.plan_input)
    message = str(error.value)
    assert "\n" not in message and "shows no Source column" in message and "sources manual, import (the default)" \
        in message and "sources: any" in message and "emails_file" in message
    with pytest.raises(ConfigError, match="sources import cannot be evaluated"):
        SETTING.plan(current, NewsletterArchiveDesired(enabled=True, sources=["import"]), session.plan_input)


@pytest.mark.usefixtures("no_source_column")
async def test_sources_any_archives_exactly_the_pre_cutoff_subscribers_not_kept_export_first(
        store_session: SessionFactory, mock_state, tmp_path: Path) -> None:
    session = await logged_in(store_session, "shop-nl")
    seeded = mock_state()["shop-nl"]["subscribers"]
    before_cutoff = {s["email"] for s in seeded if s["subscribed_at"] < "2018-05-25"}
    kept = sorted(before_cutoff)[:2]
    desired = NewsletterArchiveDesired(enabled=True, sources="any", keep=kept)
    [change] = SETTING.plan(await SETTING.read(session), desired, session.plan_input)
    expected = before_cutoff - set(kept)
    assert set(change.after["archived"]) == expected and change.selection is not None
    assert change.selection.rule.sources == ["any"] and {row.email for row in change.selection.kept} == set(kept)
    assert all(row.source is None for row in change.selection.subscribers)  # email and date alone

    assert await SETTING.apply(session, [change]) is True
    assert archived(mock_state, "shop-nl") == expected
    [export] = exports(tmp_path, "shop-nl")
    assert {r["email"] for r in csv_rows(export)} == expected and {r["source"] for r in csv_rows(export)} == {""}
    first_archived_at = min(datetime.fromisoformat(s["archived_at"]).timestamp()
                            for s in mock_state()["shop-nl"]["subscribers"] if s["archived"])
    assert export.stat().st_mtime <= first_archived_at  # written before the first click
    await SETTING.read_back(session, desired)
    assert await SETTING.apply(session, [change]) is False  # nobody left: honest, no second export


@pytest.mark.usefixtures("no_source_column")
async def test_sources_any_ticks_a_row_by_email_and_date(store_session: SessionFactory, mock_server: MockServer,
                                                         mock_state) -> None:
    """Without a source, a row is its email and date: one who was archived and signed up again is a new row."""
    session = await logged_in(store_session, "shop-nl")
    [change] = SETTING.plan(await SETTING.read(session), ANY, session.plan_input)
    returning = sorted(change.after["archived"])[0]
    http_json(f"{mock_server.url}/__mock__/subscribers/archive", {"store": "shop-nl", "emails": [returning]})
    http_json(f"{mock_server.url}/__mock__/subscribers", {"store": "shop-nl", "email": returning})
    await SETTING.apply(session, [change])
    records = [s for s in mock_state()["shop-nl"]["subscribers"] if s["email"] == returning]
    assert [s["archived"] for s in records] == [True, False]  # the new subscription was not archived
    assert archived(mock_state, "shop-nl") == set(change.after["archived"])


@pytest.mark.usefixtures("no_source_column")
async def test_an_emails_file_works_without_a_source_column(store_session: SessionFactory, mock_state,
                                                            tmp_path: Path) -> None:
    session = await logged_in(store_session, "shop-nl")
    seeded = mock_state()["shop-nl"]["subscribers"]
    old = sorted(s["email"] for s in seeded if s["subscribed_at"] < "2018-05-25")[:3]
    (tmp_path / "to-archive.csv").write_text("email\n" + "\n".join(old) + "\n", encoding="utf-8")
    desired = NewsletterArchiveDesired(enabled=True, emails_file="to-archive.csv")
    [change] = SETTING.plan(await SETTING.read(session), desired, session.plan_input)
    assert sorted(change.after["archived"]) == old
