"""Human-readable plans and summaries (Terraform-like), for the terminal."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from ecom_privacy.models import (
    Change,
    CheckStatus,
    LoginCounts,
    RunDocument,
    RunKind,
    SettingStatus,
    StoreResult,
    StoreStatus,
)
from ecom_privacy.terminal_text import printable

SYMBOLS = {"create": "+", "update": "~", "hide": "-", "archive": "-", "delete": "-"}


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 160 else text[:157] + "..."


def render_change(change: Change) -> list[str]:
    symbol = "!" if change.blocked else SYMBOLS.get(change.action, "~")
    lines = [f"  {symbol} {change.setting}: {change.action}" + (f": {change.summary}" if change.summary else "")]
    if change.irreversible:
        lines.append("      (irreversible)")
    if change.blocked:
        lines.append(f"      BLOCKED: {change.blocked}")
    diff, evidence = change.diff, change.evidence
    if evidence:  # why each required element counts as present or missing
        lines.append("      elements:")
        lines.extend(f"        {line}" for line in evidence)
    if diff.strip():
        lines.extend("      " + line for line in diff.rstrip("\n").splitlines())
    else:
        lines.append(f"      before: {_short(change.before)}")
        lines.append(f"      after:  {_short(change.after)}")
    return lines


def render_store(store: StoreResult, kind: RunKind) -> list[str]:
    if store.status == StoreStatus.SKIPPED:
        return [f"Store {store.id}: skipped" + (f" ({store.error})" if store.error else "")]
    lines = []
    if store.error:
        lines.append(f"Store {store.id}: FAILED ({store.error_kind}): {store.error}")
    failed = [s for s in store.settings if s.status == SettingStatus.FAILED]
    if not store.error:
        if not store.changes and not failed:
            lines.append(f"Store {store.id}: compliant, no changes")
        elif failed and not store.changes:
            lines.append(f"Store {store.id}: {len(failed)} setting(s) FAILED")
        else:
            verb = "planned" if kind == RunKind.PLAN else "to apply"
            lines.append(f"Store {store.id}: {len(store.changes)} change(s) {verb}")
    for change in store.changes:
        lines.extend(render_change(change))
    for setting in store.settings:
        if kind == RunKind.APPLY and setting.status in (SettingStatus.CHANGED, SettingStatus.DRIFT):
            lines.append(f"  = {setting.setting}: {setting.status.value}")
        if setting.status == SettingStatus.FAILED:
            lines.append(f"  x {setting.setting}: FAILED ({setting.error_kind}): {setting.error}")
        for diagnostic in setting.diagnostics:  # a warning, never a change: it does not change the exit code
            lines.append(f"  ! {setting.setting}: {diagnostic.severity.value}: {diagnostic.summary}")
            if diagnostic.detail:
                lines.append(f"      {diagnostic.detail}")
    return lines


def summarise(document: RunDocument) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for store in document.stores:
        statuses = {s.status for s in store.settings}
        if store.status == StoreStatus.SKIPPED:
            counts["skipped"] += 1
        elif store.status == StoreStatus.ERROR:
            counts["failed"] += 1
        elif SettingStatus.SKIPPED in statuses:
            counts["skipped"] += 1  # partly done when the run was interrupted: its settings say which part
        elif SettingStatus.DRIFT in statuses:
            counts["drifted"] += 1
        elif SettingStatus.CHANGED in statuses:
            counts["changed"] += 1
        else:
            counts["ok"] += 1
    return {key: counts.get(key, 0) for key in ("ok", "changed", "drifted", "failed", "skipped")}


def render_document(document: RunDocument) -> str:
    lines: list[str] = []
    for store in document.stores:
        lines.extend(render_store(store, document.kind))
    counts = summarise(document)
    total_changes = sum(len(s.changes) for s in document.stores)
    label = "Plan" if document.kind == RunKind.PLAN else "Apply"
    lines.append("")
    lines.append(
        f"{label}: {len(document.stores)} store(s): {counts['ok']} ok, {counts['changed']} changed, "
        f"{counts['drifted']} drifted, {counts['failed']} failed, {counts['skipped']} skipped; "
        f"{total_changes} change(s)" + (" (interrupted)" if document.interrupted else "")
    )
    lines.append(render_logins(document))
    return printable("\n".join(lines))  # store data (names, page text, errors) must not drive the terminal


def render_logins(document: RunDocument) -> str:
    """What logging in cost: every password or code typed is one more chance of a lockout, so the run says
    how many it typed (stores of one identity account share one login; cached sessions need none)."""
    total = LoginCounts()
    for store in document.stores:
        for name in LoginCounts.model_fields:
            setattr(total, name, getattr(total, name) + getattr(store.logins, name))
    logged_in = sum(1 for store in document.stores if store.logins.chains)
    line = (f"Logins: {logged_in} of {len(document.stores)} store(s) logged in; {total.password} password(s) and "
            f"{total.code} code(s) submitted")
    if total.recovery_codes:
        line += f" ({total.recovery_codes} recovery code(s) used)"
    if total.bot_challenges:
        line += f"; {total.bot_challenges} bot challenge(s) met"
    return line


def plan_exit_code(document: RunDocument) -> int:
    """Terraform's -detailed-exitcode: 0 nothing to do, 2 changes planned, 1 any error."""
    if any(store.status == StoreStatus.ERROR for store in document.stores) or document.interrupted:
        return 1
    return 2 if any(store.changes for store in document.stores) else 0


def apply_exit_code(document: RunDocument) -> int:
    """0 only when every store ended as desired: no error, nothing blocked or left undone."""
    if document.interrupted:
        return 1
    for store in document.stores:
        if store.status != StoreStatus.OK:
            return 1
        if any(setting.status in (SettingStatus.DRIFT, SettingStatus.FAILED) for setting in store.settings):
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
