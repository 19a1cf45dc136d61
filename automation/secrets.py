"""Secrets come only from the environment or an untracked `.env` file, and are redacted everywhere."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import ahocorasick
from dotenv import dotenv_values

from automation.secret_forms import secret_forms
from automation.totp_check import totp_secret_problem
from ecom_privacy.errors import ConfigError
from ecom_privacy.models import LoginSecrets
from ecom_privacy.yaml_input import read_text_file

if TYPE_CHECKING:  # at run time only the annotation: automation.fleet loads every flow (and Playwright)
    from automation.fleet import StoreConfig

REDACTED = "***"


def load_environment(env_file: Path | None) -> dict[str, str]:
    """The process environment over the `.env` file: a variable set in the shell wins."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        # Read here, strictly: python-dotenv would raise a bare UnicodeDecodeError on a non-UTF-8 file.
        text = read_text_file(env_file, "the .env file (--env-file)", max_bytes=1_000_000)
        values.update({k: v for k, v in dotenv_values(stream=io.StringIO(text)).items() if v is not None})
    values.update(os.environ)
    return values


def resolve_secrets(store: StoreConfig, env: Mapping[str, str], env_file: Path | None) -> LoginSecrets:
    refs = store.credentials
    missing = [name for name in (refs.email_env, refs.password_env, refs.totp_secret_env, refs.recovery_codes_env)
               if name and not env.get(name)]
    if missing:
        where = f"the environment or {env_file}" if env_file else "the environment"
        raise ConfigError(
            f"store {store.id}: secret(s) {', '.join(missing)} not set in {where}; "
            f"export them or add NAME=value lines to the .env file (--env-file)"
        )
    if refs.totp_secret_env:
        problem = totp_secret_problem(env[refs.totp_secret_env])
        if problem:
            raise ConfigError(f"store {store.id}: {refs.totp_secret_env} is not a usable TOTP secret: {problem}; "
                              f"it is the base32 key shown when two-step verification was set up")
    return LoginSecrets(
        email=env[refs.email_env],
        password=env[refs.password_env],
        totp_secret=env[refs.totp_secret_env] if refs.totp_secret_env else None,
        recovery_codes=parse_recovery_codes(env[refs.recovery_codes_env]) if refs.recovery_codes_env else (),
    )


def parse_recovery_codes(value: str) -> tuple[str, ...]:
    """Recovery codes as the identity service lists them: separated by spaces, commas, semicolons or new
    lines; each once, in the given order (the first unused one is used first)."""
    codes = [code for code in re.split(r"[\s,;]+", value) if code]
    return tuple(dict.fromkeys(codes))


class Redactor:
    """Replaces every known secret value in text with ***, in each of its encodings (raw, JSON-escaped,
    URL-encoded, HTML-escaped, base64: see `automation.secret_forms`); fed with each secret as it is resolved.

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
