"""The redactor: every secret of a run, in every encoding, replaced by *** in whatever the run writes."""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick

from automation.redaction.secret_forms import secret_forms
from ecom_privacy.errors import SecretInContentError
from ecom_privacy.models import LoginSecrets

REDACTED = "***"


class Redactor:
    """Replaces every known secret value in text with ***, in each of its encodings (raw, JSON-escaped,
    URL-encoded, HTML-escaped, base64: see `automation.redaction.secret_forms`); fed with each secret as it is resolved.

    A run knows hundreds of values (every store's password and cookies), each in dozens of forms, and
    redacts log lines and trace zips of megabytes: all forms are searched at once (Aho-Corasick), and the
    automaton is rebuilt only when a secret was added since the last use.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._forms: set[str] = set()
        self._text: ahocorasick.Automaton | None = None
        self._bytes: ahocorasick.Automaton | None = None
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        # Very short values would redact ordinary words; real passwords and TOTP secrets are longer.
        if secret and len(secret) >= 4 and secret not in self._secrets:
            self._secrets.add(secret)
            self._forms |= secret_forms(secret)
            self._text = self._bytes = None

    def add_login(self, secrets: LoginSecrets) -> None:
        self.add(secrets.password)
        self.add(secrets.totp_secret)
        for code in secrets.recovery_codes:
            self.add(code)

    @property
    def secrets(self) -> frozenset[str]:
        return frozenset(self._secrets)

    def __call__(self, text: str) -> str:
        if not self._forms:
            return text
        if self._text is None:
            self._text = _automaton(self._forms)
        return _replace(text, self._text)

    def holds_secret(self, text: str) -> bool:
        """Whether `text` holds any secret of the run in any of its forms (raw, escaped, encoded)."""
        if not self._forms:
            return False
        if self._text is None:
            self._text = _automaton(self._forms)
        return next(self._text.iter(text), None) is not None

    def check_content(self, source: str, *texts: str) -> None:
        """Refuse content about to be written to a store or sent by email when it holds a secret of the run:
        SecretInContentError naming `source` (the template), never the secret. The last defence behind the
        template sandbox: whatever put the secret there (an include, a variable, a pasted line), it stays."""
        if any(self.holds_secret(text) for text in texts if text):
            raise SecretInContentError(
                f"{source}: the content holds a secret of this run (a password, TOTP secret, recovery code or "
                f"token, in some encoding); nothing was written or sent. Remove what puts it there (an include, a "
                f"variable, pasted text) and run again")

    def redact_bytes(self, data: bytes) -> bytes:
        """The same for data that is not text (a request body kept as bytes in a trace): searched for the
        UTF-8 bytes of every form, through latin-1 (one character per byte)."""
        if not self._forms:
            return data
        if self._bytes is None:
            self._bytes = _automaton({form.encode("utf-8").decode("latin-1") for form in self._forms})
        return _replace(data.decode("latin-1"), self._bytes).encode("latin-1")


def _automaton(forms: Iterable[str]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for form in forms:
        automaton.add_word(form, len(form))
    automaton.make_automaton()
    return automaton


def _replace(text: str, automaton: ahocorasick.Automaton) -> str:
    """Replace every match with ***; overlapping matches are replaced as one stretch."""
    spans = sorted((end - length + 1, end + 1) for end, length in automaton.iter(text))
    if not spans:
        return text
    merged = [list(spans[0])]
    for start, end in spans[1:]:
        if start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts, position = [], 0
    for start, end in merged:
        parts += [text[position:start], REDACTED]
        position = end
    parts.append(text[position:])
    return "".join(parts)
