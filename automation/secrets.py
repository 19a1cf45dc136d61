"""Secrets come only from the environment or an untracked `.env` file, and are redacted everywhere."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from dotenv import dotenv_values

from automation.errors import ConfigError
from automation.fleet import StoreConfig
from automation.models import LoginSecrets
from automation.totp_check import totp_secret_problem
from automation.yaml_input import read_text_file

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
    missing = [name for name in (refs.email_env, refs.password_env, refs.totp_secret_env)
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
    )


class Redactor:
    """Replaces every known secret value in text with ***; fed with each secret as it is resolved."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        # Very short values would redact ordinary words; real passwords and TOTP secrets are longer.
        if secret and len(secret) >= 4:
            self._secrets.add(secret)

    def add_login(self, secrets: LoginSecrets) -> None:
        self.add(secrets.password)
        self.add(secrets.totp_secret)

    def __call__(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text
