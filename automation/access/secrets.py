"""Secrets come only from the environment or an untracked `.env` file, and are redacted everywhere."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from dotenv import dotenv_values

from automation.access.totp_check import totp_secret_problem
from ecom_privacy.errors import ConfigError
from ecom_privacy.models import LoginSecrets
from ecom_privacy.yaml_input import read_text_file

if TYPE_CHECKING:  # at run time only the annotation: automation.fleet.model loads every flow (and Playwright)
    from automation.fleet.model import StoreConfig


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




def fleet_secrets(stores: list[StoreConfig], env: Mapping[str, str]) -> list[str]:
    """Every login secret the fleet file's stores name and the environment holds (passwords, TOTP secrets,
    recovery codes), whether or not the store is in this run: what is written to a store or sent by email is
    checked for all of them (one store's template must not publish another's password). Unset ones are skipped."""
    found: list[str] = []
    for store in stores:
        refs = store.credentials
        for name in (refs.password_env, refs.totp_secret_env):
            if name and env.get(name):
                found.append(env[name])
        if refs.recovery_codes_env and env.get(refs.recovery_codes_env):
            found += parse_recovery_codes(env[refs.recovery_codes_env])
    return found
