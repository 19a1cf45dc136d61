"""Alerts a person reads: stores under their client's heading, links to the reports where the fleet says they are
served, Markdown for the targets that render it and the notify type each target shows; to real local receivers
(Apprise json:// to an HTTP server, mailto:// to aiosmtpd), on SQLite and a real PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import Engine

from automation.alerts.dispatch import alert_after_run
from automation.alerts.layout import AlertContext, alert_context
from automation.fleet.composition import read_fleet
from automation.fleet.notify import NotifyConfig
from automation.redaction.redactor import Redactor
from ecom_privacy.errors import ConfigError
from ecom_privacy.models import RunDocument, RunKind, SettingStatus
from tests.alerts.receivers import free_port, json_receiver, smtp_receiver
from tests.history.documents import START, compliant, document, drifted, failed

REPORTS = "https://reports.agency.example/runs/{run}/report.html"


def _config(**options: object) -> NotifyConfig:
    return NotifyConfig.model_validate({"urls_env": ["EP_ALERT_URL"], "digest_hour": None, **options})


def _alert(engine: Engine, doc: RunDocument, url: str, config: NotifyConfig,
           context: AlertContext | None = None) -> bool:
    return alert_after_run(engine, doc, f"/srv/ecom-privacy/runs/2026030{doc.created_at[9]}T020000Z", config,
                           {"EP_ALERT_URL": url}, Redactor(), START + timedelta(days=30), context=context)


def _fleet(tmp_path: Path, notify: dict[str, object]) -> Path:
    """Two clients (acme with two shops, bolt with one), a store in no client group, and a group that only
    selects stores (eu)."""
    def store(sid: str, groups: list[str]) -> dict[str, object]:
        return {"id": sid, "backoffice_url": f"http://127.0.0.1:9/{sid}/admin", "storefront_url": f"http://127.0.0.1:9/{sid}/",
                "locale": "nl", "credentials": {"email_env": "E", "password_env": "P"}, "groups": groups}

    fleet = {"defaults": {"cookie_law": {"mode": "confirm"}},
             "groups": {"acme": {}, "bolt": {}, "eu": {}},
             "stores": [store("acme-nl", ["eu", "acme"]), store("acme-de", ["acme", "eu"]), store("bolt-nl", ["bolt"]),
                        store("solo", [])],
             "notify": {"urls_env": ["EP_ALERT_URL"], **notify}}
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(fleet, sort_keys=False), encoding="utf-8")
    return path


def test_stores_are_listed_under_their_clients(engine: Engine, tmp_path: Path) -> None:
    fleet = read_fleet(_fleet(tmp_path, {"group_by": ["acme", "bolt"]}))
    assert fleet.notify is not None
    context = alert_context(fleet, fleet.notify, ZoneInfo("Europe/Amsterdam"))
    stores = [failed("solo"), drifted("bolt-nl"), failed("acme-nl"), drifted("acme-de")]
    with json_receiver() as receiver:
        assert _alert(engine, document(RunKind.PLAN, 0, stores), receiver.url(), fleet.notify, context)
        text = receiver.messages[0]["message"]
    # acme-nl is in eu first, but eu is not a client: it is listed under acme.
    assert text.startswith("New problems:\n[acme]\n- acme-de cookie_law: drifted: mode none -> confirm\n"
                           "- acme-nl: failed: cookie_law: authentication:")
    assert "\n[bolt]\n- bolt-nl cookie_law: drifted: mode none -> confirm\n[Other stores]\n- solo: failed:" in text


def test_without_group_by_each_store_is_under_its_first_group(tmp_path: Path) -> None:
    fleet = read_fleet(_fleet(tmp_path, {}))
    assert fleet.notify is not None
    headings = alert_context(fleet, fleet.notify, ZoneInfo("UTC")).headings
    assert headings == {"acme-nl": "eu", "acme-de": "acme", "bolt-nl": "bolt"}


def test_a_group_by_name_that_is_not_a_group_is_a_config_error(tmp_path: Path) -> None:
    path = _fleet(tmp_path, {"group_by": ["acme", "blot"]})
    with pytest.raises(ConfigError, match=r"fleet.yaml: notify.group_by: no group 'blot' in the fleet file; known: "
                                          r"acme, bolt, eu"):
        read_fleet(path)


def test_the_message_links_to_the_report_its_problems_were_seen_in(engine: Engine) -> None:
    config = _config(report_url=REPORTS)
    down = f"json://127.0.0.1:{free_port()}/hook"
    assert not _alert(engine, document(RunKind.PLAN, 0, [failed("a")]), down, config)  # owed from run 1
    with json_receiver() as receiver:
        assert _alert(engine, document(RunKind.PLAN, 1, [failed("a"), drifted("b")]), receiver.url(), config)
        text = receiver.messages[0]["message"]
    assert "/srv/ecom-privacy" not in text  # a folder on the machine that ran it is no address for a reader
    # a's failure was seen first by the earlier run, whose alert could not be sent: its line links there.
    assert ("- a: failed: cookie_law: authentication: the backoffice refused the login of <address>\n"
            "  https://reports.agency.example/runs/20260301T020000Z/report.html\n") in text
    assert "- b cookie_law: drifted: mode none -> confirm\n\n" in text
    assert text.endswith("\nReport: https://reports.agency.example/runs/20260302T020000Z/report.html")


def test_a_report_url_with_store_links_every_line(engine: Engine) -> None:
    config = _config(report_url="https://reports.agency.example/{run}/report.html#store-{store}")
    with json_receiver() as receiver:
        assert _alert(engine, document(RunKind.PLAN, 0, [failed("a"), drifted("b")]), receiver.url(), config)
        text = receiver.messages[0]["message"]
    assert "  https://reports.agency.example/20260301T020000Z/report.html#store-a\n" in text
    assert "  https://reports.agency.example/20260301T020000Z/report.html#store-b\n" in text


@pytest.mark.parametrize(("url", "expected"), [
    ("https://reports.example/runs/latest", "has no {run}"),
    ("https://reports.example/{run}/{shop}", "unknown placeholder {shop}"),
    ("reports.example/{run}", "is not an http(s) URL"),
    ("https://reports.example/{run", "expected '}' before end of string"),
])
def test_a_bad_report_url_is_one_clear_error(url: str, expected: str) -> None:
    with pytest.raises(ValueError, match=re.escape(expected)):
        _config(report_url=url)


def test_chat_targets_get_markdown_and_every_target_the_notify_type(engine: Engine) -> None:
    """A target whose own format is Markdown (Slack, Teams, ...; here a webhook asked for it with format=markdown)
    gets Markdown, store text escaped; the others text. The type (failure, success) colours the chat message."""
    config = _config(report_url=REPORTS)
    with json_receiver() as receiver:
        urls = f"{receiver.url('plain')} {receiver.url('chat')}?format=markdown"
        stores = [failed("a", error="refused *twice* for [owner]"), drifted("shop_b")]
        assert _alert(engine, document(RunKind.PLAN, 0, stores), urls, config)
        plain, chat = receiver.messages
        assert plain["type"] == chat["type"] == "failure"
        assert plain["message"].startswith("New problems:\n- a: failed: cookie_law: authentication: refused *twice* "
                                           "for [owner]\n")
        assert chat["message"].startswith("**New problems**\n\n- **a**: failed: cookie_law: authentication: refused "
                                          "\\*twice\\* for \\[owner\\]\n")
        assert "- **shop_b** cookie_law: drifted: mode none -> confirm" in chat["message"]
        assert chat["message"].endswith("[Report](https://reports.agency.example/runs/20260301T020000Z/report.html)")

        assert _alert(engine, document(RunKind.APPLY, 1, [compliant("a"), drifted("shop_b", SettingStatus.CHANGED)]),
                      urls, config)
        assert [m["type"] for m in receiver.messages[2:]] == ["success", "success"]  # only good news
        assert _alert(engine, document(RunKind.PLAN, 2, [compliant("a"), drifted("shop_b")]), urls, config)
        assert [m["type"] for m in receiver.messages[4:]] == ["warning", "warning"]  # drift: not broken


def test_an_email_alert_with_clients_and_links_reads_line_by_line(engine: Engine, tmp_path: Path) -> None:
    fleet = read_fleet(_fleet(tmp_path, {"group_by": ["acme", "bolt"], "report_url": REPORTS}))
    assert fleet.notify is not None
    context = alert_context(fleet, fleet.notify, ZoneInfo("Europe/Amsterdam"))
    with smtp_receiver() as smtp:
        assert _alert(engine, document(RunKind.PLAN, 0, [failed("acme-nl"), drifted("bolt-nl")]), smtp.url(),
                      fleet.notify, context)
        lines = smtp.messages[0].get_body(("plain",)).get_content().splitlines()
    assert lines[:4] == ["New problems:", "[acme]", lines[2], "[bolt]"]
    assert lines[2].startswith("- acme-nl: failed: cookie_law: authentication:")
    assert lines[4:] == ["- bolt-nl cookie_law: drifted: mode none -> confirm", "",
                         "Report: https://reports.agency.example/runs/20260301T020000Z/report.html"]
