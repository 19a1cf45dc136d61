"""Which newsletter subscribers to archive, as pure functions: the vendor's rule, the keep lists, the CSV.

The rule (vendor guide "Required privacy actions"): subscribers who joined before 25 May 2018 and were added
passively (by hand or by import) must be emailed a re-subscribe link and then archived; whoever subscribed
actively (form, checkout box) is kept. Real stores most likely do not show how someone was added; there the
rule is the guide's own procedure, `sources: any` (everyone subscribed before the date, after the re-subscribe
email), and a subscriber is known by email and date alone. Archiving cannot be undone, so every address list
that can keep someone wins over the rule, and email addresses are compared case-insensitively.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from ecom_privacy.models import ArchiveRuleRecord, SubscriberRow
from ecom_privacy.yaml_input import read_text_file
from flows.csv_cells import csv_row, unguard_cell
from flows.email_address import NotAnAddress, keep_entry, normalise_email

GDPR_DATE = date(2018, 5, 25)
SOURCES = ("form", "checkout", "manual", "import")
PASSIVE_SOURCES = ("manual", "import")
#: the rule's `sources` when the source does not matter (the list shows none): email and date alone
ANY_SOURCE = "any"
#: columns of the export CSV; the keep_file and emails_file readers accept this file as it is
CSV_COLUMNS = ("email", "name", "date", "source")
#: header cells that name the email column of a CSV an owner brings (their mail tool's export, say)
EMAIL_HEADERS = frozenset({"email", "e-mail", "email address", "e-mail address", "e-mailadres", "emailadres", "mail"})


class Subscriber(BaseModel):
    """One active subscriber as the newsletter list shows them (JSON: the date as YYYY-MM-DD)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    email: str
    name: str = ""
    subscribed_at: date
    #: how they were added; None where the list does not show it (most real stores)
    source: str | None = None

    @property
    def key(self) -> str:
        return normalise_email(self.email)

    @property
    def identity(self) -> tuple[str, date, str | None]:
        """Who this is on the list: someone archived who signs up again has the same email but a new date
        (and source, where the list shows it), and is a different subscription that no earlier plan covered."""
        return self.key, self.subscribed_at, self.source

    def row(self, reason: str) -> SubscriberRow:
        """This subscriber as a plan lists them, with why the rule chose or kept them."""
        return SubscriberRow(email=self.email, name=self.name, subscribed_at=self.subscribed_at,
                             source=self.source, reason=reason)

    @classmethod
    def of_row(cls, row: SubscriberRow) -> Subscriber:
        return cls(email=row.email, name=row.name, subscribed_at=row.subscribed_at, source=row.source)


@dataclass(frozen=True)
class AddressList:
    """Email addresses (normalised) and where they came from, so the plan can say why someone was kept."""

    origin: str
    emails: frozenset[str]

    @classmethod
    def of(cls, origin: str, emails: Iterable[str]) -> AddressList:
        """Raises NotAnAddress for an entry that is not a plausible address (see email_address.keep_entry)."""
        return cls(origin, frozenset(keep_entry(email) for email in emails))


@dataclass(frozen=True)
class ArchiveRule:
    subscribed_before: date = GDPR_DATE
    #: the sources to archive; None: any source (email and date alone)
    sources: frozenset[str] | None = frozenset(PASSIVE_SOURCES)
    #: anyone on one of these lists is kept, whatever the rule says
    keep: tuple[AddressList, ...] = ()
    #: when set (emails_file), only these addresses may be archived, and still only if the rule matches
    only: AddressList | None = None

    def describe(self) -> str:
        source = "any source" if self.sources is None else f"source {' or '.join(sorted(self.sources))}"
        text = f"{source}, subscribed before {self.subscribed_before.isoformat()}"
        return text + (f", listed in {self.only.origin}" if self.only is not None else "")

    def record(self) -> ArchiveRuleRecord:
        """The rule as a plan records it: the lists by where they came from, not by their addresses."""
        sources = [ANY_SOURCE] if self.sources is None else sorted(self.sources)
        return ArchiveRuleRecord(subscribed_before=self.subscribed_before, sources=sources,
                                 keep=[keep.origin for keep in self.keep],
                                 only=self.only.origin if self.only else None)


@dataclass(frozen=True)
class Decision:
    subscriber: Subscriber
    reason: str


@dataclass(frozen=True)
class Selection:
    #: to archive, in list order, each with the rule that matched
    archive: tuple[Decision, ...]
    #: matched the rule but kept by a keep list
    kept: tuple[Decision, ...]


def select_for_archive(subscribers: Iterable[Subscriber], rule: ArchiveRule) -> Selection:
    """The passive, old subscribers to archive; keep lists override the rule."""
    archive: list[Decision] = []
    kept: list[Decision] = []
    for subscriber in subscribers:
        if rule.sources is not None and subscriber.source not in rule.sources:
            continue
        if subscriber.subscribed_at >= rule.subscribed_before:
            continue
        if rule.only is not None and subscriber.key not in rule.only.emails:
            continue
        keeper = next((keep for keep in rule.keep if subscriber.key in keep.emails), None)
        if keeper is not None:
            kept.append(Decision(subscriber, f"kept: listed in {keeper.origin}"))
            continue
        how = f"source {subscriber.source}, " if subscriber.source is not None else ""
        reason = f"{how}subscribed {subscriber.subscribed_at.isoformat()} (before {rule.subscribed_before.isoformat()})"
        if rule.only is not None:
            reason += f", listed in {rule.only.origin}"
        archive.append(Decision(subscriber, reason))
    return Selection(tuple(archive), tuple(kept))


# --- address files -------------------------------------------------------------------------------------
class AddressFileError(ValueError):
    """A keep_file or emails_file cannot be used; the message names the line."""


def _delimiter(first_line: str) -> str:
    # Spreadsheets in Dutch locales write ';', most tools ',', some '\t'.
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) per record; the number is of the record's last line, as editors show it."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    return [(reader.line_num, row) for row in reader]


def parse_address_csv(text: str) -> frozenset[str]:
    """Addresses from a CSV: the column headed `email` (or e-mail, e-mailadres, ...) when the first row is a
    header, otherwise the first column. Blank lines are skipped; anything else must be a plausible address,
    which is normalised (see email_address.keep_entry: the tool's own export reads back as it was)."""
    column = 0
    emails: set[str] = set()
    header_seen = False
    for number, row in _rows(text):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if not header_seen:
            header_seen = True
            names = [cell.casefold() for cell in cells]
            found = next((index for index, name in enumerate(names) if name in EMAIL_HEADERS), None)
            if found is not None:
                column = found
                continue
        value = cells[column] if column < len(cells) else ""
        try:
            emails.add(keep_entry(value))
        except NotAnAddress as exc:
            raise AddressFileError(f"line {number}: {exc}; the file needs a header row with a column named "
                                   f"email, or one address per line") from None
    return frozenset(emails)


#: a keep list of a million addresses is well under this
MAX_ADDRESS_FILE_BYTES = 100_000_000


def read_address_file(path: Path) -> frozenset[str]:
    """Through the one reader of input files (a regular UTF-8 text file of bounded size: a FIFO or a binary file
    is refused, not read for ever); raises ConfigError naming the file and AddressFileError when its content
    is wrong."""
    return parse_address_csv(read_text_file(path, "the address file", MAX_ADDRESS_FILE_BYTES))


# --- export ----------------------------------------------------------------------------------------------
class ExportFileError(ValueError):
    """Text that is not an export of this tool; the message names the line."""


def subscribers_csv(subscribers: Iterable[Subscriber]) -> str:
    """The export: one row per subscriber with email, name, date (YYYY-MM-DD) and source. The owner opens it
    in a spreadsheet, so every cell is guarded against formulas (flows/csv_cells.py)."""
    lines = [csv_row(CSV_COLUMNS)]
    lines += [csv_row((s.email, s.name, s.subscribed_at.isoformat(), s.source or "")) for s in subscribers]
    return "".join(lines)


def read_subscribers_csv(text: str) -> list[Subscriber]:
    """An export read back exactly as the subscribers it was written from (the formula guard undone)."""
    rows = [row for _, row in _rows(text) if row]
    if not rows or tuple(rows[0]) != CSV_COLUMNS:
        raise ExportFileError(f"line 1: expected the header {','.join(CSV_COLUMNS)}")
    subscribers = []
    for number, row in enumerate(rows[1:], start=1):
        try:
            email, name, day, source = (unguard_cell(cell) for cell in row)
            subscribers.append(Subscriber(email=email, name=name, subscribed_at=date.fromisoformat(day),
                                          source=source or None))
        except ValueError as exc:
            raise ExportFileError(f"subscriber {number}: not a row of email, name, date, source ({exc})") from None
    return subscribers
