"""Which required elements a privacy policy lacks, per language (pure: no browser, no I/O beyond the table).

The knowledge lives in `privacy_elements.yaml` (profiles, and per element and language the patterns that
recognise it); this module only applies it. `missing_elements` is the public entry point, shared by the
privacy_policy setting and any later check of the live storefront:

    missing_elements(page_text(html), "nl", "gdpr")  # -> [Element(id="retention", ...), ...]

Pass `page_text(html)` output when you have HTML: its `#` headings let the detector require that, say,
"cookies" and "withdraw" are mentioned in the same section. Plain text without headings is one section.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from automation.yaml_input import load_yaml_file

TABLE_PATH = Path(__file__).with_name("privacy_elements.yaml")
#: a pattern matches at the start of a word (prefixes allowed), so "collect" finds "collected"
_WORD_START = r"(?<![a-z0-9])"
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "«": '"', "»": '"'})


@dataclass(frozen=True)
class Element:
    """One thing a policy must say; `groups` per language are alternatives that must ALL match one section."""

    id: str
    descriptions: dict[str, str] = field(repr=False)
    groups: dict[str, tuple[tuple[re.Pattern[str], ...], ...]] = field(repr=False)

    def description(self, language: str) -> str:
        return self.descriptions.get(language) or self.descriptions.get("en") or self.id


@dataclass(frozen=True)
class Finding:
    """Why an element counts as present (`section` and `matched` say where and what) or missing."""

    element: Element
    present: bool
    #: the first line of the section that satisfied every group (present), else None
    section: str | None = None
    #: the text each group matched (present), or the groups nothing matched in any section (missing)
    matched: tuple[str, ...] = ()


@dataclass(frozen=True)
class ElementTable:
    profiles: dict[str, tuple[str, ...]]
    elements: dict[str, Element]

    def languages(self) -> set[str]:
        return {language for element in self.elements.values() for language in element.groups}


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(_WORD_START + "(?:" + pattern + ")")
    except re.error as exc:
        raise ValueError(f"{TABLE_PATH}: {where}: invalid pattern {pattern!r}: {exc}") from exc


def _source(pattern: re.Pattern[str]) -> str:
    """The pattern as written in the table (without the word-start anchor added by `_compile`)."""
    return pattern.pattern[len(_WORD_START) + len("(?:") : -1]


def _parse_table(raw: dict[str, Any]) -> ElementTable:
    elements: dict[str, Element] = {}
    for element_id, spec in raw["elements"].items():
        groups = {
            language: tuple(
                tuple(_compile(p, f"{element_id}.{language}[{index}]") for p in group)
                for index, group in enumerate(language_groups)
            )
            for language, language_groups in spec["patterns"].items()
        }
        elements[element_id] = Element(id=element_id, descriptions=dict(spec["description"]), groups=groups)
    profiles = {name: tuple(ids) for name, ids in raw["profiles"].items()}
    for name, ids in profiles.items():
        unknown = [element_id for element_id in ids if element_id not in elements]
        if unknown:
            raise ValueError(f"{TABLE_PATH}: profile {name}: unknown element(s) {', '.join(unknown)}")
    return ElementTable(profiles=profiles, elements=elements)


@cache
def element_table() -> ElementTable:
    return _parse_table(load_yaml_file(TABLE_PATH, "the privacy element table"))


def fold(text: str) -> str:
    """Lower case without accents and with plain quotes: what the patterns are written against."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_QUOTES).lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def sections(text: str) -> list[list[str]]:
    """Lines grouped under their heading (a line starting with '#'); text before the first heading is one."""
    groups: list[list[str]] = [[]]
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        if line.startswith("#") and groups[-1]:
            groups.append([])
        groups[-1].append(line)
    return [group for group in groups if group]


def resolve_elements(profile: str = "basic", extra: Iterable[str] = ()) -> list[Element]:
    """The elements a profile requires plus `extra` ones, in table order; unknown names raise ValueError."""
    table = element_table()
    if profile not in table.profiles:
        raise ValueError(f"unknown profile {profile!r}; known: {', '.join(table.profiles)}")
    wanted = set(table.profiles[profile])
    for element_id in extra:
        if element_id not in table.elements:
            raise ValueError(f"unknown element {element_id!r}; known: {', '.join(table.elements)}")
        wanted.add(element_id)
    return [element for element_id, element in table.elements.items() if element_id in wanted]


def find_element(element: Element, text: str, language: str) -> Finding:
    groups = element.groups.get(language)
    if groups is None:
        raise ValueError(f"element {element.id!r} has no patterns for language {language!r} in {TABLE_PATH}")
    unmatched: set[int] = set(range(len(groups)))
    for section in sections(text):
        body = fold(" ".join(section))
        hits = [next((m.group(0) for p in group if (m := p.search(body))), None) for group in groups]
        if all(hit is not None for hit in hits):
            return Finding(element, True, section=section[0], matched=tuple(hit or "" for hit in hits))
        unmatched &= {index for index, hit in enumerate(hits) if hit is None}
    described = tuple(" | ".join(_source(p) for p in groups[index]) for index in sorted(unmatched))
    return Finding(element, False, matched=described)


def detect_elements(text: str, language: str, profile: str = "basic", extra: Iterable[str] = ()) -> list[Finding]:
    """Every required element with the evidence for it, in table order (for explanations and reports)."""
    return [find_element(element, text, language) for element in resolve_elements(profile, extra)]


def missing_elements(text: str, language: str, profile: str = "basic", extra: Iterable[str] = ()) -> list[Element]:
    """The elements of `profile` (plus `extra` element ids) that `text` does not contain, in table order.

    `language` is the policy's language (nl, en); `text` preferably `page_text(html)` (see the module doc).
    """
    return [finding.element for finding in detect_elements(text, language, profile, extra) if not finding.present]
