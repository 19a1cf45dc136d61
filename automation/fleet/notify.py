"""The fleet file's `notify` key: where alerts go (names of environment variables holding Apprise URLs)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

#: every kind of event an alert can be sent for; breach_deadline comes from `ecom-privacy breach check`
EventKind = Literal["failed", "drift", "verify_failed", "breach_deadline"]
ALL_KINDS: tuple[str, ...] = ("failed", "drift", "verify_failed", "breach_deadline")


class NotifyConfig(BaseModel):
    """`notify: {urls_env: [NAME, ...], events: [failed, drift, verify_failed, breach_deadline]}`.

    `events` was called `on` until YAML's reading of an unquoted `on:` as the boolean true made the documented
    example fail; the fleet file's loader still takes `on` and says to rename it (automation/fleet/model.py)."""

    model_config = ConfigDict(extra="forbid")

    #: environment variables (or .env keys) each holding one or more Apprise URLs; URLs hold tokens
    urls_env: list[str] = Field(min_length=1)
    #: the kinds of problems alerted about (`on=` still accepted from Python callers, like the loader's `on:`)
    events: list[EventKind] = Field(default_factory=lambda: list(ALL_KINDS), min_length=1,
                                    validation_alias=AliasChoices("events", "on"))
    #: the zone breach_deadline alerts show times in (a cron host often runs in UTC; the reader does not)
    timezone: str | None = None
    #: hours before a breach's authority deadline that count as near: the same window for the runs' alerts and
    #: `breach check -c`, so the two never open and clear the same problem in turn
    breach_warn_hours: float = Field(default=12.0, gt=0)

    @property
    def on(self) -> list[str]:
        """Deprecated name of `events`."""
        return list(self.events)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, name: str | None) -> str | None:
        if name is not None:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"{name!r} is not a time zone; use an IANA name such as Europe/Amsterdam or UTC "
                                 "(omit it for the system's zone)") from None
        return name

    @field_validator("urls_env")
    @classmethod
    def _env_names(cls, names: list[str]) -> list[str]:
        for name in names:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise ValueError(f"{name!r} is not an environment variable name (letters, digits, _); "
                                 "put the Apprise URL in the environment or .env and name the variable here")
        return names


def notify_urls(config: NotifyConfig, env: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """The URLs (several per variable allowed, separated by spaces or commas) and the variables not set."""
    urls, missing = [], []
    for name in config.urls_env:
        value = env.get(name, "").strip()
        if not value:
            missing.append(name)
        urls += [url for url in re.split(r"[\s,]+", value) if url]
    return urls, missing


def notify_problems(config: NotifyConfig | None, env: Mapping[str, str], env_file: object) -> list[str]:
    """For `validate`: the alert variables that are not set (their URLs hold tokens: never in the fleet file)."""
    if config is None:
        return []
    _, missing = notify_urls(config, env)
    return [f"notify.urls_env: {name} is not set in the environment or {env_file}; add {name}=<Apprise URL> "
            f"(for example mailtos://user:pass@smtp.example.com?to=ops@example.com)" for name in missing]
