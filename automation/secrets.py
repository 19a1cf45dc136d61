"""Secrets come only from the environment or an untracked `.env` file, and are redacted everywhere."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from dotenv import dotenv_values

from automation.errors import ConfigError
from automation.fleet import StoreConfig
from automation.models import LoginSecrets
from automation.secret_forms import all_forms, literal_alternation

REDACTED = "***"


def load_environment(env_file: Path | None) -> dict[str, str]:
    """The process environment over the `.env` file: a variable set in the shell wins."""
    values: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ)
    return values


def resolve_secrets(store: StoreConfig, env: Mapping[str, str], env_file: Path | None) -> LoginSecrets:
    refs = store.credentials
    missing = [name for name in (refs.email_env, refs.password_env, refs.totp_secret_env)
               if name and not env.get(name)]
    if missing:
        where = f"the environment or {env_file}" if env_file else "the environment"
        raise ConfigError(
            f"store {store.id}: secret(s) {', '.join(missing)} not set in {where}; "
            f"export them or add NAME=value lines to the .env file (--env-file)"
        )
    return LoginSecrets(
        email=env[refs.email_env],
        password=env[refs.password_env],
        totp_secret=env[refs.totp_secret_env] if refs.totp_secret_env else None,
    )


class Redactor:
    """Replaces every known secret value in text with ***, in each of its encodings (raw, JSON-escaped,
    URL-encoded, HTML-escaped, base64: see `automation.secret_forms`); fed with each secret as it is resolved."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._text_pattern: re.Pattern[str] | None = None
        self._bytes_pattern: re.Pattern[bytes] | None = None
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        # Very short values would redact ordinary words; real passwords and TOTP secrets are longer.
        if secret and len(secret) >= 4 and secret not in self._secrets:
            self._secrets.add(secret)
            self._text_pattern = self._bytes_pattern = None

    def add_login(self, secrets: LoginSecrets) -> None:
        self.add(secrets.password)
        self.add(secrets.totp_secret)

    @property
    def secrets(self) -> frozenset[str]:
        return frozenset(self._secrets)

    def _patterns(self) -> tuple[re.Pattern[str] | None, re.Pattern[bytes] | None]:
        if self._text_pattern is None and self._secrets:
            # One pattern for all forms of all secrets: a run knows hundreds of values (every store's
            # password and cookies), and one pass over a trace of megabytes per value would take minutes.
            forms = all_forms(self._secrets)
            self._text_pattern = re.compile(literal_alternation(forms))
            self._bytes_pattern = re.compile(literal_alternation(forms).encode("utf-8"))
        return self._text_pattern, self._bytes_pattern

    def __call__(self, text: str) -> str:
        pattern, _ = self._patterns()
        return pattern.sub(REDACTED, text) if pattern is not None else text

    def redact_bytes(self, data: bytes) -> bytes:
        """The same for data that is not text (a request body kept as bytes in a trace)."""
        _, pattern = self._patterns()
        return pattern.sub(REDACTED.encode(), data) if pattern is not None else data
