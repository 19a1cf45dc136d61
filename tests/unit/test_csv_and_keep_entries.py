"""Issue #9 findings 2 and 11b without a browser: the export's formula guard, reading it back exactly, and
keep-list entries reduced to the address they name."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from ecom_privacy.errors import ConfigError
from ecom_privacy.setting import PlanInput
from flows.csv_cells import TRIGGERS, csv_row, guard_cell, unguard_cell
from flows.email_address import NotAnAddress, keep_entry
from flows.newsletter_archive import NewsletterArchiveDesired, NewsletterArchiveSetting, build_rule
from flows.newsletter_rule import (
    Subscriber,
    parse_address_csv,
    read_subscribers_csv,
    select_for_archive,
    subscribers_csv,
)

SETTING = NewsletterArchiveSetting()
NASTY = ["-jane@x.test", "+tag@x.test", "=a@x.test", "'=quoted@x.test", "''-two@x.test",
         "plain@x.test"]
NAMES = ["Jan;=cmd|' /C calc'!A0", "=HYPERLINK(\"http://evil\")", "'t Hoekje", "a,b", "tab\tand\r\nnewline",
         "-1", "@SUM(1)", "''=x", "Jan;\n+1", "\t=1", "Café 't Hoen", "\"quoted\"", ""]


def sub(email: str, name: str = "N", day: str = "2016-01-01", source: str = "import") -> Subscriber:
    return Subscriber(email=email, name=name, subscribed_at=date.fromisoformat(day), source=source)


def test_guard_round_trips_every_short_string() -> None:
    # Exhaustive over an alphabet of every character that matters: the guard is exactly reversible.
    alphabet = "'=-;,\t\r\na\""
    for length in range(5):
        for chars in itertools.product(alphabet, repeat=length):
            value = "".join(chars)
            assert unguard_cell(guard_cell(value)) == value, repr(value)


def cells_as_a_spreadsheet_splits(line: str, separator: str) -> list[str]:
    """What Excel in a locale with this list separator makes of a line: split on it, quotes honoured only at
    the start of a cell (the way a formula gets smuggled past a comma-quoted field)."""
    return next(csv.reader(io.StringIO(line), delimiter=separator))


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_no_cell_starts_a_formula_in_any_locale(separator: str) -> None:
    text = subscribers_csv([sub(email, name) for email, name in zip(NASTY * 2, NAMES, strict=False)])
    for line in text.replace("\r\n", "\n").split("\n"):
        for cell in cells_as_a_spreadsheet_splits(line, separator) if line else []:
            first = cell.lstrip('"')[:1]
            assert not first or first not in TRIGGERS, (separator, line, cell)


def test_fields_with_separators_or_line_breaks_are_quoted() -> None:
    assert csv_row(["a;b", "c,d", "e\tf", "g\nh", "plain"]) == '"a;b","c,d","e\tf","g\nh",plain\n'
    assert csv_row(["Jan;=cmd|x"]) == "\"Jan;'=cmd|x\"\n"  # Dutch Excel sees Jan and '=cmd|x: text


def test_the_export_reads_back_exactly() -> None:
    rows = [sub(email, name) for email, name in zip(NASTY * 2, NAMES, strict=False)]
    assert read_subscribers_csv(subscribers_csv(rows)) == rows
    assert parse_address_csv(subscribers_csv(rows)) == {s.email.casefold() for s in rows}


def test_own_export_as_keep_file_keeps_everyone_in_it(tmp_path: Path) -> None:
    """The reproduction of finding 2: -jane@ and +tag@ from the tool's own export were archived."""
    people = [sub(email) for email in NASTY]
    (tmp_path / "keep.csv").write_text(subscribers_csv(people), encoding="utf-8")
    desired = NewsletterArchiveDesired(enabled=True, keep_file="keep.csv")
    rule = build_rule(desired, PlanInput(store_id="shop-a", locale="en", base_dir=tmp_path))
    selection = select_for_archive(people, rule)
    assert selection.archive == () and len(selection.kept) == len(people)


@pytest.mark.parametrize(("entry", "address"), [
    ("  Jane@Example.COM ", "jane@example.com"),
    ("<jane@example.com>", "jane@example.com"),
    ("Jane Doe <Jane@Example.com>", "jane@example.com"),
    ("mailto:jane@example.com", "jane@example.com"),
    ("MAILTO:Jane@example.com", "jane@example.com"),
    ("<mailto:jane@example.com>", "jane@example.com"),
    ("'-jane@example.com", "-jane@example.com"),
    ("'+tag@example.com", "+tag@example.com"),
    ("o'brien@example.ie", "o'brien@example.ie"),
    ("jürgen@münchen.de", "jürgen@münchen.de"),
])
def test_keep_entries_are_normalised(entry: str, address: str) -> None:
    assert keep_entry(entry) == address


@pytest.mark.parametrize("entry", ["nobody", "jane@", "@example.com", "jane@example", "jane @example.com",
                                   "a@b@example.com", "<jane@example.com", "jane@example.com>", "jane@.com",
                                   "jane..doe@example.com", "jane@example..com", "x@y", "mailto:",
                                   "jane@example.com, joe@example.com", "jane@exa_mple.com", ""])
def test_implausible_keep_entries_are_refused(entry: str) -> None:
    with pytest.raises(NotAnAddress, match="is not an email address"):
        keep_entry(entry)


def test_keep_file_errors_name_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "keep.csv").write_text("email\njan@x.test\n<piet@x.test\n", encoding="utf-8")
    desired = NewsletterArchiveDesired(enabled=False, keep_file="keep.csv")
    with pytest.raises(ConfigError, match=r"store shop-a: newsletter_archive.keep_file: .*keep.csv: line 3: "
                                          r"'<piet@x.test' is not an email address"):
        SETTING.check(desired, PlanInput(store_id="shop-a", locale="en", base_dir=tmp_path))


def test_inline_keep_entries_are_checked_one_by_one() -> None:
    with pytest.raises(ValidationError, match=r"keep\[1\]: 'x@y' is not an email address"):
        NewsletterArchiveDesired(enabled=True, keep=["<ok@x.test>", "x@y"])
    desired = NewsletterArchiveDesired(enabled=True, keep=["mailto:Ok@X.test"])
    rule = build_rule(desired, PlanInput(store_id="s", locale="en"))
    assert select_for_archive([sub("ok@x.test")], rule).archive == ()
