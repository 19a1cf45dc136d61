"""A store's languages in the fleet file: `backoffice_locale` (the backoffice user's language: which label table
the tool reads) and `languages` (the shop's storefront languages, the default first).

Both are store facts, not settings: a store sets them itself, or takes them from its groups (in its listed
order) or from `defaults`. The deprecated `locale` of older fleet files means `backoffice_locale: <locale>` and
`languages: [<locale>]` where the store does not set those.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from flows.labels import SUPPORTED_LOCALES

__all__ = ["LANGUAGE_PATTERN", "STORE_FACT_KEYS", "SUPPORTED_LOCALES", "language_errors", "store_languages"]

#: a shop language: a two-letter code, as in the storefront's URL prefix (/de/service/...)
LANGUAGE_PATTERN = r"^[a-z]{2}$"
#: facts about a store (not settings) that `defaults` and `groups` may set too: defaults < groups < store
STORE_FACT_KEYS = ("languages", "backoffice_locale")
#: a layer as the fleet file names it ("defaults", "groups.<name>") and its mapping
Layer = tuple[str, dict[str, Any]]


class StoreLanguageKeys(Protocol):
    """The store entry's own keys (the fleet file's `stores[i]`)."""

    locale: str | None
    backoffice_locale: str | None
    languages: list[str] | None


class StoreFacts(BaseModel):
    """`languages` / `backoffice_locale` in a `defaults` or `groups` layer."""

    model_config = ConfigDict(extra="ignore")

    languages: list[str] | None = None
    backoffice_locale: str | None = None


def _layer_facts(defaults: dict[str, Any], groups: list[Layer]) -> StoreFacts:
    """`languages` / `backoffice_locale` from defaults < groups (in the store's order)."""
    facts = StoreFacts.model_validate(defaults)
    for _, layer in groups:
        found = StoreFacts.model_validate(layer)
        for key in STORE_FACT_KEYS:
            if getattr(found, key) is not None:
                setattr(facts, key, getattr(found, key))
    return facts


def store_languages(defaults: dict[str, Any], groups: list[Layer], entry: StoreLanguageKeys
                    ) -> tuple[str, tuple[str, ...]]:
    """The store's backoffice locale and shop languages: the store's own keys (or the deprecated `locale`),
    else its groups', else the defaults'. Without any `languages`, the shop speaks the backoffice's language."""
    facts = _layer_facts(defaults, groups)
    backoffice_locale = entry.backoffice_locale or entry.locale or facts.backoffice_locale or ""
    if entry.languages is not None:
        languages = entry.languages
    elif entry.locale is not None and entry.backoffice_locale is None:
        languages = [entry.locale]
    else:
        languages = facts.languages or [backoffice_locale]
    return backoffice_locale, tuple(languages)


def language_errors(defaults: dict[str, Any], groups: list[Layer], entry: StoreLanguageKeys, where: str) -> list[str]:
    """Every problem with the store's languages, each naming where it is and what to do."""
    errors = []
    for layer_name, layer in [("defaults", defaults), *groups]:
        for key in STORE_FACT_KEYS:
            value = layer.get(key)
            if key == "languages" and value is not None and not (
                    isinstance(value, list) and all(isinstance(item, str) for item in value)):
                errors.append(f"{layer_name}.languages: must be a list of language codes, e.g. [nl, en]")
            if key == "backoffice_locale" and value is not None and not isinstance(value, str):
                errors.append(f"{layer_name}.backoffice_locale: must be a locale such as nl")
    if errors:
        return errors
    if entry.locale and entry.backoffice_locale and entry.locale != entry.backoffice_locale:
        errors.append(f"{where}.locale: the deprecated 'locale' ({entry.locale}) contradicts backoffice_locale "
                      f"({entry.backoffice_locale}); remove 'locale'")
    backoffice_locale, languages = store_languages(defaults, groups, entry)
    supported = ", ".join(SUPPORTED_LOCALES)
    if not backoffice_locale:
        errors.append(f"{where}.backoffice_locale: required: the language the store's backoffice user works in "
                      f"(one of {supported}); set it on the store, in a group or in defaults")
    elif backoffice_locale not in SUPPORTED_LOCALES:
        errors.append(f"{where}.backoffice_locale: {backoffice_locale!r} has no label table "
                      f"(flows/labels/{backoffice_locale}.yaml); supported: {supported}")
    if not languages:
        errors.append(f"{where}.languages: must list at least one shop language (the default first)")
    for language in languages:
        if not re.fullmatch(LANGUAGE_PATTERN, language):
            errors.append(f"{where}.languages: {language!r} is not a two-letter language code (nl, en, de, ...)")
    if len(set(languages)) != len(languages):
        errors.append(f"{where}.languages: a language is listed twice: {', '.join(languages)}")
    return errors
