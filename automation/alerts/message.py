"""One message per run: every problem that started or cleared, or a summary when many stores changed; stores
under their client's heading, each run's report linked when the fleet says where reports are served."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from automation.alerts.layout import OTHER_STORES, AlertContext, Block, Group, Item, Note, Section, as_markdown, as_text
from automation.alerts.state import Notice, Pending
from automation.fleet.notify import EventKind, NotifyConfig, report_link
from ecom_privacy.models import BlockReason

#: above this many lines the message becomes a summary per kind (a night when the whole fleet broke
#: must not be a wall of text, nor one message per store)
DETAIL_LIMIT = 12
NAMES_IN_SUMMARY = 15
LABELS = {EventKind.FAILED: "failed", EventKind.DRIFT: "drifted", EventKind.VERIFY_FAILED: "storefront check failed",
          EventKind.BREACH_DEADLINE: "breach deadline"}
#: a drift that waits for a person (the digest's), by its reason
BLOCKED_LABELS = {BlockReason.NEEDS_OPT_IN: "blocked (awaits an opt-in)"}
#: kinds whose start means something is broken or overdue (the message is sent as a failure)
URGENT = (EventKind.FAILED, EventKind.VERIFY_FAILED, EventKind.BREACH_DEADLINE)


@dataclass(frozen=True)
class Message:
    title: str
    #: plain text with line breaks (e-mail, webhooks) and the same in Markdown (chat targets that render it)
    text: str
    markdown: str
    #: Apprise's notify type: info, success, warning or failure (a target shows its colour or icon)
    level: str


def label(kind: EventKind, blocked: BlockReason | None = None) -> str:
    return BLOCKED_LABELS[blocked] if blocked is not None else LABELS[kind]


def report_of(notice: Notice, run_dir: str, config: NotifyConfig, run: str | None = None) -> str:
    """The report of the run that saw `notice`, when it is not the message's own run (linked once at the end);
    with `{store}` in report_url every store's line links to its own part of the report."""
    # a deadline is the register's, not a run's
    if config.report_url is None or notice.kind == EventKind.BREACH_DEADLINE:
        return ""
    run = notice.run_dir if run is None else run
    if "{store}" in config.report_url:
        return report_link(config, run, notice.store_id)
    return report_link(config, run) if run != run_dir else ""


def grouped(notices: list[Notice], context: AlertContext) -> list[tuple[str, list[Notice]]]:
    """The notices under their headings: client groups by name, stores in none last; one heading only when the
    fleet groups its stores at all."""
    by_heading: dict[str, list[Notice]] = {}
    for notice in sorted(notices, key=lambda n: (n.store_id, n.subject, n.kind)):
        by_heading.setdefault(context.heading(notice.store_id), []).append(notice)
    return sorted(by_heading.items(), key=lambda pair: (pair[0] == OTHER_STORES, pair[0]))


def _summary(notices: list[Notice]) -> list[Block]:
    lines: list[Block] = []
    for kind, count in Counter(notice.kind for notice in notices).most_common():
        stores = sorted({notice.store_id for notice in notices if notice.kind == kind})
        shown = ", ".join(stores[:NAMES_IN_SUMMARY]) + (f" and {len(stores) - NAMES_IN_SUMMARY} more"
                                                         if len(stores) > NAMES_IN_SUMMARY else "")
        lines.append(Note(f"- {label(kind)}: {count} in {len(stores)} store(s): {shown}"))
    return lines


def section(heading: str, notices: list[Notice], context: AlertContext, detailed: bool,
            item: Callable[[Notice], Item]) -> list[Block]:
    blocks: list[Block] = [Section(heading)]
    groups = grouped(notices, context)
    for name, members in groups:
        if len(groups) > 1 or name != OTHER_STORES:
            blocks.append(Group(name))
        blocks += [item(notice) for notice in members] if detailed else _summary(members)
    return blocks


def run_link(config: NotifyConfig, run_dir: str) -> list[Block]:
    """The message's own run: its report's address, else the folder it is in (`breach check` has none)."""
    if not run_dir:
        return []
    if config.report_url is not None:
        return [Note("", "Report", report_link(config, run_dir))]
    return [Note(f"Run: {run_dir}")]


def level(opened: list[Notice], passed: list[Notice]) -> str:
    """Failure when something broke or is overdue, warning for other news a person should look at (drift, what
    happened while alerts could not be sent), success when all is cleared or corrected."""
    if any(notice.kind in URGENT for notice in opened):
        return "failure"
    return "warning" if opened or passed else "success"


def compose(pending: Pending, run_kind: str, run_dir: str, config: NotifyConfig,
            context: AlertContext | None = None) -> Message:
    context = context or AlertContext()
    parts = []
    if pending.opened:
        parts.append(f"{len(pending.opened)} new problem(s)")
    if pending.passed:
        parts.append(f"{len(pending.passed)} started and cleared unannounced")
    if pending.cleared:
        parts.append(f"{len(pending.cleared)} cleared")
    if pending.corrected:
        parts.append(f"{len(pending.corrected)} drift(s) corrected")
    title = f"ecom-privacy {run_kind}: " + ", ".join(parts)
    total = len(pending.opened) + len(pending.cleared) + len(pending.corrected) + len(pending.passed)
    detailed = total <= DETAIL_LIMIT

    def plain(notice: Notice) -> Item:
        return Item(notice.store_id, notice.subject, label(notice.kind), notice.message,
                    report_of(notice, run_dir, config))

    def passed(notice: Notice) -> Item:
        cleared = context.local(notice.cleared_at) if notice.cleared_at else ""
        return Item(notice.store_id, notice.subject, label(notice.kind),
                    f"{notice.message} (from {context.local(notice.at)}; {notice.how} {cleared})".replace(" )", ")"),
                    report_of(notice, run_dir, config))

    blocks: list[Block] = []
    for heading, notices, item in (("New problems", pending.opened, plain),
                                   ("Started and cleared while no alert could be sent", pending.passed, passed),
                                   ("Cleared", pending.cleared, plain),
                                   ("Drifted and corrected", pending.corrected, plain)):
        if notices:
            blocks += section(heading, notices, context, detailed, item)
    blocks.append(Note(""))
    if not detailed:
        blocks.append(Note(f"Summary of {total} changes; every detail: ecom-privacy status, ecom-privacy history."))
    if any(notice.kind == EventKind.BREACH_DEADLINE for notice in pending.opened + pending.cleared + pending.passed):
        blocks.append(Note("Breach register: ecom-privacy breach list"))
    blocks += run_link(config, run_dir)
    return Message(title, as_text(blocks), as_markdown(blocks),
                   level(pending.opened, pending.passed))
