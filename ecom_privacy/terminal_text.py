"""Text from stores (subscriber names, page text, error messages) made harmless for a terminal.

A subscriber name is data anyone can type into a signup form. Printed raw, an escape sequence in it can
move the cursor, clear lines and recolour text, and so forge the plan a person reads before typing "yes".
Everything the tool prints passes through `printable`; values that must stay on one line of a layout
(a name in a list) through `one_line` first. Removed controls show as U+FFFD, so tampering stays visible.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

REPLACEMENT = "\ufffd"
#: ESC sequences (CSI with parameters, OSC/DCS/APC/PM/SOS strings up to their terminator, two-byte ones),
#: 8-bit CSI/OSC/DCS with their parameters, then any single C0/C1 control or DEL, and the Unicode bidi
#: overrides and isolates, which reorder what is displayed ("Trojan Source")
_SEQUENCES = (
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
)
_LAYOUT_KEPT = re.compile(f"{_SEQUENCES}|[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]")
_ONE_LINE = re.compile(f"{_SEQUENCES}|[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]")
#: what a JSON document may hold raw but a terminal would act on (JSON escapes C0 itself)
_JSON_UNSAFE = re.compile("[\\x7f-\\x9f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]")


def printable(text: str) -> str:
    """`text` with every terminal control removed; newlines and tabs stay, as they are the layout."""
    return _LAYOUT_KEPT.sub(REPLACEMENT, text)


def one_line(text: str) -> str:
    """`text` for one cell of a layout: newlines, tabs and every other control removed too."""
    return _ONE_LINE.sub(REPLACEMENT, text)


def json_for_terminal(text: str) -> str:
    """A JSON document with the characters a terminal would act on written as \\u escapes: same data."""
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


class TerminalStream:
    """A text stream whose every write is made `printable` on its way out: a command that prints store or
    register data (names, titles, messages of imported runs) gets it for every line at once, not per print."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(printable(text))

    def writelines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, fileno, ... of the stream itself
        return getattr(self._stream, name)
