"""Which required elements a privacy policy contains, per language, and why (pure: no browser, no I/O beyond
the table).

The knowledge lives in `privacy_elements.yaml` (profiles, and per element and language the families of
wording that recognise it and the look-alikes that must not); this module only applies it. Entry points:

    detect_elements(page_text(html), "nl", "gdpr")   # -> [Finding(element, present, evidence, ...), ...]
    missing_elements(page_text(html), "nl", "gdpr")  # -> [Element(id="retention", ...), ...]

How a family matches (see the table's header for the rules written for its authors):
- the page is cut into passages (policy_text.passages): a paragraph, or a list with its lead-in, under its
  heading. Co-occurrence counts only inside one passage, never across a section or the page;
- every pattern is matched against ONE sentence (or the heading), so no pattern runs across a full stop;
- `within: sentence` families need all their groups in one sentence (its heading may supply some);
  `within: passage` families may find their groups in different sentences of the same passage;
- a sentence that matches one of the element's `exclude` patterns is no evidence for that element.
A finding carries the sentence(s) that satisfied the element, or, when missing, the closest miss: the
passage that matched the most groups of a family, and what it lacked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

from ecom_privacy.yaml_input import load_yaml_file
from flows.content.policy_text import NO_RULES, CuttingRules, Passage, Sentence, fold, passages

TABLE_PATH = Path(__file__).with_name("privacy_elements.yaml")
#: a pattern matches at the start of a word (prefixes allowed), so "collect" finds "collected"
_WORD_START = r"(?<![a-z0-9])"
_MACRO = re.compile(r"<<(\w+)>>")
Within = Literal["sentence", "passage"]
__all__ = ["Element", "ElementTable", "Family", "Finding", "detect_elements", "element_table", "find_element",
           "fold", "missing_elements", "resolve_elements"]


@dataclass(frozen=True)
class Family:
    """One way of writing an element: every group (a list of alternative patterns) must match."""

    name: str
    groups: tuple[tuple[re.Pattern[str], ...], ...]
    within: Within = "sentence"
    #: only passages among the page's first lines (a bare date under the title)
    near_top: bool = False
    #: the patterns as the table writes them (macros unexpanded), to explain a miss
    sources: tuple[tuple[str, ...], ...] = ()

    def describe(self, index: int) -> str:
        shown = [p if len(p) <= 40 else p[:37] + "..." for p in self.sources[index][:3]]
        return f"{self.name} #{index + 1}: " + " | ".join(shown) + (" | ..." if len(self.sources[index]) > 3 else "")


@dataclass(frozen=True)
class Wording:
    """An element's knowledge for one language."""

    families: tuple[Family, ...]
    exclude: tuple[re.Pattern[str], ...] = ()


@dataclass(frozen=True)
class Element:
    id: str
    descriptions: dict[str, str] = field(repr=False)
    wordings: dict[str, Wording] = field(repr=False)

    def description(self, language: str) -> str:
        return self.descriptions.get(language) or self.descriptions.get("en") or self.id


@dataclass(frozen=True)
class Finding:
    """Whether an element is present, with the evidence: the sentence(s) that satisfied it, or the closest miss."""

    element: Element
    present: bool
    #: the family of wording that matched (present) or came closest (missing); None when nothing came close
    family: str | None = None
    #: where: the passage's heading, else its first words
    section: str | None = None
    #: the sentence(s) that satisfied the family, or (missing) the ones that matched part of it
    evidence: str | None = None
    #: the text each group matched
    matched: tuple[str, ...] = ()
    #: (missing) the groups nothing matched in the closest passage, as the table writes them
    lacking: tuple[str, ...] = ()

    def explain(self, width: int = 160) -> str:
        """One line for plans, reports and check details (the evidence shortened to `width` characters)."""
        where = f" (under '{_shorten(self.section, 60)}')" if self.section else ""
        evidence = _shorten(self.evidence or "", width)
        if self.present:
            return f"{self.element.id}: present{where}: \"{evidence}\""
        if self.evidence is None:
            return f"{self.element.id}: MISSING: nothing close"
        return (f"{self.element.id}: MISSING: closest{where}: \"{evidence}\" lacks "
                + " and ".join(f"[{group}]" for group in self.lacking))

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.element.id, "present": self.present, "family": self.family, "section": self.section,
                "evidence": self.evidence, "matched": list(self.matched), "lacking": list(self.lacking)}


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


@dataclass(frozen=True)
class ElementTable:
    profiles: dict[str, tuple[str, ...]]
    elements: dict[str, Element]
    #: how the text is cut into passages and sentences (the table's `text:` section)
    cutting: CuttingRules = NO_RULES

    def languages(self) -> set[str]:
        return {language for element in self.elements.values() for language in element.wordings}


def _compile(pattern: str, macros: dict[str, str], where: str) -> re.Pattern[str]:
    def expand(match: re.Match[str]) -> str:
        if match.group(1) not in macros:
            raise ValueError(f"{TABLE_PATH}: {where}: unknown macro <<{match.group(1)}>> in {pattern!r}")
        return "(?:" + macros[match.group(1)] + ")"

    try:
        return re.compile(_WORD_START + "(?:" + _MACRO.sub(expand, pattern) + ")")
    except re.error as exc:
        raise ValueError(f"{TABLE_PATH}: {where}: invalid pattern {pattern!r}: {exc}") from exc


def _parse_wording(spec: dict[str, Any], macros: dict[str, str], where: str) -> Wording:
    families = []
    for name, family in spec["families"].items():
        within = family.get("within", "sentence")
        if within not in ("sentence", "passage"):
            raise ValueError(f"{TABLE_PATH}: {where}.{name}: within must be sentence or passage, not {within!r}")
        groups = tuple(
            tuple(_compile(p, macros, f"{where}.{name}[{index}]") for p in group)
            for index, group in enumerate(family["all"])
        )
        sources = tuple(tuple(group) for group in family["all"])
        families.append(Family(name, groups, within, bool(family.get("near_top", False)), sources))
    exclude = tuple(_compile(p, macros, f"{where}.exclude") for p in spec.get("exclude", ()))
    return Wording(tuple(families), exclude)


def _parse_table(raw: dict[str, Any]) -> ElementTable:
    macros = {name: _MACRO.sub(lambda m: raw["macros"][m.group(1)], value)
              for name, value in raw.get("macros", {}).items()}
    elements: dict[str, Element] = {}
    for element_id, spec in raw["elements"].items():
        wordings = {language: _parse_wording(wording, macros, f"{element_id}.{language}")
                    for language, wording in spec["languages"].items()}
        elements[element_id] = Element(id=element_id, descriptions=dict(spec["description"]), wordings=wordings)
    profiles = {name: tuple(ids) for name, ids in raw["profiles"].items()}
    for name, ids in profiles.items():
        unknown = [element_id for element_id in ids if element_id not in elements]
        if unknown:
            raise ValueError(f"{TABLE_PATH}: profile {name}: unknown element(s) {', '.join(unknown)}")
    text = raw.get("text", {})
    try:
        contents = re.compile(text["contents_heading"]) if "contents_heading" in text else None
    except re.error as exc:
        raise ValueError(f"{TABLE_PATH}: text.contents_heading: invalid pattern: {exc}") from exc
    cutting = CuttingRules(frozenset(text.get("abbreviations", ())), contents)
    return ElementTable(profiles=profiles, elements=elements, cutting=cutting)


@cache
def element_table() -> ElementTable:
    return _parse_table(load_yaml_file(TABLE_PATH, "the privacy element table"))


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


def _first_hit(group: tuple[re.Pattern[str], ...], sentence: Sentence) -> str | None:
    for pattern in group:
        if match := pattern.search(sentence.folded):
            return match.group(0)
    return None


@dataclass(frozen=True)
class _Attempt:
    """How far one family got in one stretch of sentences."""

    hits: tuple[tuple[str, Sentence] | None, ...]

    @property
    def score(self) -> int:
        return sum(hit is not None for hit in self.hits)

    @property
    def complete(self) -> bool:
        return all(hit is not None for hit in self.hits)

    def evidence(self) -> str:
        used: list[Sentence] = []
        for hit in self.hits:
            if hit is not None and hit[1] not in used:
                used.append(hit[1])
        return " ... ".join(sentence.text for sentence in used)


def _attempt(family: Family, sentences: list[Sentence]) -> _Attempt:
    hits: list[tuple[str, Sentence] | None] = []
    for group in family.groups:
        found = None
        for sentence in sentences:
            if (text := _first_hit(group, sentence)) is not None:
                found = (text, sentence)
                break
        hits.append(found)
    return _Attempt(tuple(hits))


def _stretches(family: Family, passage: Passage, usable: list[Sentence]) -> list[list[Sentence]]:
    """The runs of sentences a family may combine: the whole passage, or each sentence with its context."""
    context = [sentence for sentence in passage.context() if sentence in usable]
    body = [sentence for sentence in passage.body if sentence in usable]
    if family.within == "passage":
        return [context + [sentence for sentence in body if sentence not in context]]
    return [[*context, sentence] for sentence in body if sentence not in context] or ([context] if context else [])


@lru_cache(maxsize=16)
def _passages(text: str) -> tuple[Passage, ...]:
    return tuple(passages(text, element_table().cutting))  # cut once per page, not once per element


def find_element(element: Element, text: str, language: str) -> Finding:
    wording = element.wordings.get(language)
    if wording is None:
        raise ValueError(f"element {element.id!r} has no wording for language {language!r} in {TABLE_PATH}")
    best: tuple[float, Family, Passage, _Attempt] | None = None
    for passage in _passages(text):
        if passage.is_contents:
            continue
        candidates = ([passage.heading] if passage.heading is not None else []) + list(passage.body)
        usable = [s for s in candidates if not any(p.search(s.folded) for p in wording.exclude)]
        for family in wording.families:
            if family.near_top and not passage.near_top:
                continue
            for stretch in _stretches(family, passage, usable):
                attempt = _attempt(family, stretch)
                if attempt.complete:
                    return Finding(element, True, family=family.name, section=passage.label(),
                                   evidence=attempt.evidence(),
                                   matched=tuple(hit[0] for hit in attempt.hits if hit is not None))
                # closest miss: most groups matched, preferring the family's first (its defining) group
                ratio = (attempt.score + 0.5 * (attempt.hits[0] is not None)) / (len(family.groups) + 0.5)
                if attempt.score and (best is None or ratio > best[0]):
                    best = (ratio, family, passage, attempt)
    if best is None:
        return Finding(element, False)
    _, family, passage, attempt = best
    return Finding(element, False, family=family.name, section=passage.label(), evidence=attempt.evidence(),
                   matched=tuple(hit[0] for hit in attempt.hits if hit is not None),
                   lacking=tuple(family.describe(index) for index, hit in enumerate(attempt.hits) if hit is None))


def detect_elements(text: str, language: str, profile: str = "basic", extra: Iterable[str] = ()) -> list[Finding]:
    """Every required element with the evidence for it, in table order (for explanations and reports)."""
    return [find_element(element, text, language) for element in resolve_elements(profile, extra)]


def missing_elements(text: str, language: str, profile: str = "basic", extra: Iterable[str] = ()) -> list[Element]:
    """The elements of `profile` (plus `extra` element ids) that `text` does not contain, in table order.

    `language` is the policy's language (nl, en); `text` preferably `page_text(html)` (see the module doc).
    """
    return [finding.element for finding in detect_elements(text, language, profile, extra) if not finding.present]
