"""Alerts: one per new problem and one when it clears, a summary for many stores, delivered to real local
receivers (Apprise json:// to an HTTP server, mailto:// to aiosmtpd); a target that is down fails nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine

from automation.alerts.dispatch import alert_after_run
from automation.fleet.notify import NotifyConfig
from automation.redaction.redactor import Redactor
from ecom_privacy.models import RunDocument, RunKind, SettingStatus
from tests.alerts.receivers import free_port, json_receiver, smtp_receiver
from tests.history.documents import START, compliant, document, drifted, failed, verified

#: the daily digest is tested on its own (test_digest.py): here each message is a run's
CONFIG = NotifyConfig(urls_env=["EP_ALERT_URL"], on=["failed", "drift", "verify_failed"], digest_hour=None)

pytestmark = pytest.mark.clock  # every run is dated from START, and the alerts' now is START + 30 days


def _alert(engine: Engine | None, doc: RunDocument, url: str, config: NotifyConfig = CONFIG) -> bool:
    now = START + timedelta(days=30)
    return alert_after_run(engine, doc, f"/runs/{doc.created_at}", config, {"EP_ALERT_URL": url}, Redactor(), now)


def test_one_alert_per_new_problem_none_while_it_lasts_one_when_it_clears(engine: Engine) -> None:
    with json_receiver() as receiver:
        url = receiver.url()
        assert _alert(engine, document(RunKind.PLAN, 0, [drifted("a"), failed("b"), compliant("c")]), url)
        assert len(receiver.messages) == 1
        first = receiver.messages[0]
        assert first["title"] == "ecom-privacy plan: 2 new problem(s)"
        assert "- a cookie_law: drifted: mode none -> confirm" in first["message"]
        assert "- b: failed: cookie_law: authentication:" in first["message"]
        assert "owner@shop.example" not in first["message"]  # addresses stay out of alerts too

        # The same problems the next night: silence.
        assert not _alert(engine, document(RunKind.PLAN, 1, [drifted("a"), failed("b"), compliant("c")]), url)
        assert len(receiver.messages) == 1

        # b recovers: one message that it cleared; a's drift stays open.
        assert _alert(engine, document(RunKind.PLAN, 2, [drifted("a"), compliant("b"), compliant("c")]), url)
        cleared = receiver.messages[1]
        assert cleared["title"] == "ecom-privacy plan: 1 cleared"
        assert "- b: failed: no longer seen" in cleared["message"]

        # The apply corrects a: its clearing says so; c drifts and is corrected in the same run: said once.
        assert _alert(engine, document(RunKind.APPLY, 3, [drifted("a", SettingStatus.CHANGED), compliant("b"),
                                                          drifted("c", SettingStatus.CHANGED)]), url)
        last = receiver.messages[2]
        assert last["title"] == "ecom-privacy apply: 1 cleared, 1 drift(s) corrected"
        assert "- a cookie_law: drifted: corrected by this run" in last["message"]
        assert "Drifted and corrected:\n- c cookie_law: drifted: mode none -> confirm" in last["message"]
        assert not _alert(engine, document(RunKind.APPLY, 4, [compliant("a"), compliant("b"), compliant("c")]), url)
        assert len(receiver.messages) == 3


def test_a_run_clears_only_what_it_looked_at(engine: Engine) -> None:
    with json_receiver() as receiver:
        url = receiver.url()
        _alert(engine, document(RunKind.PLAN, 0, [failed("a"), failed("b")]), url)
        # A run of store a only (--store a) and a verify run say nothing about b's backoffice.
        _alert(engine, document(RunKind.PLAN, 1, [compliant("a")]), url)
        _alert(engine, document(RunKind.VERIFY, 1, [verified("b")], hour=1), url)
        assert len(receiver.messages) == 2
        assert "- a: failed: no longer seen" in receiver.messages[1]["message"]
        assert "- b:" not in receiver.messages[1]["message"]


def test_storefront_checks_alert_as_verify_failed(engine: Engine) -> None:
    with json_receiver() as receiver:
        _alert(engine, document(RunKind.VERIFY, 0, [verified("a", ["no_tracking_before_consent"])]), receiver.url())
        assert "- a no_tracking_before_consent: storefront check failed:" in receiver.messages[0]["message"]
        _alert(engine, document(RunKind.VERIFY, 1, [verified("a")]), receiver.url())
        assert "- a no_tracking_before_consent: storefront check failed: no longer seen" in \
            receiver.messages[1]["message"]


def test_only_the_kinds_asked_for(engine: Engine) -> None:
    with json_receiver() as receiver:
        only_failed = NotifyConfig(urls_env=["EP_ALERT_URL"], on=["failed"], digest_hour=None)
        assert not _alert(engine, document(RunKind.PLAN, 0, [drifted("a")]), receiver.url(), only_failed)
        assert _alert(engine, document(RunKind.PLAN, 1, [failed("a")]), receiver.url(), only_failed)
        assert "drifted" not in receiver.messages[0]["message"]


def test_many_stores_at_once_make_one_summary_message(engine: Engine) -> None:
    stores = [failed(f"shop-{n:03d}") for n in range(40)]
    with json_receiver() as receiver:
        assert _alert(engine, document(RunKind.APPLY, 0, stores), receiver.url())
        assert len(receiver.messages) == 1
        body = receiver.messages[0]["message"]
        assert receiver.messages[0]["title"] == "ecom-privacy apply: 40 new problem(s)"
        assert "- failed: 40 in 40 store(s): shop-000, shop-001" in body and "and 25 more" in body
        assert len(body.splitlines()) < 10


def test_email_through_a_real_smtp_server(engine: Engine) -> None:
    with smtp_receiver() as smtp, json_receiver() as hook:
        both = f"{smtp.url()} {hook.url()}"  # several URLs in one variable: every one gets the alert
        assert _alert(engine, document(RunKind.PLAN, 0, [failed("a")]), both)
        assert len(smtp.messages) == 1 and len(hook.messages) == 1
        mail = smtp.messages[0]
        assert mail["Subject"] == "ecom-privacy plan: 1 new problem(s)"
        assert mail["To"] == "ops@agency.test"
        assert "- a: failed: cookie_law: authentication:" in mail.get_body(("plain",)).get_content()


def test_an_email_alert_is_plain_text_with_its_line_breaks(engine: Engine) -> None:
    """Apprise sends a body of unsaid format to e-mail as HTML, where the line breaks of a text run together:
    the alert says it is text, and the mail is a text/plain part with one problem a line."""
    with smtp_receiver() as smtp:
        assert _alert(engine, document(RunKind.PLAN, 0, [drifted("a"), failed("b")]), smtp.url())
        mail = smtp.messages[0]
        assert mail.get_content_type() == "text/plain"
        lines = mail.get_content().splitlines()
        assert lines[0] == "New problems:"
        assert lines[1] == "- a cookie_law: drifted: mode none -> confirm"
        assert lines[2].startswith("- b: failed: cookie_law: authentication:")
        assert lines[-1] == "Run: /runs/2026-03-01T02:00:00+00:00"


def test_a_target_that_is_down_is_logged_and_the_alert_goes_out_with_the_next_run(
        engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    down = f"json://127.0.0.1:{free_port()}/hooks/ecom?token=Hook-Token-0123456789"
    assert not _alert(engine, document(RunKind.PLAN, 0, [failed("a")]), down)
    logged = capsys.readouterr()
    assert "alert not sent" in logged.out + logged.err
    assert "Hook-Token-0123456789" not in logged.out + logged.err
    with json_receiver() as receiver:
        # Nothing new the next night, but the unsent alert is still owed.
        assert _alert(engine, document(RunKind.PLAN, 1, [failed("a")]), receiver.url())
        assert receiver.messages[0]["title"] == "ecom-privacy plan: 1 new problem(s)"
        assert not _alert(engine, document(RunKind.PLAN, 2, [failed("a")]), receiver.url())


def test_a_problem_that_started_and_cleared_while_the_target_was_down_is_still_announced(engine: Engine) -> None:
    """The README promised it: an alert that could not be sent goes out later, even when its problem cleared in
    between (a night of refused logins is news to someone); both ends in one line, and only once."""
    down = f"json://127.0.0.1:{free_port()}/x"
    assert not _alert(engine, document(RunKind.PLAN, 0, [failed("a")]), down)
    with json_receiver() as receiver:
        assert _alert(engine, document(RunKind.PLAN, 1, [compliant("a")]), receiver.url())
        assert [m["title"] for m in receiver.messages] == ["ecom-privacy plan: 1 started and cleared unannounced"]
        text = receiver.messages[0]["message"]
        assert "Started and cleared while no alert could be sent:\n- a: failed: cookie_law: authentication:" in text
        assert "(from 2026-03-31 02:00 UTC; no longer seen 2026-03-31 02:00 UTC)" in text
        assert not _alert(engine, document(RunKind.PLAN, 2, [compliant("a")]), receiver.url())
        assert len(receiver.messages) == 1


def test_without_the_database_alerts_still_go_out_marked_not_deduplicated() -> None:
    with json_receiver() as receiver:
        assert _alert(None, document(RunKind.PLAN, 0, [failed("a")]), receiver.url())
        assert receiver.messages[0]["title"].endswith("(history database unreachable: not deduplicated)")


def test_an_unset_variable_is_logged_and_the_alert_stays_pending(
        engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert not _alert(engine, document(RunKind.PLAN, 0, [failed("a")]), "")
    logged = capsys.readouterr()
    assert "EP_ALERT_URL" in logged.out + logged.err
    with json_receiver() as receiver:
        assert _alert(engine, document(RunKind.PLAN, 1, [failed("a")]), receiver.url())
