"""What an incident states: validated facts, read from `breach new --file` YAML or from flags.

Times without an offset are read in the user's zone (`--tz`) and kept in UTC.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from automation.breach.deadlines import parse_moment
from automation.fleet.ids import valid_store_id
from ecom_privacy.config_errors import describe, did_you_mean, key_path
from ecom_privacy.errors import ConfigError
from ecom_privacy.yaml_input import load_yaml_file

#: what each fact is, for error messages and the README; keys are the YAML keys and (with dashes) the flags
FACT_HELP: dict[str, str] = {
    "title": "a short name of the incident",
    "stores": "the affected stores (ids of the fleet file)",
    "discovered_at": "when the breach was discovered (the 72-hour clock starts here)",
    "discovered_by": "own (your own discovery) or platform (the platform's notice)",
    "reported_by": "who discovered or reported it (a person, or the platform's notice reference)",
    "occurred_at": "when the breach happened, when known",
    "nature": "the nature of the breach (what happened)",
    "people_categories": "categories of people affected (e.g. customers, newsletter subscribers)",
    "people_count": "approximate number of people affected",
    "record_categories": "categories of personal data records affected (e.g. names, email addresses)",
    "records_count": "approximate number of records affected",
    "consequences": "the likely consequences for the people affected",
    "measures_taken": "measures taken to address the breach and limit its effects",
    "measures_proposed": "measures proposed (still to take)",
    "contact_name": "the contact for more information (DPO or other)",
    "contact_role": "the contact's role (e.g. Data protection officer)",
    "contact_email": "the contact's email address",
    "contact_phone": "the contact's phone number",
    "delay_reasons": "why the authority is notified after 72 hours (required then)",
}
LIST_FACTS = ("stores", "people_categories", "record_categories")
#: facts that end up in an email header (a subject, a name, an address) or a page title: one line each
ONE_LINE_FACTS = ("title", "stores", "reported_by", "contact_name", "contact_role", "contact_email", "contact_phone")
#: validation context of facts being recorded now (new or updated), as opposed to read from the register
RECORDING = "recording"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
INT_FACTS = ("people_count", "records_count")
TIME_FACTS = ("discovered_at", "occurred_at")


class Facts(BaseModel):
    """The facts of one incident (every field optional but the first four: they can be added later)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    stores: list[str] = Field(min_length=1)
    discovered_at: datetime
    discovered_by: Literal["own", "platform"]
    reported_by: str | None = None
    occurred_at: datetime | None = None
    nature: str | None = None
    people_categories: list[str] = Field(default_factory=list)
    people_count: int | None = Field(default=None, ge=0)
    record_categories: list[str] = Field(default_factory=list)
    records_count: int | None = Field(default=None, ge=0)
    consequences: str | None = None
    measures_taken: str | None = None
    measures_proposed: str | None = None
    contact_name: str | None = None
    contact_role: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    delay_reasons: str | None = None

    @field_validator("stores", "people_categories", "record_categories", mode="before")
    @classmethod
    def _list(cls, value: Any) -> Any:
        if isinstance(value, str):  # `--stores a,b` and `stores: a` both mean a list
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator(*ONE_LINE_FACTS)
    @classmethod
    def _one_line(cls, value: Any, info: ValidationInfo) -> Any:
        if not (info.context or {}).get(RECORDING):
            return value  # facts recorded by an older version are read as they are (and shown terminal-safe)
        if info.field_name == "stores":
            bad = [store for store in value if not valid_store_id(store)]
            if bad:
                raise ValueError(f"{bad[0]!r} is not a store id (letters, digits, - _ . as in the fleet file)")
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and _CONTROL.search(text):
                raise ValueError("must be one line without control characters (a line break would end an email "
                                 "header or a page title); write it on one line")
        return value

    def missing(self, names: tuple[str, ...]) -> list[str]:
        return [name for name in names if getattr(self, name) in (None, "", [])]


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    key = ".".join(str(part) for part in error["loc"][:1]) or "(top level)"
    hint = f" ({FACT_HELP[key]})" if key in FACT_HELP else ""
    return f"key {key_path(error['loc'])!r}{hint}: {describe(error, Facts)}"


def normalise(raw: dict[str, Any], tz: tzinfo, where: str) -> dict[str, Any]:
    """Raw values (YAML or flags) with times read in `tz`, unknown keys named."""
    unknown = sorted(set(raw) - set(FACT_HELP))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}{did_you_mean(unknown[0], FACT_HELP)}")
    values = dict(raw)
    for key in TIME_FACTS:
        if values.get(key) is not None:
            values[key] = parse_moment(values[key], tz, f"{where}: key {key!r}")
    return values


def build_facts(raw: dict[str, Any], tz: tzinfo, where: str) -> Facts:
    try:
        return Facts.model_validate(normalise(raw, tz, where), context={RECORDING: True})
    except ValidationError as exc:
        raise ConfigError(f"{where}: {_first_error(exc)}") from None


def updated_facts(current: Facts, changes: dict[str, Any], where: str) -> Facts:
    try:
        return Facts.model_validate({**current.model_dump(), **changes},
                                    context={RECORDING: True} if set(changes) & set(ONE_LINE_FACTS) else None)
    except ValidationError as exc:
        raise ConfigError(f"{where}: {_first_error(exc)}") from None


def read_facts_file(path: Path) -> dict[str, Any]:
    """The facts file through the strict reader: a second `people_count:` is an error, not a silent override;
    bad bytes, deep nesting and alias bombs are one line."""
    data = load_yaml_file(path, "the facts file")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a mapping of fact keys (title, stores, discovered_at, ...)")
    return data


def facts_json(facts: Facts | dict[str, Any]) -> dict[str, Any]:
    """JSON-ready facts (times as ISO strings in UTC)."""
    data = facts.model_dump() if isinstance(facts, Facts) else dict(facts)
    return {key: value.isoformat() if isinstance(value, datetime) else value for key, value in data.items()}
