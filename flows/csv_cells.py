"""CSV cells that a spreadsheet cannot run as formulas, and that the tool reads back exactly.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a formula. Excel in
Dutch and German locales splits a .csv on `;`, not `,`, and does not honour our quotes when the quote is
not at the start of what it sees as a cell: `Jan;=cmd|...` becomes the cells `Jan` and `=cmd|...`. So
every place where a spreadsheet may start a cell (the start of the value and right after any `;`, `,`, tab
or line break) is guarded with an apostrophe, the spreadsheet's own "this is text" prefix.

The guard is reversible: an apostrophe is added before a run of apostrophes that ends in a trigger
character (so `'=x` written by someone else becomes `''=x`), and reading removes exactly one. Text
without a trigger after a cell start (`'t Hoekje`, a Dutch name) is written as it is.
"""

from __future__ import annotations

import re

#: characters with which a spreadsheet cell is run as a formula
TRIGGERS = "=+-@\t\r"
#: where a spreadsheet may start a new cell inside our value, whatever separator its locale uses
CELL_STARTS = ";,\t\r\n"
#: a field holding one of these is quoted, so that every CSV reader keeps it in one cell
QUOTE_WHEN = ';,\t\r\n"'

_START = f"(?:^|(?<=[{re.escape(CELL_STARTS)}]))"
_GUARD = re.compile(f"{_START}(?='*[{re.escape(TRIGGERS)}])")
_UNGUARD = re.compile(f"{_START}'(?='*[{re.escape(TRIGGERS)}])")


def guard_cell(value: str) -> str:
    """`value` with an apostrophe wherever a spreadsheet could start a formula."""
    return _GUARD.sub("'", value)


def unguard_cell(value: str) -> str:
    """The inverse of guard_cell: unguard_cell(guard_cell(x)) == x for every string x."""
    return _UNGUARD.sub("", value)


def csv_field(value: str) -> str:
    """One guarded field, quoted when it holds a separator of any locale, a line break or a quote."""
    guarded = guard_cell(value)
    if any(char in guarded for char in QUOTE_WHEN):
        return '"' + guarded.replace('"', '""') + '"'
    return guarded


def csv_row(values: list[str] | tuple[str, ...]) -> str:
    """A comma-separated line ending in a newline, every field guarded and quoted as needed."""
    return ",".join(csv_field(value) for value in values) + "\n"
