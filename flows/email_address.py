"""Email addresses as people write them into keep lists, reduced to the one form the tool compares.

A keep list decides who is never archived, and archiving cannot be undone: an entry that silently never
matches is the worst failure this tool can have. So an entry is reduced to the bare address in every
form it is commonly pasted in (`<jane@x.nl>`, `Jane <jane@x.nl>`, `mailto:jane@x.nl`, the tool's own
export with its formula guard `'-jane@x.nl`), and anything that still is not a plausible address is
refused rather than kept as a string that can never match.
"""

from __future__ import annotations

import re

from flows.csv_cells import unguard_cell

#: local part: printable, no spaces, nothing that separates or quotes addresses; domain: dotted labels of
#: letters (any script), digits and hyphens, ending in a top-level domain of at least two letters
_PLAUSIBLE = re.compile(
    r"[^\s@<>()\[\]\\,;:\"]+@(?:[^\W_](?:(?:[^\W_]|-)*[^\W_])?\.)+[^\W\d_]{2,}",
)
_DISPLAY_NAME = re.compile(r"^[^<>]*<([^<>]*)>$")
_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)


class NotAnAddress(ValueError):
    """The entry is not a plausible email address; the message says what was found."""


def normalise_email(email: str) -> str:
    """Mailboxes are case-insensitive in practice; a keep list typed by hand must still match."""
    return email.strip().casefold()


def keep_entry(raw: str) -> str:
    """The normalised address of a keep-list or emails-file entry; NotAnAddress when there is none."""
    value = unguard_cell(raw.strip()).strip()
    bracketed = _DISPLAY_NAME.match(value)
    if bracketed:
        value = bracketed.group(1).strip()
    value = _MAILTO.sub("", value).strip()
    if not _PLAUSIBLE.fullmatch(value) or ".." in value or value.startswith(".") or ".@" in value:
        raise NotAnAddress(f"{raw!r} is not an email address (expected name@example.com, optionally as "
                           f"<name@example.com>, 'Name <name@example.com>' or mailto:name@example.com)")
    return normalise_email(value)
