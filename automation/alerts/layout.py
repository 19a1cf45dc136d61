"""How an alert is laid out for the people who read it: stores under their client's heading, times in the
readers' zone, and a message written twice from one outline (plain text, and Markdown for chat targets).

The outline is a list of blocks; `as_text` and `as_markdown` are its only two renderings, so a line never says
one thing in an e-mail and another in Slack.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from automation.fleet.model import Fleet
from automation.fleet.notify import NotifyConfig

#: the heading of stores in no client group (shown only when some stores are in one)
OTHER_STORES = "Other stores"


@dataclass(frozen=True)
class AlertContext:
    """What a message knows besides its problems: each store's heading (its client) and the readers' zone."""

    headings: Mapping[str, str] = field(default_factory=dict)
    tz: tzinfo = UTC

    def heading(self, store_id: str) -> str:
        return self.headings.get(store_id, OTHER_STORES)

    def local(self, at: datetime) -> str:
        """A stored time (naive UTC) as the readers' wall clock, zone named: `2026-11-26 09:00 CET`."""
        moment = (at.replace(tzinfo=UTC) if at.tzinfo is None else at).astimezone(self.tz)
        return f"{moment:%Y-%m-%d %H:%M} {moment.tzname()}"


def alert_context(fleet: Fleet, config: NotifyConfig, tz: tzinfo) -> AlertContext:
    """Each store under the first of its groups that `notify.group_by` names (without it: its first group)."""
    headings: dict[str, str] = {}
    for store in fleet.stores:
        groups = [g for g in store.groups if config.group_by is None or g in config.group_by]
        if groups:
            headings[store.id] = groups[0]
    return AlertContext(headings, tz)


@dataclass(frozen=True)
class Section:
    """A heading ("New problems"); its items follow, under client headings when the fleet has them."""

    heading: str


@dataclass(frozen=True)
class Group:
    name: str


@dataclass(frozen=True)
class Item:
    """One problem: `- store subject: label: message`, and the report it was seen in when that has an address."""

    store: str
    subject: str
    label: str
    message: str
    link: str = ""


@dataclass(frozen=True)
class Note:
    """A line of its own (a summary per kind, a pointer to a command); `link` makes its `label` a link."""

    text: str
    label: str = ""
    link: str = ""


Block = Section | Group | Item | Note


def as_text(blocks: list[Block]) -> str:
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Section):
            if lines:
                lines.append("")
            lines.append(f"{block.heading}:")
        elif isinstance(block, Group):
            lines.append(f"[{block.name}]")
        elif isinstance(block, Item):
            subject = f" {block.subject}" if block.subject else ""
            lines.append(f"- {block.store}{subject}: {block.label}: {block.message}")
            if block.link:
                lines.append(f"  {block.link}")
        elif block.link:
            lines.append(f"{block.text}{block.label}: {block.link}")
        else:
            lines.append(block.text)
    return "\n".join(lines).strip("\n")


#: what could turn a store's text into markup: code spans, emphasis with *, links; an underscore only where it
#: could open or close emphasis (not inside a word: cookie_law stays as it is, in renderers without escapes too)
_MARKDOWN_SPECIAL = re.compile(r"[\\`*\[\]]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def escape_markdown(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(lambda match: "\\" + match.group(0), text)


def as_markdown(blocks: list[Block]) -> str:
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Section):
            lines += ["", f"**{escape_markdown(block.heading)}**", ""]
        elif isinstance(block, Group):
            lines += ["", f"_{escape_markdown(block.name)}_", ""]
        elif isinstance(block, Item):
            subject = f" {escape_markdown(block.subject)}" if block.subject else ""
            link = f" ([report]({block.link}))" if block.link else ""
            lines.append(f"- **{escape_markdown(block.store)}**{subject}: {escape_markdown(block.label)}: "
                         f"{escape_markdown(block.message)}{link}")
        elif block.text.startswith("- "):  # a summary line: an item of the list above
            lines.append("- " + escape_markdown(block.text[2:]))
        elif block.link:
            lines += ["", f"{escape_markdown(block.text)}[{escape_markdown(block.label)}]({block.link})"]
        else:
            lines += ["", escape_markdown(block.text)]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")
