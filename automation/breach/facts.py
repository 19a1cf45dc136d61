"""What an incident states: validated facts, read from `breach new --file` YAML or from flags.

Times without an offset are read in the user's zone (`--tz`) and kept in UTC. The texts a letter quotes
(`LANGUAGE_FACTS`) are written in one language (`facts_language`) or given per language
(`nature: {nl: ..., en: ...}`); the numbers (`STORE_FACTS`) are one number when the incident touches one store,
or given per store (`people_count: {shop-nl: 400, shop-en: 300}`). Which text and number one letter uses is
`automation/breach/letter_facts.py`'s.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from automation.breach.deadlines import parse_moment
from automation.fleet.ids import valid_store_id
from ecom_privacy.config_errors import describe, did_you_mean
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
    "facts_language": "the language the texts are written in (nl, en, ...), when they are not given per language",
}
#: facts a letter quotes as text: one language (facts_language), or a mapping language -> text
LANGUAGE_FACTS = ("nature", "people_categories", "record_categories", "consequences", "measures_taken",
                  "measures_proposed", "contact_role", "delay_reasons")
#: facts that differ per store: one number for an incident of one store, or a mapping store -> number
STORE_FACTS = ("people_count", "records_count")
#: a shop language, as in the fleet file (automation/fleet/languages.py: LANGUAGE_PATTERN)
LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")
LIST_FACTS = ("stores", "people_categories", "record_categories")
#: facts that end up in an email header (a subject, a name, an address) or a page title: one line each
ONE_LINE_FACTS = ("title", "stores", "reported_by", "contact_name", "contact_role", "contact_email", "contact_phone")
#: validation context of facts being recorded now (new or updated), as opposed to read from the register
RECORDING = "recording"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
INT_FACTS = ("people_count", "records_count")
TIME_FACTS = ("discovered_at", "occurred_at")


def _words(value: Any) -> Any:
    """`--stores a,b` and `stores: a` both mean a list."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


#: a text in the facts' language, or per language; a list of words likewise; a number, or per store
Text = str | dict[str, str]
Words = list[str] | dict[str, list[str]]
Count = Annotated[int, Field(ge=0)] | dict[str, Annotated[int, Field(ge=0)]]


class Facts(BaseModel):
    """The facts of one incident (every field optional but the first four: they can be added later)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    stores: list[str] = Field(min_length=1)
    discovered_at: datetime
    discovered_by: Literal["own", "platform"]
    reported_by: str | None = None
    occurred_at: datetime | None = None
    nature: Text | None = None
    people_categories: Words = Field(default_factory=list)
    people_count: Count | None = None
    record_categories: Words = Field(default_factory=list)
    records_count: Count | None = None
    consequences: Text | None = None
    measures_taken: Text | None = None
    measures_proposed: Text | None = None
    contact_name: str | None = None
    contact_role: Text | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    delay_reasons: Text | None = None
    facts_language: str | None = None

    @field_validator("stores", mode="before")
    @classmethod
    def _list(cls, value: Any) -> Any:
        return _words(value)

    @field_validator("people_categories", "record_categories", mode="before")
    @classmethod
    def _word_lists(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: _words(words) for key, words in value.items()}
        return _words(value)

    @field_validator(*LANGUAGE_FACTS)
    @classmethod
    def _languages(cls, value: Any) -> Any:
        if isinstance(value, dict):
            if not value:
                raise ValueError("give the text, or a mapping of languages to texts (nl: ..., en: ...)")
            for language in value:
                if not LANGUAGE_CODE.match(language):
                    raise ValueError(f"{language!r} is not a two-letter language code (nl, en, de, ...); give the "
                                     f"text per language as {{nl: ..., en: ...}}")
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
        texts = list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else [value]
        for text in texts:  # a contact_role per language too
            if isinstance(text, str) and _CONTROL.search(text):
                raise ValueError("must be one line without control characters (a line break would end an email "
                                 "header or a page title); write it on one line")
        return value

    @field_validator("facts_language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is not None and not LANGUAGE_CODE.match(value):
            raise ValueError(f"{value!r} is not a two-letter language code (nl, en, de, ...)")
        return value

    @model_validator(mode="after")
    def _counts_of_its_stores(self) -> Facts:
        for name in STORE_FACTS:
            value = getattr(self, name)
            unknown = [store for store in value if store not in self.stores] if isinstance(value, dict) else []
            if unknown:
                raise ValueError(f"{name}: {unknown[0]!r} is not one of the incident's stores "
                                 f"({', '.join(self.stores)})")
        return self

    def missing(self, names: tuple[str, ...]) -> list[str]:
        return [name for name in names if getattr(self, name) in (None, "", [])]


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    if not error["loc"]:  # a rule over several facts (a count of a store the incident does not touch)
        return describe(error)
    key = str(error["loc"][0])  # a fact given as text or per language: the rest names pydantic's alternative
    hint = f" ({FACT_HELP[key]})" if key in FACT_HELP else ""
    return f"key {key!r}{hint}: {describe(error, Facts)}"


def normalise(raw: dict[str, Any], tz: tzinfo, where: str, now: datetime) -> dict[str, Any]:
    """Raw values (YAML or flags) with times read in `tz` ('now' is `now`), unknown keys named."""
    unknown = sorted(set(raw) - set(FACT_HELP))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}{did_you_mean(unknown[0], FACT_HELP)}")
    values = dict(raw)
    for key in TIME_FACTS:
        if values.get(key) is not None:
            values[key] = parse_moment(values[key], tz, f"{where}: key {key!r}", now=now)
    return values


def build_facts(raw: dict[str, Any], tz: tzinfo, where: str, now: datetime) -> Facts:
    try:
        return Facts.model_validate(normalise(raw, tz, where, now), context={RECORDING: True})
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


def count_flag(text: str) -> int | tuple[str, int]:
    """`--people-count 400` (an incident of one store) or `--people-count shop-nl=400` (repeatable, per store)."""
    store, _, number = text.rpartition("=")
    try:
        count = int(number)
    except ValueError:
        raise ValueError(f"{text!r} is not a number, nor STORE=NUMBER") from None
    if count < 0:
        raise ValueError(f"{text!r}: a count is 0 or more")
    return (store.strip(), count) if store.strip() else count


def counts_of(flag: str, values: list[int | tuple[str, int]]) -> int | dict[str, int]:
    """The values of a repeated count flag: one number, or one per store (the two are not mixed)."""
    per_store = [value for value in values if isinstance(value, tuple)]
    if not per_store:
        if len(values) > 1:
            raise ConfigError(f"{flag} is given {len(values)} times: give one number, or one STORE=NUMBER per store")
        return values[0]  # type: ignore[return-value]
    if len(per_store) != len(values):
        raise ConfigError(f"{flag}: give one number (an incident of one store) or STORE=NUMBER for each store, "
                          f"not both")
    return dict(per_store)


def merged_changes(current: Facts, changes: dict[str, Any], where: str) -> dict[str, Any]:
    """Changes to per-language texts and per-store numbers add to what the incident has: giving the nl text of
    `nature` keeps its en text (plain text is kept under `facts_language`), a store's count keeps the others'.
    A plain text for a fact kept per language replaces the text of its language (`facts_language`, given with
    it or recorded); without one it is an error: which language's text would it replace?"""
    merged = dict(changes)
    language = changes.get("facts_language") or current.facts_language
    for name in (*LANGUAGE_FACTS, *STORE_FACTS):
        new, old = changes.get(name), getattr(current, name)
        if new is None or old in (None, "", [], {}):
            continue
        if isinstance(new, dict) and isinstance(old, dict):
            merged[name] = {**old, **new}
        elif isinstance(new, dict) and name in LANGUAGE_FACTS and current.facts_language:
            merged[name] = {current.facts_language: old, **new} if current.facts_language not in new else new
        elif name in LANGUAGE_FACTS and isinstance(old, dict):
            if language is None:
                raise ConfigError(f"{where}: {name} is kept per language ({', '.join(old)}): say which language the "
                                  f"new text is in with --facts-language LANG (it replaces that language's text), "
                                  f"or give it per language in a facts file ({name}: {{{next(iter(old))}: ...}})")
            merged[name] = {**old, language: new}
    return merged


def stale_languages(before: Facts, after: Facts) -> list[str]:
    """Texts changed in some languages but not in others: the others still say what the old text said."""
    notes = []
    for name in LANGUAGE_FACTS:
        old, new = getattr(before, name), getattr(after, name)
        if not (isinstance(old, dict) and isinstance(new, dict)):
            continue
        changed = [lang for lang in new if old.get(lang) != new[lang]]
        kept = [lang for lang in new if lang not in changed and lang in old]
        if changed and kept:
            notes.append(f"{name} changed in {', '.join(changed)} only; {', '.join(kept)} still say"
                         f"{'s' if len(kept) == 1 else ''} the earlier text")
    return notes


def shown_fact(value: Any) -> str:
    """A fact as one line of a listing: lists joined, per-language and per-store values each named."""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {shown_fact(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)
