"""Reading the project's Markdown as GitHub renders it: heading anchors, relative links, fenced code blocks.

A fenced block may be preceded by an HTML comment saying how the documentation tests treat it
(`<!-- doc-test: KIND -->`, see tests/docs/test_examples.py); the comment is invisible on GitHub.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^(```+|~~~+)\s*([\w+-]*)\s*$")
MARKER = re.compile(r"^<!--\s*doc-test:\s*([\w-]+)(?:\s+(.*?))?\s*-->\s*$")
LINK = re.compile(r"(?<!!)\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)\)")


def documentation_files() -> list[Path]:
    """README.md and every page under docs/: what a newcomer reads."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: formatting dropped, lower case, punctuation but '-' removed, spaces to '-'."""
    text = re.sub(r"`([^`]*)`", r"\1", heading)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_]{1,2}([^*_]+)[*_]{1,2}", r"\1", text)
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def _prose_lines(text: str) -> list[tuple[int, str]]:
    """Lines outside fenced code blocks, with their line numbers."""
    lines, fence = [], None
    for number, line in enumerate(text.splitlines(), 1):
        match = FENCE.match(line)
        if match and (fence is None or match.group(1).startswith(fence)):
            fence = None if fence else match.group(1)
            continue
        if fence is None:
            lines.append((number, line))
    return lines


def anchors(path: Path) -> set[str]:
    """Every anchor the page has: one per heading, a repeated heading getting -1, -2, ... as on GitHub."""
    found: set[str] = set()
    counts: dict[str, int] = {}
    for _, line in _prose_lines(path.read_text(encoding="utf-8")):
        match = re.match(r"#{1,6} (.+)", line)
        if match:
            base = slug(match.group(1))
            count = counts.get(base, 0)
            counts[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(path: Path) -> list[tuple[int, str]]:
    """The targets of every inline link outside code, with line numbers; a link's text may run over lines."""
    text = path.read_text(encoding="utf-8")
    prose = dict(_prose_lines(text))
    kept = "\n".join(prose.get(number, "") for number in range(1, text.count("\n") + 2))
    kept = re.sub(r"`[^`\n]*`", lambda match: " " * len(match.group(0)), kept)  # code spans are no links
    return [(kept.count("\n", 0, match.start()) + 1, match.group(1)) for match in LINK.finditer(kept)]


@dataclass(frozen=True)
class CodeBlock:
    path: Path
    line: int          # the line of the opening fence
    language: str      # the info string: yaml, sh, cron, text, ...
    text: str
    marker: str | None  # the KIND of a `<!-- doc-test: KIND ... -->` comment right before the block
    marker_note: str    # what follows KIND in that comment (why a fragment is one)

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def code_blocks(path: Path) -> list[CodeBlock]:
    blocks: list[CodeBlock] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        fence, language, start = match.group(1), match.group(2), index
        body = []
        index += 1
        while index < len(lines) and not lines[index].startswith(fence):
            body.append(lines[index])
            index += 1
        previous = next((lines[i] for i in range(start - 1, -1, -1) if lines[i].strip()), "")
        marker = MARKER.match(previous)
        blocks.append(CodeBlock(path, start + 1, language, "\n".join(body) + "\n",
                                marker.group(1) if marker else None, (marker.group(2) or "") if marker else ""))
        index += 1
    return blocks
