"""Human-readable plans and summaries (Terraform-like), for the terminal.

A plan reads in seconds: one line per changed setting, marked with a symbol (the legend at the end says
which), text diffs summarised as a count of lines per shop language (`--diff` shows them whole, with the
per-element evidence and the values before and after), and a summary that counts the changes per action and
names the irreversible ones and what they wait for. An apply says per change what became of it: applied,
already as desired, blocked (awaiting an opt-in) or failed.

The text is built as `Styled` lines (text with a style name per part), printed plain or, on a terminal, in
colour through rich (automation.outputs.terminal); every part that quotes store data is made printable here.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ecom_privacy.models import (
    Change,
    CheckStatus,
    LoginCounts,
    RunDocument,
    RunKind,
    SettingResult,
    SettingStatus,
    StoreResult,
    StoreStatus,
)
from ecom_privacy.terminal_text import printable

SYMBOLS = {"create": "+", "update": "~", "hide": "-", "archive": "-", "delete": "-"}
BLOCKED, FAILED, WARNING = "!", "x", "*"
#: the style of each symbol (names mapped to colours in automation.outputs.terminal)
SYMBOL_STYLES = {"+": "create", "~": "update", "-": "remove", BLOCKED: "blocked", FAILED: "failed", WARNING: "warning"}
LEGEND = (("+", "create"), ("~", "update"), ("-", "hide/archive"), (BLOCKED, "blocked: awaits an opt-in"),
          (FAILED, "failed"), (WARNING, "warning"))
APPLIED = ("applied", "create")


@dataclass
class Styled:
    """Lines of text whose parts carry a style name ("" for none). Store data goes in through `add`, which
    makes it printable: an escape sequence in a subscriber's name must not drive the terminal."""

    lines: list[list[tuple[str, str]]] = field(default_factory=list)

    def line(self, *parts: str | tuple[str, str]) -> Styled:
        self.lines.append([])
        for part in parts:
            text, style = (part, "") if isinstance(part, str) else part
            self.add(text, style)
        return self

    def add(self, text: str, style: str = "") -> Styled:
        if not self.lines:
            self.lines.append([])
        self.lines[-1].append((printable(text), style))
        return self

    def extend(self, other: Styled) -> Styled:
        self.lines.extend(other.lines)
        return self

    @property
    def plain(self) -> str:
        return "\n".join("".join(text for text, _ in line) for line in self.lines)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 160 else text[:157] + "..."


def opt_in_needed(change: Change) -> str:
    """What a blocked change waits for, in a few words: rendered from its typed reason, never read off a wording."""
    return change.blocked.short if change.blocked is not None else ""


# -- text diffs ---------------------------------------------------------------------------------------------

_LANGUAGE = re.compile(r"^\+\+\+ .*\(([\w-]+)\)\s*$")


def diff_stat(diff: str) -> str:
    """`+85 lines in [nl], +3 -1 in [en]`: the lines a unified diff adds and removes, per shop language
    (`+++ desired (nl)` names it); empty for a diff that is not a unified diff (a list preview)."""
    sections: list[list[Any]] = []  # [language, added, removed]
    for line in diff.splitlines():
        if line.startswith("+++ "):
            match = _LANGUAGE.match(line)
            sections.append([match.group(1) if match else "", 0, 0])
        elif line.startswith("--- ") or not sections:
            continue
        elif line.startswith("+"):
            sections[-1][1] += 1
        elif line.startswith("-"):
            sections[-1][2] += 1
    parts = []
    for index, (language, added, removed) in enumerate(sections):
        counts = " ".join(f"{sign}{count}" for sign, count in (("+", added), ("-", removed)) if count) or "0"
        where = f" in [{language}]" if language else ""
        parts.append(f"{counts}{' lines' if index == 0 else ''}{where}")
    return ", ".join(parts)


def diff_line_kind(line: str) -> str:
    """How a line of a unified diff is shown: add, remove, hunk, header or context."""
    if line.startswith(("+++ ", "--- ")):
        return "header"
    if line.startswith("@@"):
        return "hunk"
    if line.startswith("+"):
        return "add"
    if line.startswith("-"):
        return "remove"
    return "context"


def readable_diff_line(line: str) -> str:
    """A list item of the page's text is `- item`; after the diff's own +/- it would read `+- item`, like a
    removal. Shown as a bullet: `+• item`."""
    if diff_line_kind(line) in ("add", "remove", "context") and line[1:].startswith("- "):
        return f"{line[0]}\u2022 {line[3:]}"
    return line


# -- one change, one store ----------------------------------------------------------------------------------

def _symbol(change: Change) -> str:
    return BLOCKED if change.blocked is not None else SYMBOLS.get(change.action, "~")


def _marks(change: Change) -> list[tuple[str, str]]:
    marks: list[tuple[str, str]] = []
    if change.irreversible:
        marks.append(("irreversible", "irreversible"))
    if change.blocked is not None:
        marks.append((f"blocked: {opt_in_needed(change)}", "blocked"))
    if not marks:
        return []
    parts: list[tuple[str, str]] = [(" [", "")]
    for index, mark in enumerate(marks):
        parts += ([("; ", "")] if index else []) + [mark]
    return [*parts, ("]", "")]


def _outcome(store: StoreResult, change: Change, kind: RunKind) -> tuple[str, str] | None:
    """What an apply made of a planned change (a plan: nothing to add)."""
    if kind != RunKind.APPLY:
        return None
    result = store.setting(change.setting)
    status = result.status if result else SettingStatus.SKIPPED
    if change.blocked is not None:
        return ("awaits an opt-in", "blocked")
    return {SettingStatus.CHANGED: APPLIED,
            SettingStatus.COMPLIANT: ("already as desired, nothing saved", "dim"),
            SettingStatus.FAILED: ("failed", "failed"),
            SettingStatus.SKIPPED: ("not applied (skipped)", "dim"),
            SettingStatus.DRIFT: ("not applied", "failed")}[status]


def render_change(change: Change, *, diff: bool = False, outcome: tuple[str, str] | None = None) -> Styled:
    """One line: symbol, setting, what changes, the size of a text diff, marks; with `diff`, the whole story."""
    symbol = _symbol(change)
    what = change.summary or change.action.value
    text = Styled().line("  ", (symbol, SYMBOL_STYLES[symbol]), " ", (change.setting, "setting"), f": {what}")
    stat = diff_stat(change.diff)
    if stat:
        text.add(f" ({stat})", "dim")
    for part in _marks(change):
        text.add(*part)
    if outcome is not None:
        text.add(": ").add(*outcome)
    if not diff:
        return text
    if change.evidence:  # why each required element counts as present or missing
        text.line("      elements:")
        for line in change.evidence:
            text.line(f"        {line}")
    if change.diff.strip():
        for line in change.diff.rstrip("\n").splitlines():
            text.line("      ", (readable_diff_line(line), f"diff-{diff_line_kind(line)}"))
    else:
        text.line(f"      before: {_short(change.before)}")
        text.line(f"      after:  {_short(change.after)}")
    return text


def _store_headline(store: StoreResult, kind: RunKind) -> Styled:
    failed = [s for s in store.settings if s.status == SettingStatus.FAILED]
    head = Styled().line(("Store ", "store"), (store.id, "store"), ": ")
    if store.status == StoreStatus.SKIPPED:
        return head.add("skipped", "dim").add(f" ({store.error})" if store.error else "")
    if store.error:
        return head.add(f"FAILED ({store.error_kind})", "failed").add(f": {store.error}")
    if not store.changes and not failed:
        return head.add("compliant, no changes", "ok")
    if kind == RunKind.PLAN:
        head.add(f"{len(store.changes)} change(s) planned" if store.changes else "")
    else:
        counts = Counter(_outcome(store, change, kind)[0] for change in store.changes)  # type: ignore[index]
        head.add(", ".join(f"{count} {what}" for what, count in counts.items()))
    if failed:
        head.add(", " if store.changes else "").add(f"{len(failed)} setting(s) FAILED", "failed")
    return head


def _setting_lines(setting: SettingResult) -> Styled:
    text = Styled()
    if setting.status == SettingStatus.FAILED:
        text.line("  ", (FAILED, "failed"), " ", (setting.setting, "setting"), ": ",
                  (f"FAILED ({setting.error_kind})", "failed"), f": {setting.error}")
    for diagnostic in setting.diagnostics:  # a warning, never a change: it does not change the exit code
        text.line("  ", (WARNING, "warning"), " ", (setting.setting, "setting"), ": ",
                  (f"{diagnostic.severity.value}: ", "warning"), diagnostic.summary)
        if diagnostic.detail:
            text.line(f"      {diagnostic.detail}")
    return text


def render_store(store: StoreResult, kind: RunKind, *, diff: bool = False) -> Styled:
    text = _store_headline(store, kind)
    if store.status == StoreStatus.SKIPPED:
        return text
    for change in store.changes:
        text.extend(render_change(change, diff=diff, outcome=_outcome(store, change, kind)))
    for setting in store.settings:
        text.extend(_setting_lines(setting))
    return text


# -- the run ------------------------------------------------------------------------------------------------

OUTCOMES = ("ok", "changed", "drifted", "blocked", "failed", "skipped")


def store_outcome(store: StoreResult) -> str:
    """A store's worst outcome, the one it is counted by everywhere (summary, progress bar, HTML, the log):
    skipped (not started), failed (the store, or any of its settings: also one caught mid-save by Ctrl-C,
    as report.json says), skipped (partly done after an interrupt), drifted, blocked (its only drift awaits
    an opt-in), changed, ok."""
    statuses = {s.status for s in store.settings}
    drifting = [s for s in store.settings if s.status == SettingStatus.DRIFT]
    if store.status == StoreStatus.SKIPPED:
        return "skipped"
    if store.status == StoreStatus.ERROR or SettingStatus.FAILED in statuses:
        return "failed"
    if SettingStatus.SKIPPED in statuses:
        return "skipped"  # partly done when the run was interrupted: its settings say which part
    if any(not store.awaits_opt_in(s) for s in drifting):
        return "drifted"
    if drifting:
        return "blocked"
    return "changed" if SettingStatus.CHANGED in statuses else "ok"


def summarise(document: RunDocument) -> dict[str, int]:
    """Each store counted once, by its worst outcome (`store_outcome`)."""
    counts = Counter(store_outcome(store) for store in document.stores)
    return {key: counts.get(key, 0) for key in OUTCOMES}


def awaiting_opt_in(document: RunDocument) -> list[Change]:
    """The changes that wait for an opt-in (irreversible without --allow-archive), in every store."""
    return [change for store in document.stores for change in store.changes
            if change.blocked is not None]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _totals(document: RunDocument) -> Styled:
    changes = [change for store in document.stores for change in store.changes]
    blocked = awaiting_opt_in(document)
    failed = sum(store.status == StoreStatus.ERROR for store in document.stores)
    needs = sorted({opt_in_needed(change) for change in blocked})
    line = Styled().line((("Plan" if document.kind == RunKind.PLAN else "Apply") + ": ", "store"),
                         _plural(len(document.stores), "store"), ", ")
    if document.kind == RunKind.PLAN:
        if changes:
            per_action = Counter(change.action.value for change in changes)
            line.add(f"{len(changes)} to change", "update").add(
                " (" + ", ".join(f"{count} {action}" for action, count in per_action.items()) + ")")
        else:
            line.add("nothing to change", "ok")
        irreversible = sum(change.irreversible for change in changes)
        if irreversible:
            line.add(", ").add(f"{irreversible} irreversible", "irreversible")
    else:
        applied = sum(_outcome(store, change, document.kind) == APPLIED for store in document.stores
                      for change in store.changes)
        line.add(f"{applied} changed", "create" if applied else "")
        if blocked:
            line.add(", ").add(f"{len(blocked)} await{'s' if len(blocked) == 1 else ''} an opt-in", "blocked")
    if blocked:
        line.add(" (").add(f"blocked: {', '.join(needs)}", "blocked").add(")")
    if failed:
        line.add(", ").add(f"{_plural(failed, 'store')} failed", "failed")
    if document.interrupted:
        line.add(" (interrupted)", "failed")
    return line


def _stores_line(document: RunDocument) -> Styled:
    counts = summarise(document)
    shown = [f"{count} {name}" for name, count in counts.items() if count] or ["none"]
    return Styled().line("Stores: " + ", ".join(shown))


def _legend() -> Styled:
    legend = Styled().line("Legend:")
    for index, (symbol, meaning) in enumerate(LEGEND):
        legend.add("  " if index else " ").add(symbol, SYMBOL_STYLES[symbol]).add(f" {meaning}")
    return legend


def render_document_styled(document: RunDocument, *, diff: bool = False) -> Styled:
    text = Styled()
    for store in document.stores:
        text.extend(render_store(store, document.kind, diff=diff))
    text.line("")
    text.extend(_totals(document))
    text.extend(_stores_line(document))
    blocked = awaiting_opt_in(document)
    if blocked and document.kind == RunKind.APPLY:
        for reason, count in Counter(change.blocked for change in blocked if change.blocked).items():
            text.line((f"{count} change(s) await an opt-in", "blocked"),
                      f": {reason.remedy} (they do not fail the run)")
    text.line(render_logins(document))
    if any(store.changes or store.error or any(s.status == SettingStatus.FAILED or s.diagnostics
                                               for s in store.settings) for store in document.stores):
        text.extend(_legend())
        if not diff and any(change.diff.strip() or change.evidence for store in document.stores
                            for change in store.changes):
            text.add("  (--diff: every text diff and element whole)", "dim")
    return text


def render_document(document: RunDocument, *, diff: bool = False) -> str:
    """The plan or apply as plain text (store data made printable: it must not drive the terminal)."""
    return render_document_styled(document, diff=diff).plain


def login_way(logins: LoginCounts) -> str | None:
    """How a store got into its backoffice: `failed` (a login refused, withheld or challenged), `password`
    (its password typed), `code` (a code only), `identity session` (the account's live identity session
    passed the chain: another store typed the password), `cached session` (no login), or None (it never
    came to logging in: a configuration error, a lock, an interrupt)."""
    if logins.failed:
        return "failed"
    if logins.password:
        return "password"
    if logins.code:
        return "code"
    if logins.chains:
        return "identity session"
    if logins.cached_session:
        return "cached session"
    return None


def render_logins(document: RunDocument) -> str:
    """What logging in cost, store by store: every password or code typed is one more chance of a lockout, so
    the run says how each store got in (stores of one identity account share one login; cached sessions need
    none) and how many passwords and codes it typed."""
    return logins_line([store.logins for store in document.stores])


def logins_line(per_store: list[LoginCounts]) -> str:
    total = LoginCounts()
    for logins in per_store:
        for name in LoginCounts.model_fields:
            setattr(total, name, getattr(total, name) + getattr(logins, name))
    ways = [login_way(logins) for logins in per_store]
    parts = [f"{ways.count(way)} {label}" for way, label in (
        ("password", "by password"), ("code", "by code"), ("identity session", "by the account's identity session"),
        ("cached session", "by cached session"), ("failed", "failed")) if way in ways]
    if None in ways:
        parts.append(f"{ways.count(None)} not logged in")
    line = (f"Logins: {len(per_store)} store(s): {', '.join(parts) or 'none'}; {total.password} password(s) and "
            f"{total.code} code(s) submitted")
    if total.recovery_codes:
        line += f" ({total.recovery_codes} recovery code(s) used)"
    if total.bot_challenges:
        line += f"; {total.bot_challenges} bot challenge(s) met"
    return line


def plan_exit_code(document: RunDocument) -> int:
    """Terraform's -detailed-exitcode: 0 nothing to do, 2 changes planned (blocked ones too), 1 any error."""
    if any(store.status == StoreStatus.ERROR for store in document.stores) or document.interrupted:
        return 1
    return 2 if any(store.changes for store in document.stores) else 0


def apply_exit_code(document: RunDocument) -> int:
    """0 when every store ended as desired, or as desired but for changes that await an opt-in (by design:
    a nightly apply must not look failed every night for an archive nobody allowed yet); 1 otherwise."""
    if document.interrupted:
        return 1
    for store in document.stores:
        if store.status != StoreStatus.OK:
            return 1
        for setting in store.settings:
            if setting.status == SettingStatus.FAILED:
                return 1
            if setting.status == SettingStatus.DRIFT and not store.awaits_opt_in(setting):
                return 1
    return 0


CHECK_MARKS = {CheckStatus.PASS: "PASS", CheckStatus.FAIL: "FAIL", CheckStatus.WARN: "WARN", CheckStatus.SKIP: "skip"}


def render_checks(document: RunDocument) -> str:
    """The storefront checks per store (verify, apply --verify)."""
    lines: list[str] = []
    failed_stores = 0
    for store in document.stores:
        failed = [check for check in store.checks if check.status == CheckStatus.FAIL]
        failed_stores += bool(failed or store.error)
        verdict = "FAILED" if failed or store.error else "passed"
        lines.append(f"Storefront {store.id}: {verdict}" + (f" ({store.error})" if store.error else ""))
        lines.extend(f"  {CHECK_MARKS[check.status]} {check.name}: {check.message}" for check in store.checks)
    lines.append("")
    lines.append(f"Verify: {len(document.stores)} store(s): {len(document.stores) - failed_stores} passed, "
                 f"{failed_stores} failed")
    return printable("\n".join(lines))
