"""The fleet file's `notify` key: where alerts go (names of environment variables holding Apprise URLs), how
their messages are laid out (stores grouped by client, links to the reports) and when the daily digest goes."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator


class EventKind(StrEnum):
    """Every kind of problem an alert can be sent for: the fleet file's `notify.events`, the `kind` of an open
    problem (alert_problems); the values are the fleet file's words and the database's, never renamed."""

    FAILED = "failed"
    DRIFT = "drift"
    VERIFY_FAILED = "verify_failed"
    #: from the breach register (`ecom-privacy breach check`, and the runs' reading of it)
    BREACH_DEADLINE = "breach_deadline"


ALL_KINDS: tuple[EventKind, ...] = tuple(EventKind)
DEFAULT_DIGEST_HOUR = 8
#: what `report_url` may contain: the run folder's name and a store's id
REPORT_FIELDS = ("run", "store")


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
    #: where a run's report can be opened, `{run}` being the run folder's name (and `{store}` a store's id):
    #: alerts link to it instead of naming a folder on the machine that ran it
    report_url: str | None = None
    #: the groups of the fleet file that are clients (or teams): an alert lists each one's stores together
    #: (default: every store under its first group)
    group_by: list[str] | None = None
    #: the local hour (in `timezone`) of the daily digest of what needs a human; off (or null): no digest
    digest_hour: int | None = Field(default=DEFAULT_DIGEST_HOUR, ge=0, le=23)

    @property
    def on(self) -> list[EventKind]:
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

    @field_validator("report_url")
    @classmethod
    def _report_url(cls, url: str | None) -> str | None:
        if url is None:
            return None
        if not re.match(r"^https?://[^/\s{}]+", url):
            raise ValueError(f"{url!r} is not an http(s) URL; e.g. https://reports.example/runs/{{run}}/report.html")
        try:
            fields = {name for _, name, _, _ in string.Formatter().parse(url) if name is not None}
        except ValueError as exc:
            raise ValueError(f"{url!r}: {exc}; write a brace as {{{{ or }}}}") from None
        unknown = sorted(fields - set(REPORT_FIELDS))
        if unknown:
            raise ValueError(f"{url!r}: unknown placeholder {{{unknown[0]}}}; use {{run}} (the run folder's name) "
                             f"and optionally {{store}}")
        if "run" not in fields:
            raise ValueError(f"{url!r} has no {{run}}: alerts of different runs would all link to one page; put "
                             f"{{run}} where the run folder's name goes")
        return url

    @field_validator("digest_hour", mode="before")
    @classmethod
    def _digest_off(cls, value: object) -> object:
        # `digest_hour: off` is read by YAML as false: both mean no digest
        if value is False or (isinstance(value, str) and value.strip().lower() in ("off", "none", "no")):
            return None
        if value is True:
            raise ValueError("give an hour from 0 to 23, or off")
        return value

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


def report_link(config: NotifyConfig, run_dir: str, store: str = "") -> str:
    """The address of a run's report (`report_url` filled in), or "" without one or without a run."""
    if config.report_url is None or not run_dir:
        return ""
    return config.report_url.format(run=Path(run_dir).name, store=store)


def notify_group_errors(config: NotifyConfig | None, group_names: Iterable[str]) -> list[str]:
    """`notify.group_by` names groups of the fleet file; one that is not there is a typo."""
    known = list(group_names)
    return [f"notify.group_by: no group {name!r} in the fleet file; known: {', '.join(known) or 'none'}"
            for name in (config.group_by or [] if config is not None else []) if name not in known]

