"""A plan read in seconds: one line per changed setting, text diffs summarised (whole with --diff, list items
as bullets), a summary counting changes per action and naming the irreversible ones and what they wait for,
a legend; an apply says what became of each change; changes that await an opt-in are `blocked` in the text,
the counts, the matrix and JUnit, and do not fail an apply (a plan still exits 2)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest

from automation.outputs.junit import render_junit
from automation.outputs.matrix import build_matrix
from automation.outputs.render import (
    apply_exit_code,
    diff_stat,
    plan_exit_code,
    render_document,
    render_document_styled,
    summarise,
)
from automation.outputs.terminal import colour_wanted, write_styled
from ecom_privacy.models import (
    BlockReason,
    Change,
    ChangeAction,
    RunDocument,
    RunKind,
    SettingResult,
    SettingStatus,
    StoreResult,
    StoreStatus,
)

POLICY_DIFF = ("--- current (nl)\n+++ desired (nl)\n@@ -1 +1,4 @@\n Wij respecteren je privacy.\n"
               "+## Welke gegevens\n+- je naam;\n+- je adres.\n"
               "--- current (en)\n+++ desired (en)\n@@ -1,2 +1,2 @@\n-Old words.\n+New words.\n")


def changes() -> list[Change]:
    return [
        Change(setting="cookie_law", action=ChangeAction.UPDATE, summary="mode none -> confirm",
               before={"mode": "none"}, after={"mode": "confirm"}),
        Change(setting="privacy_policy", action=ChangeAction.UPDATE, diff=POLICY_DIFF,
               summary="[nl] append 1 missing section(s) from privacy-policy.nl.html; [en] replace the content",
               evidence=["personal_data: MISSING: nothing close"]),
        Change(setting="newsletter_archive", action=ChangeAction.ARCHIVE, irreversible=True,
               blocked=BlockReason.NEEDS_OPT_IN,
               summary="88 of 320 active subscriber(s)", diff="- a@x.test  A  2017-01-01  import"),
    ]


def store(statuses: dict[str, SettingStatus], store_id: str = "shop") -> StoreResult:
    return StoreResult(id=store_id, changes=changes(),
                       settings=[SettingResult(setting=name, status=status) for name, status in statuses.items()])


PLANNED = {"cookie_law": SettingStatus.DRIFT, "privacy_policy": SettingStatus.DRIFT,
           "newsletter_archive": SettingStatus.DRIFT}
APPLIED = {"cookie_law": SettingStatus.CHANGED, "privacy_policy": SettingStatus.COMPLIANT,
           "newsletter_archive": SettingStatus.DRIFT}


def document(kind: RunKind, statuses: dict[str, SettingStatus]) -> RunDocument:
    return RunDocument(kind=kind, created_at="now", fleet_file="f.yaml", stores=[
        store(statuses), StoreResult(id="quiet", settings=[SettingResult(setting="cookie_law",
                                                                          status=SettingStatus.COMPLIANT)])])


def test_a_plan_is_one_line_per_changed_setting_with_a_summary_and_a_legend() -> None:
    text = render_document(document(RunKind.PLAN, PLANNED))
    assert text.splitlines()[:6] == [
        "Store shop: 3 change(s) planned",
        "  ~ cookie_law: mode none -> confirm",
        "  ~ privacy_policy: [nl] append 1 missing section(s) from privacy-policy.nl.html; [en] replace the content"
        " (+3 lines in [nl], +1 -1 in [en])",
        "  ! newsletter_archive: 88 of 320 active subscriber(s) [irreversible; blocked: needs --allow-archive]",
        "Store quiet: compliant, no changes",
        "",
    ]
    assert "Plan: 2 stores, 3 to change (2 update, 1 archive), 1 irreversible (blocked: needs --allow-archive)" \
        in text.splitlines()
    assert "Stores: 1 ok, 1 drifted" in text.splitlines()
    assert text.splitlines()[-1].startswith("Legend: + create  ~ update  - hide/archive  ! blocked: awaits an "
                                            "opt-in  x failed  * warning")
    assert "before:" not in text and "elements:" not in text and "a@x.test" not in text  # only with --diff


def test_with_diff_the_whole_story_and_list_items_as_bullets() -> None:
    text = render_document(document(RunKind.PLAN, PLANNED), diff=True)
    assert "      before: {\"mode\": \"none\"}" in text and "        personal_data: MISSING: nothing close" in text
    assert "      +\u2022 je naam;" in text and "+- je" not in text  # never reads like a removal
    assert "      -Old words." in text and "      - a@x.test  A  2017-01-01  import" in text


def test_diff_stat_counts_per_language_and_ignores_a_list_preview() -> None:
    assert diff_stat(POLICY_DIFF) == "+3 lines in [nl], +1 -1 in [en]"
    assert diff_stat("--- current\n+++ desired\n@@ -0,0 +1,2 @@\n+a\n+b\n") == "+2 lines"
    assert diff_stat("- a@x.test  A  2017-01-01  import") == ""


def test_an_apply_says_what_became_of_each_change_and_blocked_ones_do_not_fail_it() -> None:
    applied = document(RunKind.APPLY, APPLIED)
    text = render_document(applied)
    assert "Store shop: 1 applied, 1 already as desired, nothing saved, 1 awaits an opt-in" in text
    assert "  ~ cookie_law: mode none -> confirm: applied" in text
    assert "(+3 lines in [nl], +1 -1 in [en]): already as desired, nothing saved" in text
    assert "[irreversible; blocked: needs --allow-archive]: awaits an opt-in" in text
    assert "= cookie_law: changed" not in text
    assert "Apply: 2 stores, 1 changed, 1 awaits an opt-in (blocked: needs --allow-archive)" in text
    assert "1 change(s) await an opt-in: apply again with --allow-archive, or set allow_irreversible: true" in text
    assert apply_exit_code(applied) == 0
    assert plan_exit_code(document(RunKind.PLAN, PLANNED)) == 2


def test_drift_that_is_not_blocked_still_fails_an_apply() -> None:
    left = document(RunKind.APPLY, {**APPLIED, "cookie_law": SettingStatus.DRIFT})
    assert apply_exit_code(left) == 1
    assert summarise(left)["drifted"] == 1 and summarise(left)["blocked"] == 0


def test_blocked_is_counted_shown_in_the_matrix_and_skipped_in_junit_after_an_apply() -> None:
    applied = document(RunKind.APPLY, APPLIED)
    assert summarise(applied) == {"ok": 1, "changed": 0, "drifted": 0, "blocked": 1, "failed": 0, "skipped": 0}
    cells = build_matrix(applied).rows[0].cells
    assert cells["newsletter_archive"].status == "blocked" and cells["cookie_law"].status == "changed"
    cases = {case.get("name"): case for case in ET.fromstring(render_junit(applied)).iter("testcase")
             if case.get("classname") == "shop"}
    skipped = cases["newsletter_archive"].find("skipped")
    assert skipped is not None and skipped.get("message", "").startswith("awaits an opt-in: 88 of 320")
    assert cases["newsletter_archive"].find("failure") is None
    planned = {case.get("name"): case for case in ET.fromstring(render_junit(document(RunKind.PLAN, PLANNED)))
               .iter("testcase") if case.get("classname") == "shop"}
    assert planned["newsletter_archive"].find("failure").get("type") == "drift"  # type: ignore[union-attr]


def test_a_store_caught_mid_save_by_ctrl_c_counts_as_failed_as_report_json_says() -> None:
    caught = RunDocument(kind=RunKind.APPLY, created_at="now", fleet_file="f.yaml", interrupted=True, stores=[
        StoreResult(id="caught", status=StoreStatus.OK, settings=[
            SettingResult(setting="cookie_law", status=SettingStatus.CHANGED),
            SettingResult(setting="privacy_policy", status=SettingStatus.FAILED, error_kind="interrupted",
                          error="interrupted while being applied: it may or may not have been saved")])])
    assert summarise(caught)["failed"] == 1 and summarise(caught)["changed"] == 0
    assert "Stores: 1 failed" in render_document(caught)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_on_a_terminal_only_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    styled = render_document_styled(document(RunKind.PLAN, PLANNED))
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert colour_wanted(Terminal()) and not colour_wanted(io.StringIO()) and not colour_wanted(Terminal(), True)
    out = Terminal()
    write_styled(styled, out, lambda text: text.replace("confirm", "***"), colour=True)
    assert "\x1b[" in out.getvalue() and "confirm" not in out.getvalue() and "***" in out.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour_wanted(Terminal())
    plain = io.StringIO()
    write_styled(styled, plain, lambda text: text, colour=False)
    assert plain.getvalue() == styled.plain + "\n"


def test_a_secret_split_over_two_parts_gives_up_colour_not_redaction() -> None:
    styled = render_document_styled(document(RunKind.PLAN, PLANNED))
    out = Terminal()
    secret = "Store shop"  # spans the parts "Store " and "shop"
    write_styled(styled, out, lambda text: text.replace(secret, "***"), colour=True)
    assert secret not in out.getvalue() and "\x1b[" not in out.getvalue()
