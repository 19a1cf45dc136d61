"""Who is told about a breach: the store's customers and newsletter subscribers read through the backoffice,
or a CSV the user gives. One person is one email address (compared without case), whatever its sources.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ecom_privacy.errors import ConfigError
from ecom_privacy.setting import StoreSession
from ecom_privacy.yaml_input import read_text_file
from flows.pages.customers_page import CustomersPage
from flows.pages.newsletter_page import NewsletterPage

#: a list of a million people is well under this
MAX_RECIPIENTS_BYTES = 200_000_000
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


def language_code(value: str) -> str:
    """`en`, `EN`, `en-GB`, `en_GB` -> `en` (shop languages are two-letter codes)."""
    return value.strip().lower().replace("_", "-").split("-")[0]


def read_csv(path: Path, languages: tuple[str, ...], written: tuple[str, ...] = ()) -> list[Recipient]:
    """Columns: `email` (required), `name` and `language` optional. `languages`: the store's shop languages, the
    default first (a row without a language is written to in the default one); `written`: the languages there is
    a message for (a person's own language is used when it is one of these or a shop language)."""
    # The one reader of input files: a FIFO, a binary file or a file of gigabytes is one line, not a hang.
    text = read_text_file(path, "the recipients file", MAX_RECIPIENTS_BYTES)
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        rows = list(reader)
        fields = [name.strip().lower() for name in reader.fieldnames or []]
    except csv.Error as exc:
        raise ConfigError(f"{path}: not a CSV file: {exc}") from None
    if "email" not in fields:
        raise ConfigError(f"{path}: needs a column 'email' (optional: 'name', 'language'); found {fields}")
    recipients = []
    for line, raw in enumerate(rows, start=2):
        row = {str(k).strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        email = row.get("email", "")
        if not EMAIL.match(email):
            raise ConfigError(f"{path}: line {line}: {email!r} is not an email address; fix or remove the line")
        language = language_code(row.get("language") or languages[0])
        if language not in languages and language not in written:
            known = ", ".join(dict.fromkeys([*languages, *written]))
            raise ConfigError(f"{path}: line {line}: language {row.get('language')!r} has no message (no template "
                              f"for it); use one of {known}, leave it empty for the shop's default "
                              f"({languages[0]}), or add a template for it (README, 'Data breaches')")
        recipients.append(Recipient(email, row.get("name", ""), language, path.name))
    return merge(recipients)


async def read_backoffice(session: StoreSession, default_language: str) -> list[Recipient]:
    """Customers and active newsletter subscribers. The backoffice's lists show no language per person, so
    they are written to in the shop's default language (a CSV with a `language` column can say otherwise)."""
    customers = await CustomersPage(session.page, session.backoffice_url, session.labels).read_all()
    listing = await NewsletterPage(session.page, session.backoffice_url, session.labels).read_all()
    people = [Recipient(c.email, c.name, default_language, "customers") for c in customers]
    people += [Recipient(s.email, s.name, default_language, "newsletter") for s in listing.subscribers]
    return merge(people)
