"""One message per run: every problem that started or cleared, or a summary when many stores changed."""

from __future__ import annotations

from collections import Counter

from automation.alerts.state import Notice, Pending

#: above this many lines the message becomes a summary per kind (a night when the whole fleet broke
#: must not be a wall of text, nor one message per store)
DETAIL_LIMIT = 12
NAMES_IN_SUMMARY = 15
LABELS = {"failed": "failed", "drift": "drifted", "verify_failed": "storefront check failed",
          "breach_deadline": "breach deadline"}


def _line(notice: Notice) -> str:
    subject = f" {notice.subject}" if notice.subject else ""
    return f"- {notice.store_id}{subject}: {LABELS.get(notice.kind, notice.kind)}: {notice.message}"


def _summary(notices: list[Notice]) -> list[str]:
    lines = []
    for kind, count in Counter(notice.kind for notice in notices).most_common():
        stores = sorted({notice.store_id for notice in notices if notice.kind == kind})
        shown = ", ".join(stores[:NAMES_IN_SUMMARY]) + (f" and {len(stores) - NAMES_IN_SUMMARY} more"
                                                         if len(stores) > NAMES_IN_SUMMARY else "")
        lines.append(f"- {LABELS.get(kind, kind)}: {count} in {len(stores)} store(s): {shown}")
    return lines


def compose(pending: Pending, run_kind: str, run_dir: str) -> tuple[str, str]:
    parts = []
    if pending.opened:
        parts.append(f"{len(pending.opened)} new problem(s)")
    if pending.cleared:
        parts.append(f"{len(pending.cleared)} cleared")
    if pending.corrected:
        parts.append(f"{len(pending.corrected)} drift(s) corrected")
    title = f"ecom-privacy {run_kind}: " + ", ".join(parts)
    total = len(pending.opened) + len(pending.cleared) + len(pending.corrected)
    detailed = total <= DETAIL_LIMIT
    body: list[str] = []
    for heading, notices in (("New problems", pending.opened), ("Cleared", pending.cleared),
                             ("Drifted and corrected", pending.corrected)):
        if notices:
            body.append(f"{heading}:")
            body += [_line(notice) for notice in notices] if detailed else _summary(notices)
            body.append("")
    if not detailed:
        body.append(f"Summary of {total} changes; every detail: ecom-privacy status, ecom-privacy history.")
    if any(notice.kind == "breach_deadline" for notice in pending.opened + pending.cleared):
        body.append("Breach register: ecom-privacy breach list")
    if run_dir:  # `breach check` has no run directory
        body.append(f"Run: {run_dir}")
    return title, "\n".join(body)
