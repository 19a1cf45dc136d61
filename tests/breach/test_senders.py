"""Each store's letters come from its own sender, with its own reply-to (the fleet file's `breach_mail` in
defaults, groups or the store), through a real SMTP server (STARTTLS, AUTH); `notify --apply` records the
decision to inform the people, so `breach check` stops asking for it. On SQLite and a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from automation.fleet.composition import read_fleet
from ecom_privacy.errors import ConfigError
from mock_backoffice.smtp_sink import SmtpSink
from tests.breach.conftest import BreachCli
from tests.breach.test_register_cli import HIGH_RISK
from tests.support import write_fleet

AGENCY_DPO = "Anna de Vries <dpo@agency.test>"


def _fleet(tmp_path: Path, smtp: SmtpSink | None, edit: dict[str, Any]) -> Path:
    """The test stores with `edit` merged into the fleet file: shop-nl in the group `winkels`."""
    path = write_fleet(tmp_path, "http://127.0.0.1:9", {}, ["shop-nl", "shop-en"])
    fleet = yaml.safe_load(path.read_text(encoding="utf-8"))
    fleet["groups"] = edit.get("groups", {})
    fleet["defaults"].update(edit.get("defaults", {}))
    for store in fleet["stores"]:
        store.update(edit.get(store["id"], {}))
    path.write_text(yaml.safe_dump(fleet, sort_keys=False), encoding="utf-8")
    if smtp is not None:
        env = {k: v for k, v in smtp.env().items() if k != "ECOM_PRIVACY_SMTP_FROM"}  # no agency-wide sender
        with (tmp_path / ".env").open("a", encoding="utf-8") as handle:
            handle.writelines(f"{k}={v}\n" for k, v in env.items())
    return path


SENDERS = {"defaults": {"breach_mail": {"reply_to": AGENCY_DPO}},
           "groups": {"winkels": {"breach_mail": {"from": "Winkel NL <privacy@winkel-nl.test>"}}},
           "shop-nl": {"groups": ["winkels"]},
           "shop-en": {"breach_mail": {"from": "Shop EN <privacy@shop-en.test>",
                                       "reply_to": ["help@shop-en.test", AGENCY_DPO]}}}


def _notify(breach: BreachCli, db: str, tmp_path: Path, fleet: Path, store: str, *extra: str) -> Any:
    people = tmp_path / f"{store}.csv"
    people.write_text(f"email,name\nann@{store}.example,Ann\nbo@{store}.example,Bo\n", encoding="utf-8")
    return breach("notify", "1", "--store", store, "--recipients", str(people), "-c", str(fleet), "--env-file",
                  str(tmp_path / ".env"), "--artifacts-dir", str(tmp_path / "runs"), "--rate", "6000", *extra, db=db)


def test_each_store_writes_from_its_own_address(tmp_path: Path, smtp: SmtpSink, breach: BreachCli, db_url: str,
                                                incident_file: Path) -> None:
    fleet = _fleet(tmp_path, smtp, SENDERS)
    assert breach("new", "--file", str(incident_file), db=db_url).code == 0
    for store in ("shop-nl", "shop-en"):
        result = _notify(breach, db_url, tmp_path, fleet, store, "--apply")
        assert result.code == 0, result.out + result.err
    by_store = {item.recipients[0].split("@")[1]: item for item in smtp.received}
    dutch, english = by_store["shop-nl.example"], by_store["shop-en.example"]
    assert dutch.message["From"] == "Winkel NL <privacy@winkel-nl.test>"  # the group's
    assert dutch.message["Reply-To"] == AGENCY_DPO  # the defaults'
    assert dutch.sender == "privacy@winkel-nl.test"  # the envelope too: bounces go to the store
    assert dutch.message["Message-ID"].endswith("@winkel-nl.test>")
    assert english.message["From"] == "Shop EN <privacy@shop-en.test>"  # its own
    assert english.message["Reply-To"] == f"help@shop-en.test, {AGENCY_DPO}"
    assert english.sender == "privacy@shop-en.test"


def test_a_store_without_a_sender_needs_the_agency_wide_one(tmp_path: Path, smtp: SmtpSink, breach: BreachCli,
                                                            sqlite_url: str, incident_file: Path) -> None:
    fleet = _fleet(tmp_path, smtp, {"shop-en": SENDERS["shop-en"]})
    assert breach("new", "--file", str(incident_file), db=sqlite_url).code == 0
    result = _notify(breach, sqlite_url, tmp_path, fleet, "shop-nl", "--apply")
    assert result.code == 1
    assert ("SMTP: ECOM_PRIVACY_SMTP_FROM not set (store shop-nl has no breach_mail.from in the fleet file)"
            in result.err)
    assert _notify(breach, sqlite_url, tmp_path, fleet, "shop-en", "--apply").code == 0


@pytest.mark.parametrize(("edit", "expected"), [
    ({"groups": {"winkels": {"breach_mail": {"from": "privacy at winkel"}}}},
     "groups.winkels.breach_mail.from: 'privacy at winkel' is not one e-mail address"),
    ({"shop-en": {"breach_mail": {"reply_to": "a@shop-en.test\nBcc: everyone@example.test"}}},
     "stores[1].breach_mail.reply_to (store shop-en): 'a@shop-en.test\\nBcc: everyone@example.test' "
     "spans several lines"),
    ({"defaults": {"breach_mail": {"sender": "a@b.test"}}}, "defaults.breach_mail.sender: unknown key"),
    ({"shop-nl": {"overrides": {"breach_mail": {"from": "a@b.test"}}}},
     "stores[0].overrides.breach_mail (store shop-nl): a store fact, not a setting"),
])
def test_a_bad_breach_mail_is_a_fleet_error_naming_where(tmp_path: Path, edit: dict[str, Any], expected: str) -> None:
    path = _fleet(tmp_path, None, edit)
    with pytest.raises(ConfigError) as caught:
        read_fleet(path)
    assert expected in str(caught.value)


def test_notify_apply_records_the_decision_to_inform_people(tmp_path: Path, smtp: SmtpSink, breach: BreachCli,
                                                             db_url: str, incident_file: Path) -> None:
    fleet = _fleet(tmp_path, smtp, SENDERS)
    assert breach("new", "--file", str(incident_file), db=db_url).code == 0
    assert breach("assess", "1", *HIGH_RISK, db=db_url).code == 0
    before = breach("check", db=db_url).out
    assert "incident 1 store shop-nl: high risk and no decision yet on informing the people affected" in before

    plan = _notify(breach, db_url, tmp_path, fleet, "shop-nl")
    assert plan.code == 2  # a plan sends and records nothing; it says whom the messages come from
    assert f"  from Winkel NL <privacy@winkel-nl.test>; replies to {AGENCY_DPO}" in plan.out
    assert "shop-nl: high risk and no decision yet" in breach("check", db=db_url).out
    applied = _notify(breach, db_url, tmp_path, fleet, "shop-nl", "--apply")
    assert applied.code == 0, applied.out + applied.err
    assert "store shop-nl: recorded the decision to inform the people affected individually" in applied.out

    after = breach("check", db=db_url).out
    assert "shop-nl: high risk" not in after and "shop-en: high risk" in after  # only the store written to
    shown = breach("show", "1", db=db_url).out
    assert "people affected: decision notify: 2 people informed individually by email (breach notify)" in shown
    again = _notify(breach, db_url, tmp_path, fleet, "shop-nl", "--apply")  # nothing new: recorded once
    assert again.code == 0 and "recorded the decision" not in again.out
