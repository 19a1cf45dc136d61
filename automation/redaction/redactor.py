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
    redacts log lines and trace zips of megabytes: the forms are searched with Aho-Corasick automata
    (`_FormIndex`), built when text is redacted after secrets were added.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._text = _FormIndex()
        #: the UTF-8 bytes of every form, as latin-1 text (one character per byte): for data that is not text
        self._bytes = _FormIndex()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        # Very short values would redact ordinary words; real passwords and TOTP secrets are longer.
        if secret and len(secret) >= 4 and secret not in self._secrets:
            self._secrets.add(secret)
            forms = secret_forms(secret)
            self._text.add(forms)
            self._bytes.add({form.encode("utf-8").decode("latin-1") for form in forms})

    def add_login(self, secrets: LoginSecrets) -> None:
        self.add(secrets.password)
        self.add(secrets.totp_secret)
        for code in secrets.recovery_codes:
            self.add(code)

    @property
    def secrets(self) -> frozenset[str]:
        return frozenset(self._secrets)

    def __call__(self, text: str) -> str:
        return _replace(text, self._text.automata())

    def holds_secret(self, text: str) -> bool:
        """Whether `text` holds any secret of the run in any of its forms (raw, escaped, encoded)."""
        return any(next(automaton.iter(text), None) is not None for automaton in self._text.automata())

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
        automata = self._bytes.automata()
        if not automata:
            return data
        return _replace(data.decode("latin-1"), automata).encode("latin-1")


class _FormIndex:
    """The forms to search for, in a few Aho-Corasick automata that grow as a run learns secrets.

    A fleet run adds each store's secrets as it opens the store and redacts a log line right after, so one
    automaton of every form, rebuilt after each store, would build the run's forms over again per store:
    quadratic (for 100 stores about 80,000 insertions and 0.5 s of a 6 s plan; for 1,000 stores a hundred
    times that). Here the forms added since the last search get an automaton of their own, merged with the
    newest one while that one is not larger, like the digits of a binary counter: each form is built into an
    automaton about log2(n) times, and a text is searched by at most about log2(n) automata.
    """

    def __init__(self) -> None:
        self._levels: list[tuple[frozenset[str], ahocorasick.Automaton]] = []
        self._pending: set[str] = set()
        self._known: set[str] = set()

    def add(self, forms: Iterable[str]) -> None:
        new = set(forms) - self._known
        self._known |= new
        self._pending |= new

    def automata(self) -> list[ahocorasick.Automaton]:
        if self._pending:
            forms = frozenset(self._pending)
            self._pending = set()
            while self._levels and len(self._levels[-1][0]) <= len(forms):
                forms = self._levels.pop()[0] | forms
            self._levels.append((forms, _automaton(forms)))
        return [automaton for _, automaton in self._levels]


def _automaton(forms: Iterable[str]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for form in forms:
        automaton.add_word(form, len(form))
    automaton.make_automaton()
    return automaton


def _replace(text: str, automata: list[ahocorasick.Automaton]) -> str:
    """Replace every match of any automaton with ***; overlapping matches are replaced as one stretch."""
    spans = sorted((end - length + 1, end + 1) for automaton in automata for end, length in automaton.iter(text))
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
