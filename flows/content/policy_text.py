"""A policy's text cut the way people write it: passages (a paragraph, or a list with its lead-in, each under
its heading) made of sentences.

The required-elements check (privacy_elements.py) judges co-occurrence inside one passage, never across a
whole section or page, and lets no single pattern run across a sentence boundary. This module only does the
cutting and knows nothing about privacy; its word lists (abbreviations, table-of-contents headings) come as
`CuttingRules` from the element table. Input is `page_text(html)` output: headings start with `#`, list
items with `- ` or `1. `, one block per line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "«": '"', "»": '"', "–": "-", "—": "-",
                             "ß": "ss"})  # German sharp s: "Straße" and "Strasse" (Swiss spelling) are one word
#: a list item or a table row, as page_text writes them
_LIST_ITEM = re.compile(r"^(- |\d+\. |\| )")
#: a full stop, question or exclamation mark (and any closing quote or bracket) followed by white space
_END = re.compile(r"[.!?]+[\"')\]]*\s+")
#: a sentence starts with a capital, a digit, an opening quote or bracket
_STARTS_SENTENCE = re.compile(r"[\"'(\[]?[A-Z0-9\u00C0-\u00DD]")
#: the first lines of a page: where a date on its own means "this version is of that date"
TOP_LINES = 4


def fold(text: str) -> str:
    """Lower case without accents, plain quotes and dashes: what the patterns are written against."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_QUOTES).lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass(frozen=True)
class CuttingRules:
    """Language knowledge of the cutting, kept in the element table (privacy_elements.yaml, `text:`)."""

    #: words after which a full stop is an abbreviation, not the end of a sentence (folded, no final dot)
    abbreviations: frozenset[str] = field(default_factory=frozenset)
    #: a heading (folded) matching this names a table of contents: its lines say nothing themselves
    contents_heading: re.Pattern[str] | None = None


NO_RULES = CuttingRules()


def split_sentences(line: str, rules: CuttingRules = NO_RULES) -> list[str]:
    """The sentences of one line of text. A full stop after an abbreviation or an initial does not end one."""
    sentences: list[str] = []
    start = 0
    for end in _END.finditer(line):
        after = line[end.end():]
        if not _STARTS_SENTENCE.match(after) and end.group(0).strip(" \"')]") == ".":
            continue  # "... and so on. and then" is not a new sentence; "? and" neither is, but keep it simple
        before = line[start:end.start()].rsplit(None, 1)
        last_word = fold(before[-1]).rstrip(".") if before else ""
        if end.group(0).startswith(".") and (last_word in rules.abbreviations or len(last_word) == 1):
            continue
        sentences.append(line[start:end.end()].strip())
        start = end.end()
    rest = line[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


@dataclass(frozen=True)
class Sentence:
    text: str
    #: `text` folded (see `fold`), what patterns match
    folded: str


@dataclass(frozen=True)
class Passage:
    """A paragraph, or a list with the paragraph that introduces it, under its heading."""

    heading: Sentence | None
    body: tuple[Sentence, ...]
    #: index of the passage's first line in the page text (0 = the first line)
    first_line: int
    #: a list's lead-in ("We share your data with:"), the context of every item, like the heading
    lead: Sentence | None = None

    def context(self) -> list[Sentence]:
        """What every sentence of the passage is read with: its heading and, in a list, the lead-in."""
        return [s for s in (self.heading, self.lead) if s is not None]

    #: under a table-of-contents heading (see CuttingRules)
    is_contents: bool = False

    @property
    def near_top(self) -> bool:
        return self.first_line < TOP_LINES

    def label(self) -> str:
        """Where the passage is, for people: its heading, else its first words."""
        if self.heading is not None:
            return self.heading.text
        first = self.body[0].text if self.body else ""
        return first if len(first) <= 60 else first[:57] + "..."


def _sentences(line: str, rules: CuttingRules) -> tuple[Sentence, ...]:
    return tuple(Sentence(text, fold(text)) for text in split_sentences(line, rules))


def _heading(line: str) -> Sentence:
    text = line.lstrip("#").strip()
    return Sentence(text, fold(text))


def passages(text: str, rules: CuttingRules = NO_RULES) -> list[Passage]:
    """The passages of `text` in reading order. A heading with nothing under it is a passage of its own."""
    lines = [line.strip() for line in text.splitlines()]
    result: list[Passage] = []
    heading: Sentence | None = None
    heading_used = True
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line:
            index += 1
            continue
        if line.startswith("#"):
            if not heading_used and heading is not None:
                result.append(Passage(heading, (), index - 1))
            heading, heading_used = _heading(line), False
            index += 1
            continue
        if _LIST_ITEM.match(line):
            first = index
            items: list[Sentence] = []
            lead: Sentence | None = None
            # the paragraph just before a list usually introduces it ("We collect:"); it belongs to the list
            if index > 0 and lines[index - 1] and not lines[index - 1].startswith("#") \
                    and not _LIST_ITEM.match(lines[index - 1]):
                items.extend(_sentences(lines[index - 1], rules))
                lead = items[-1] if items else None
                first = index - 1
            if line.startswith("| ") and lead is None:
                lead = Sentence(line[2:], fold(line[2:]))  # a table's first row is its header: every row's context
            while index < len(lines) and _LIST_ITEM.match(lines[index]):
                items.extend(_sentences(_LIST_ITEM.sub("", lines[index]), rules))
                index += 1
            result.append(Passage(heading, tuple(items), first, lead))
        else:
            result.append(Passage(heading, _sentences(line, rules), index))
            index += 1
        heading_used = True
    if not heading_used and heading is not None:
        result.append(Passage(heading, (), len(lines) - 1))
    if rules.contents_heading is None:
        return result
    contents = rules.contents_heading
    return [replace(p, is_contents=p.heading is not None and bool(contents.match(p.heading.folded))) for p in result]
