"""Issue #9 finding 11a/c without a browser: terminal controls in store data, and TOTP secrets checked early."""

from __future__ import annotations

import json

import pytest

from automation.access.totp_check import totp_secret_problem
from automation.outputs.render import render_document
from ecom_privacy.models import Change, RunDocument, RunKind, SettingResult, SettingStatus, StoreResult
from ecom_privacy.terminal_text import REPLACEMENT, json_for_terminal, one_line, printable

ATTACKS = ["\x1b[2J", "\x1b[1A\x1b[2K", "\x1b]0;title\x07", "\x1b]8;;http://evil\x1b\\link", "\x9b2K", "\x1bc",
           "\x07", "\x08\x08", "\x7f", "\u202eexe.pdf", "\x1b[31;1m", "\x1bP+q\x1b\\", "\x00"]


@pytest.mark.parametrize("attack", ATTACKS)
def test_no_control_survives(attack: str) -> None:
    for clean in (printable(f"a{attack}b"), one_line(f"a{attack}b")):
        assert clean.startswith("a") and clean.endswith("b") and REPLACEMENT in clean
        assert not any(ord(char) < 0x20 or 0x7f <= ord(char) <= 0x9f or char == "\u202e" for char in clean)


def test_layout_stays_but_not_inside_a_cell() -> None:
    assert printable("line 1\n\tline 2") == "line 1\n\tline 2"
    assert printable("über café, 'quotes' & <html>") == "über café, 'quotes' & <html>"
    assert one_line("Jan\n+ forged\r\tline") == f"Jan{REPLACEMENT}+ forged{REPLACEMENT}{REPLACEMENT}line"


def test_json_keeps_the_data_but_not_the_controls() -> None:
    text = json.dumps({"name": "a\x9bb\u202ec"}, ensure_ascii=False)
    safe = json_for_terminal(text)
    assert "\x9b" not in safe and "\u202e" not in safe and json.loads(safe) == {"name": "a\x9bb\u202ec"}


def test_rendered_plan_has_no_controls_from_store_data() -> None:
    change = Change(setting="newsletter_archive", action="archive", summary="1 of 1\x1b[8m",
                    diff="- a@x.test  \x1b[2K\rEvil")
    document = RunDocument(kind=RunKind.PLAN, created_at="now", fleet_file="f", stores=[
        StoreResult(id="s", changes=[change], settings=[SettingResult(setting="x", status=SettingStatus.DRIFT)]),
        StoreResult(id="t", error="page said \x1b]0;pwned\x07", error_kind="ui_mismatch")])
    text = render_document(document, diff=True)  # the list preview, where a subscriber's name shows
    assert "\x1b" not in text and "\r" not in text and "\x07" not in text and "Evil" in text


@pytest.mark.parametrize(("secret", "problem"), [
    ("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", None),
    ("jbswy3dpehpk3pxpjbswy3dp", None),
    ("JBSW Y3DP EHPK 3PXP", "contains spaces"),
    ("0123456789abcdef", "not base32"),
    ("JBSWY3DPEHPK3PXPA", "not valid base32"),
    ("JBSWY3DP", "at least"),
])
def test_totp_secrets(secret: str, problem: str | None) -> None:
    found = totp_secret_problem(secret)
    assert (found is None) if problem is None else (problem in (found or "") and secret not in (found or ""))
