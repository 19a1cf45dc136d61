"""Who is told about a breach: the store's customers and newsletter subscribers read through the backoffice,
or a CSV the user gives. One person is one email address (compared without case), whatever its sources.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from automation.breach.drafts import LANGUAGES
from automation.errors import ConfigError
from flows.base import StoreSession
from flows.pages.customers_page import CustomersPage
from flows.pages.newsletter_page import NewsletterPage

EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    language: str
    #: where the address came from: customers, newsletter, both (customers+newsletter) or the CSV's name
    source: str

    @property
    def key(self) -> str:
        return self.email.casefold()


def merge(recipients: list[Recipient]) -> list[Recipient]:
    """One entry per address, the first name and language kept, every source named."""
    merged: dict[str, Recipient] = {}
    for recipient in recipients:
        known = merged.get(recipient.key)
        if known is None:
            merged[recipient.key] = recipient
        elif recipient.source not in known.source.split("+"):
            merged[recipient.key] = Recipient(known.email, known.name or recipient.name, known.language,
                                              f"{known.source}+{recipient.source}")
    return sorted(merged.values(), key=lambda r: r.key)


def read_csv(path: Path, default_language: str) -> list[Recipient]:
    """Columns: `email` (required), `name` and `language` (nl/en; default the store's) optional."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            fields = [name.strip().lower() for name in reader.fieldnames or []]
    except FileNotFoundError:
        raise ConfigError(f"{path}: recipients file not found") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ConfigError(f"{path}: not a UTF-8 CSV file: {exc}") from None
    if "email" not in fields:
        raise ConfigError(f"{path}: needs a column 'email' (optional: 'name', 'language'); found {fields}")
    recipients = []
    for line, raw in enumerate(rows, start=2):
        row = {str(k).strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        email = row.get("email", "")
        if not EMAIL.match(email):
            raise ConfigError(f"{path}: line {line}: {email!r} is not an email address; fix or remove the line")
        language = (row.get("language") or default_language).lower()
        if language not in LANGUAGES:
            raise ConfigError(f"{path}: line {line}: language {language!r} has no message; use "
                              f"{' or '.join(LANGUAGES)}")
        recipients.append(Recipient(email, row.get("name", ""), language, path.name))
    return merge(recipients)


async def read_backoffice(session: StoreSession) -> list[Recipient]:
    """Customers and active newsletter subscribers; they are written to in the store's language."""
    customers = await CustomersPage(session.page, session.backoffice_url, session.labels).read_all()
    listing = await NewsletterPage(session.page, session.backoffice_url, session.labels).read_all()
    people = [Recipient(c.email, c.name, session.locale, "customers") for c in customers]
    people += [Recipient(s.email, s.name, session.locale, "newsletter") for s in listing.subscribers]
    return merge(people)
