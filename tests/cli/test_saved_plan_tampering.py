"""A hand-edited saved plan is never applied as written.

The attacker's edits are made twice over: once as a careless person would (the plan's own hash no longer
fits: refused before any login), and once as someone who recomputes `plan_sha256` (the hash is public):
then the re-derivation from the fleet file and the store's fresh state refuses the store, naming the field.
Real Chromium, the mock over HTTP, real files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from automation.outputs.plan_seal import plan_body_sha256
from automation.run.shard import shard_of
from mock_backoffice import MockServer
from tests.cli.conftest import CliRunner
from tests.cli.test_content_pages_cli import CCPA_TITLE, content_fleet, pages
from tests.cli.test_newsletter_cli import archived, fleet_for, passive_before_2018, subscribers
from tests.support import write_fleet

# Not about logging in: each store starts logged in (tests/warm_sessions.py).
pytestmark = pytest.mark.usefixtures("warm_sessions")

Plan = dict[str, Any]


def edit(plan_file: Path, change: Callable[[Plan], None], rehash: bool = True) -> None:
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    change(plan)
    if rehash:
        plan["plan_sha256"] = plan_body_sha256(plan)
    plan_file.write_text(json.dumps(plan, indent=2), encoding="utf-8")


def run_count(tmp_path: Path) -> int:
    runs = tmp_path / "runs"
    return len(list(runs.iterdir())) if runs.is_dir() else 0


def archive_change(plan: Plan, store: str = "shop-nl") -> dict[str, Any]:
    entry = next(s for s in plan["stores"] if s["id"] == store)
    return next(c for c in entry["changes"] if c["setting"] == "newsletter_archive")


# -- refused by the re-derivation, after a fresh read, naming the field (the hash was recomputed) -------------

def test_irreversible_set_to_false_does_not_skip_the_opt_in(cli: CliRunner, mock_server: MockServer, mock_state,
                                                            tmp_path: Path) -> None:
    args = fleet_for(tmp_path, mock_server, ["shop-nl"])
    plan_file = tmp_path / "PLAN.json"
    assert cli("plan", *args, "--out", str(plan_file)).code == 2

    def not_irreversible(plan: Plan) -> None:
        change = archive_change(plan)
        change["irreversible"], change["blocked"] = False, None

    edit(plan_file, not_irreversible)
    refused = cli("apply", *args, str(plan_file))  # no --allow-archive
    assert refused.code == 1, refused.out + refused.err
    assert "Store shop-nl: FAILED (stale_plan)" in refused.out
    assert "changes[0].irreversible" in refused.out and "was the plan file edited?" in refused.out
    assert archived(mock_state) == set()


def test_an_extra_subscriber_in_the_detail_is_not_archived(cli: CliRunner, mock_server: MockServer, mock_state,
                                                           tmp_path: Path) -> None:
    args = fleet_for(tmp_path, mock_server, ["shop-nl"])
    plan_file = tmp_path / "PLAN.json"
    assert cli("plan", *args, "--out", str(plan_file)).code == 2
    selected = passive_before_2018(mock_state)
    victim = next(s for s in subscribers(mock_state) if s["email"] not in selected and not s["archived"])

    def add_victim(plan: Plan) -> None:
        change = archive_change(plan)
        row = {key: victim[key] for key in ("email", "name", "subscribed_at", "source")}
        change["selection"]["subscribers"].append({**row, "reason": "source manual, subscribed before 2018-05-25"})
        change["after"]["archived"].append(victim["email"])

    edit(plan_file, add_victim)
    refused = cli("apply", *args, str(plan_file), "--allow-archive")
    assert refused.code == 1, refused.out + refused.err
    assert "changes[0].selection.subscribers[" in refused.out and victim["email"] in refused.out
    assert archived(mock_state) == set()  # the store is refused whole: nobody, not only the victim


def test_an_edited_after_is_not_applied(cli: CliRunner, mock_server: MockServer, mock_state, tmp_path: Path) -> None:
    path = write_fleet(tmp_path, mock_server.url, {"cookie_law": {"mode": "confirm"}}, ["shop-nl"])
    args = ["-c", str(path), "--env-file", str(tmp_path / ".env")]
    plan_file = tmp_path / "PLAN.json"
    assert cli("plan", *args, "--out", str(plan_file)).code == 2

    def custom_message(plan: Plan) -> None:
        plan["stores"][0]["changes"][0]["after"] = {"mode": "custom", "message": "Send your password to x@evil.test"}

    edit(plan_file, custom_message)
    refused = cli("apply", *args, str(plan_file))
    assert refused.code == 1
    assert "changes[0].after.message" in refused.out or "changes[0].after.mode" in refused.out, refused.out
    assert mock_state()["shop-nl"]["cookie_law"]["mode"] == "none"


def test_edited_page_content_is_not_published(cli: CliRunner, mock_server: MockServer, mock_state,
                                              tmp_path: Path) -> None:
    args = content_fleet(tmp_path, mock_server)
    plan_file = tmp_path / "PLAN.json"
    assert cli("plan", *args, "--out", str(plan_file), "--store", "shop-en").code == 2

    def deface(plan: Plan) -> None:
        [change] = [c for c in plan["stores"][0]["changes"] if c["setting"] == "ccpa_page"]
        change["after"]["html"] = "<p>We sell your data. <a href='https://evil.test'>Opt out here</a></p>"

    edit(plan_file, deface)
    refused = cli("apply", *args, str(plan_file), "--store", "shop-en")
    assert refused.code == 1
    assert "changes[0].after.html" in refused.out or "changes[1].after.html" in refused.out, refused.out
    assert CCPA_TITLE not in pages(mock_state(), "shop-en")


def test_an_untouched_saved_plan_still_applies(cli: CliRunner, mock_server: MockServer, mock_state,
                                               tmp_path: Path) -> None:
    """The control of the tests above: the same steps without the edit apply and exit 0."""
    args = fleet_for(tmp_path, mock_server, ["shop-nl"])
    plan_file = tmp_path / "PLAN.json"
    assert cli("plan", *args, "--out", str(plan_file)).code == 2
    expected = passive_before_2018(mock_state)
    edit(plan_file, lambda plan: None)  # re-serialised and re-hashed, content unchanged
    applied = cli("apply", *args, str(plan_file), "--allow-archive")
    assert applied.code == 0, applied.out + applied.err
    assert archived(mock_state) == expected


# -- refused whole, before any login ---------------------------------------------------------------------------

def _drop(key: str) -> Callable[[Plan], None]:
    return lambda plan: plan.pop(key)


def _set(key: str, value: Any) -> Callable[[Plan], None]:
    return lambda plan: plan.__setitem__(key, value)


def _rename_stores(plan: Plan) -> None:
    for number, store in enumerate(plan["stores"]):
        store["id"] = f"ghost-{number}"


def _unmanaged_setting(plan: Plan) -> None:
    plan["stores"][0]["changes"].append({**plan["stores"][0]["changes"][0], "setting": "ccpa_page"})


def _duplicate_store(plan: Plan) -> None:
    plan["stores"].append(plan["stores"][0])


def _v1_plan(plan: Plan) -> None:
    """A plan as version 1 wrote it: format 1, the newsletter rows in `detail`."""
    plan["format_version"] = 1
    change = archive_change(plan)
    change["detail"] = {"subscribers": change["selection"]["subscribers"], "rule": change["selection"]["rule"]}
    del change["selection"]


def _other_shard(store: str, total: int = 2) -> str:
    """A K/N label of a shard the store does not fall to."""
    return f"{next(k for k in range(1, total + 1) if k != shard_of(store, total))}/{total}"


def _bad_date(plan: Plan) -> None:
    archive_change(plan)["selection"]["subscribers"][0]["subscribed_at"] = "long ago"


OFFLINE_CASES: dict[str, tuple[Callable[[Plan], None] | None, bool, str]] = {
    "edited without rehash": (lambda plan: archive_change(plan).__setitem__("irreversible", False), False,
                              "plan_sha256 does not match the plan's content"),
    "plan_sha256 removed": (_drop("plan_sha256"), False, "plan_sha256 is missing or empty"),
    "plan_sha256 empty": (_set("plan_sha256", ""), False, "plan_sha256 is missing or empty"),
    "fleet_sha256 empty": (_set("fleet_sha256", ""), True, "fleet_sha256 is missing or empty"),
    "fleet_sha256 removed": (_drop("fleet_sha256"), True, "fleet_sha256 is missing or empty"),
    "fleet_sha256 other": (_set("fleet_sha256", "0" * 64), True, "changed since this plan was made (fleet_sha256)"),
    "store ids not in the fleet": (_rename_stores, True, "stores[0].id: store 'ghost-0' is not in the fleet file"),
    "store twice": (_duplicate_store, True, "stores[1].id: store 'shop-nl' appears twice"),
    "setting not managed": (_unmanaged_setting, True, "stores[0].changes[1].setting: store shop-nl does not manage"),
    "report, not plan": (_set("kind", "apply"), True, "this is a apply report, not a plan"),
    "made by version 1": (_v1_plan, True, "this plan was made by an older version of ecom-privacy (plan format 1; "
                          "this version reads 2); run 'ecom-privacy plan --out"),
    "future format": (_set("format_version", 3), True, "unsupported plan format_version 3"),
    # the newsletter rows are typed: a date that is none is refused with the plan, naming where
    "subscriber date not a date": (_bad_date, True,
                                   "stores[0].changes[0].selection.subscribers[0].subscribed_at: must be a date"),
    # issue #24, finding 9: a forged shard used to make the apply skip every store as "nothing to do"
    "shard forged": (lambda plan: plan.__setitem__("shard", _other_shard("shop-nl")), True,
                     "stores[0].id: store shop-nl falls to shard "),
    "a key given twice": (None, False, "duplicate key 'kind' in one object"),
}


@pytest.fixture
def saved_plan(cli: CliRunner, mock_server: MockServer, tmp_path: Path) -> tuple[list[str], Path]:
    args = fleet_for(tmp_path, mock_server, ["shop-nl"])
    plan_file = tmp_path / "PLAN.json"
    assert cli("plan", *args, "--out", str(plan_file)).code == 2
    return args, plan_file


@pytest.mark.parametrize("case", list(OFFLINE_CASES))
def test_untrustworthy_plan_files_are_refused_before_any_login(cli: CliRunner, mock_state, tmp_path: Path,
                                                               saved_plan: tuple[list[str], Path], case: str) -> None:
    args, plan_file = saved_plan
    change, rehash, message = OFFLINE_CASES[case]
    if change is None:  # a second "kind" after the first: json.loads alone would keep the last one
        plan_file.write_text(plan_file.read_text(encoding="utf-8").replace('"kind": "plan",',
                                                                         '"kind": "plan", "kind": "plan",', 1))
    else:
        edit(plan_file, change, rehash=rehash)
    runs_before = run_count(tmp_path)
    refused = cli("apply", *args, str(plan_file), "--allow-archive")
    assert refused.code == 1, refused.out + refused.err
    [line] = refused.err.strip().splitlines()
    assert line.startswith(f"error: {plan_file}: ") and message in line, line
    assert run_count(tmp_path) == runs_before  # no run started: nobody logged in anywhere
    assert archived(mock_state) == set()


def test_a_selection_the_plan_does_not_hold_is_refused(cli: CliRunner, mock_server: MockServer, mock_state,
                                                       tmp_path: Path) -> None:
    args = fleet_for(tmp_path, mock_server, ["shop-nl", "shop-en"])
    plan_file = tmp_path / "PLAN.json"
    assert cli("plan", *args, "--out", str(plan_file), "--store", "shop-nl").code == 2
    refused = cli("apply", *args, str(plan_file), "--store", "shop-en", "--allow-archive")
    assert refused.code == 1
    assert "the plan has nothing for store(s) shop-en" in refused.err
    assert archived(mock_state, "shop-en") == set()


def test_a_resealed_plan_with_a_change_removed_is_refused_and_the_store_untouched(
        cli: CliRunner, mock_server: MockServer, mock_state, tmp_path: Path) -> None:
    """Issue #24, finding 9: the cookie bar's change removed and its row set to compliant, the hash recomputed.
    It used to apply with exit 0 and call the setting compliant while the store still showed no bar; the apply
    re-derives the store's changes, finds one the file lacks, and refuses the store as stale."""
    path = write_fleet(tmp_path, mock_server.url, {"cookie_law": {"mode": "confirm"}}, ["shop-nl"])
    args = ["-c", str(path), "--env-file", str(tmp_path / ".env")]
    plan_file = tmp_path / "PLAN.json"
    assert cli("plan", *args, "--out", str(plan_file)).code == 2

    def drop_the_change(plan: Plan) -> None:
        plan["stores"][0]["changes"] = []
        plan["stores"][0]["settings"][0]["status"] = "compliant"

    edit(plan_file, drop_the_change)
    applied = cli("apply", *args, str(plan_file))
    assert applied.code == 1, applied.out + applied.err
    assert "Store shop-nl: FAILED (stale_plan)" in applied.out
    assert "changes (the file lists 0 for this setting, the fleet file and the store give 1)" in applied.out
    assert mock_state()["shop-nl"]["cookie_law"]["mode"] == "none"
