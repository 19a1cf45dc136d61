"""Colour on a terminal, through rich: the marks of a plan, its diffs, the progress bar, the log lines.

Colour is used only when the stream is a terminal, `NO_COLOR` is not set (https://no-color.org: any
non-empty value) and `--no-color` was not given. Without colour the same text is written plain, so what
cron, CI and a pipe get is exactly `Styled.plain`. rich is imported only when colour is used: building
the parser and `status` stay cheap.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from automation.outputs.render import Styled

if TYPE_CHECKING:
    from rich.text import Text

#: the style names of automation.outputs.render, as rich styles
STYLES = {
    "create": "green", "update": "yellow", "remove": "red", "blocked": "bold magenta", "failed": "bold red",
    "warning": "yellow", "irreversible": "bold red", "store": "bold", "setting": "bold", "ok": "green",
    "dim": "dim", "diff-add": "green", "diff-remove": "red", "diff-hunk": "cyan", "diff-header": "bold",
}


def colour_wanted(stream: TextIO, no_color: bool = False) -> bool:
    """True only on a terminal, without NO_COLOR in the environment and without --no-color."""
    if no_color or os.environ.get("NO_COLOR", ""):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def rich_text(styled: Styled) -> Text:
    from rich.text import Text

    text = Text(no_wrap=False)
    for index, line in enumerate(styled.lines):
        if index:
            text.append("\n")
        for part, style in line:
            text.append(part, style=STYLES.get(style) or None)
    return text


def write_styled(styled: Styled, stream: TextIO, redact: Callable[[str], str], colour: bool) -> None:
    """The text on `stream`, redacted; in colour when asked. Colour is given up rather than redaction: each
    part is redacted on its own, and when that leaves anything the whole-text redaction would catch (a
    secret split over two parts), the text is written plain."""
    plain = redact(styled.plain)
    if colour:
        parts = Styled([[(redact(text), style) for text, style in line] for line in styled.lines])
        if parts.plain == plain:
            from rich.console import Console

            Console(file=stream, force_terminal=True, no_color=False, highlight=False, markup=False, emoji=False,
                    soft_wrap=True).print(rich_text(parts))
            stream.flush()
            return
    stream.write(plain + "\n")
    stream.flush()
