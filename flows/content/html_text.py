"""Page content compared by meaning: rich-text HTML reduced to the lines a reader sees.

A rich text editor rewrites what it saves (`<b>` becomes `<strong>`, entities and whitespace change, empty
paragraphs vanish, attributes are reordered), so raw HTML never compares equal to what the tool sent.
`page_text` keeps what a visitor reads and nothing else:
- one line per block (paragraph, heading, list item, table row), whitespace collapsed, entities decoded;
- headings start with `#` (one per level) and list items with `- ` or `1. `, so structure still counts;
- a table row is a line starting with `| `, its cells separated by ` | ` (a header row is the first row);
- a link keeps its address: `text <href>` (the address is part of the content, e.g. on the CCPA page);
- emphasis, classes, styles, attributes and empty blocks do not count.
"""

from __future__ import annotations

import difflib
import re
import textwrap
from html.parser import HTMLParser

BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "blockquote", "pre",
    "address", "table", "thead", "tbody", "tr", "dl", "dt", "dd", "figure", "figcaption", "form", "fieldset",
    "hr", "br",
})
HEADING_LEVELS = {f"h{level}": level for level in range(1, 7)}
SKIPPED_TAGS = frozenset({"script", "style", "template", "noscript"})
#: characters that render as nothing or as a plain space
_INVISIBLE = str.maketrans({"\u00a0": " ", "\u200b": None, "\u00ad": None, "\ufeff": None})
_WHITESPACE = re.compile(r"\s+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.parts: list[str] = []
        self.prefix = ""
        self.lists: list[list[int | None]] = []  # per open list: [counter] for <ol>, [None] for <ul>
        self.links: list[tuple[str, int]] = []  # (href, index into parts where the link text starts)
        self.skipping = 0
        self.cells = 0  # cells seen in the current table row

    def flush(self) -> None:
        text = _WHITESPACE.sub(" ", "".join(self.parts).translate(_INVISIBLE)).strip()
        self.parts = []
        if text:
            self.lines.append(self.prefix + text)
            self.prefix = ""  # kept while a block is still empty, e.g. "<li><p>text</p></li>"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self.skipping += 1
        if self.skipping:
            return
        if tag in HEADING_LEVELS:
            self.flush()
            self.prefix = "#" * HEADING_LEVELS[tag] + " "
        elif tag in ("ul", "ol"):
            self.flush()
            self.lists.append([0 if tag == "ol" else None])
        elif tag == "li":
            self.flush()
            counter = self.lists[-1] if self.lists else [None]
            if counter[0] is None:
                self.prefix = "- "
            else:
                counter[0] += 1
                self.prefix = f"{counter[0]}. "
        elif tag == "tr":
            self.flush()
            self.prefix, self.cells = "| ", 0
        elif tag in ("td", "th"):
            if self.cells:
                self.parts.append(" | ")
            self.cells += 1
        elif tag in BLOCK_TAGS:
            self.flush()
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping:
            return
        if tag in HEADING_LEVELS or tag in ("li", "tr"):
            self.flush()
            self.prefix = ""  # an empty heading or item must not mark the next block
        elif tag in BLOCK_TAGS:
            self.flush()
        elif tag in ("ul", "ol"):
            self.flush()
            if self.lists:
                self.lists.pop()
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            self._close_link(href.strip(), start)

    def _close_link(self, href: str, start: int) -> None:
        label = _WHITESPACE.sub(" ", "".join(self.parts[start:])).strip()
        bare = href.removeprefix("mailto:").removeprefix("tel:")
        if href and bare != label:
            self.parts.append(f" <{href}>")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def page_text(html: str) -> str:
    """What a reader sees of `html`, one block per line; equal for HTML that means the same."""
    extractor = _TextExtractor()
    extractor.feed(html or "")
    extractor.close()
    extractor.flush()
    return "\n".join(extractor.lines)


def same_meaning(html_a: str, html_b: str) -> bool:
    return page_text(html_a) == page_text(html_b)


def _wrapped(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for line in text.splitlines():
        marker = re.match(r"^(#+ |- |\d+\. )", line)
        indent = " " * len(marker.group(1)) if marker else ""
        lines.extend(textwrap.wrap(line, width, subsequent_indent=indent, break_on_hyphens=False) or [""])
    return lines


def text_diff(old_text: str, new_text: str, *, old_name: str = "current", new_name: str = "desired",
              width: int = 100, context: int = 1) -> str:
    """A unified diff of two page texts, wrapped at `width` so that a changed sentence shows, not a paragraph."""
    diff = difflib.unified_diff(_wrapped(old_text, width), _wrapped(new_text, width), old_name, new_name,
                                n=context, lineterm="")
    return "\n".join(diff)
