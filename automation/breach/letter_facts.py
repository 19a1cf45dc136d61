"""The facts as one letter states them: every text in the letter's language, every number its store's.

An incident across stores in several languages used to paste the English `nature` into the Dutch letter
and one `people_count` into every store's letter to the authority. A letter now takes each text in its own
language (`nature: {nl: ..., en: ...}`, or plain text in `facts_language`) and each number of its own store
(`people_count: {shop-nl: 400, shop-en: 300}`, or one number when the incident touches one store). A letter
whose language or store the facts lack is refused, naming what to add and the command that adds it; nothing
is translated or guessed.
"""

from __future__ import annotations

from typing import Any

from jinja2 import StrictUndefined, UndefinedError

from automation.breach.facts import LANGUAGE_FACTS, STORE_FACTS, Facts
from ecom_privacy.errors import ConfigError

#: the facts the shipped template of each kind quotes (the authority's reasons for delay only when late)
QUOTED: dict[str, tuple[str, ...]] = {
    "authority": (*LANGUAGE_FACTS, *STORE_FACTS),
    "customers": ("nature", "consequences", "measures_taken", "measures_proposed", "contact_role"),
    "notice": ("nature", "consequences", "measures_taken", "measures_proposed", "contact_role"),
}
EMPTY: tuple[Any, ...] = (None, "", [], {})


class FactGapError(UndefinedError):
    """A template used a fact the letter's language or store lacks (the message says what to add)."""


class FactGap(StrictUndefined):
    """What a template gets for a fact this letter lacks: any use of it stops the rendering with the reason."""

    _undefined_exception = FactGapError


def _languages_of(facts: Facts, names: list[str]) -> list[str]:
    found: set[str] = set()
    for name in names:
        value = getattr(facts, name)
        if isinstance(value, dict):
            found |= set(value)
        elif facts.facts_language:
            found.add(facts.facts_language)
    return sorted(found)


def language_gap(incident_id: int, what: str, language: str, facts: Facts, names: list[str]) -> str:
    listed = ", ".join(names)
    update = f"ecom-privacy breach update {incident_id}"
    plain = [name for name in names if not isinstance(getattr(facts, name), dict)]
    if plain and facts.facts_language is None:
        return (f"incident {incident_id}: {what} quotes {listed}, and the facts do not say which language "
                f"{'it is' if len(plain) == 1 else 'they are'} written in: if in {language}, record that with "
                f"'{update} --facts-language {language}'; otherwise give each text per language in a facts file "
                f"({names[0]}: {{{language}: ...}}) and record it with '{update} --file FACTS.yaml'")
    have = ", ".join(_languages_of(facts, names)) or "no language"
    return (f"incident {incident_id}: {what} needs {listed} in {language}; the facts have "
            f"{'it' if len(names) == 1 else 'them'} in {have} only. Write the {language} text"
            f"{'' if len(names) == 1 else 's'} in a facts file ({names[0]}: {{{language}: ...}}) and record "
            f"{'it' if len(names) == 1 else 'them'} with '{update} --file FACTS.yaml' (the other languages' texts "
            f"are kept); nothing is translated for you")


def store_gap(incident_id: int, what: str, store: str, facts: Facts, names: list[str]) -> str:
    update = f"ecom-privacy breach update {incident_id}"
    per_store = " ".join(f"--{name.replace('_', '-')} {s}=N" for name in names for s in facts.stores)
    shared = [name for name in names if not isinstance(getattr(facts, name), dict)]
    if shared:
        return (f"incident {incident_id}: {what} needs {', '.join(names)} of store {store}, and the incident "
                f"touches {len(facts.stores)} stores ({', '.join(facts.stores)}) with one number for all "
                f"({', '.join(f'{n}: {getattr(facts, n)}' for n in shared)}); give each store's: '{update} "
                f"{per_store}'")
    return (f"incident {incident_id}: {what} needs {', '.join(names)} of store {store}; the facts give "
            f"{'it' if len(names) == 1 else 'them'} for other stores only; add it: '{update} "
            + " ".join(f"--{name.replace('_', '-')} {store}=N" for name in names) + "'")


def letter_facts(facts: Facts, store: str, language: str) -> tuple[dict[str, Any], list[str], list[str]]:
    """(the facts as this letter states them, facts it lacks in `language`, facts it lacks for `store`)."""
    values = facts.model_dump()
    no_language: list[str] = []
    no_store: list[str] = []
    # A value per language (per store) is looked up; a plain one fits only its stated language (only an
    # incident of one store).
    for names, key, plain_fits, lacking in ((LANGUAGE_FACTS, language, facts.facts_language == language, no_language),
                                            (STORE_FACTS, store, len(facts.stores) == 1, no_store)):
        for name in names:
            value = values[name]
            if value in EMPTY:
                continue
            fits = key in value if isinstance(value, dict) else plain_fits
            if isinstance(value, dict) or not fits:
                values[name] = value.get(key) if isinstance(value, dict) else None
            if not fits:
                lacking.append(name)
    return values, no_language, no_store


def letter_view(incident_id: int, facts: Facts, kind: str, store: str, language: str, late: bool) -> dict[str, Any]:
    """The `facts` a `kind` letter of `store` in `language` is rendered with; a fact the letter quotes and its
    language or store lacks is an error naming all of them and how to add them. Other facts it lacks become
    values that stop a template (yours) the moment it uses them, with the same explanation."""
    values, no_language, no_store = letter_facts(facts, store, language)
    quoted = [name for name in QUOTED[kind] if late or name != "delay_reasons"]
    what = (f"the {kind} letter of store {store}" if kind == "authority" else
            f"the {language} {kind} {'message' if kind == 'customers' else 'page'} of store {store}")
    needed = [name for name in no_language if name in quoted]
    if needed:
        raise ConfigError(language_gap(incident_id, what, language, facts, needed))
    needed = [name for name in no_store if name in quoted]
    if needed:
        raise ConfigError(store_gap(incident_id, what, store, facts, needed))
    for name in no_language:
        values[name] = FactGap(hint=language_gap(incident_id, what, language, facts, [name]), name=name)
    for name in no_store:
        values[name] = FactGap(hint=store_gap(incident_id, what, store, facts, [name]), name=name)
    return values
