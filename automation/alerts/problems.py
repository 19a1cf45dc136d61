"""The problems one run shows, and what the run looked at (only those can clear)."""

from __future__ import annotations

from dataclasses import dataclass, field

from automation.fleet.notify import EventKind
from automation.redaction.addresses import EMAIL
from ecom_privacy.models import BlockReason, CheckStatus, RunDocument, RunKind, SettingStatus, StoreStatus

Key = tuple[EventKind, str, str]  # kind, store, subject


@dataclass
class RunFindings:
    #: open problems seen by this run: key -> one-line message
    problems: dict[Key, str] = field(default_factory=dict)
    #: drift among `problems` that no run corrects by itself, and why (the digest lists those)
    blocked: dict[Key, BlockReason] = field(default_factory=dict)
    #: keys of problems this run looked at: a problem not seen again here is cleared, others stay open
    covered_settings: set[tuple[str, str]] = field(default_factory=set)
    covered_stores: set[str] = field(default_factory=set)
    verified_stores: set[str] = field(default_factory=set)
    #: drift found and corrected by this apply: (store, setting) -> change summary
    corrected: dict[tuple[str, str], str] = field(default_factory=dict)
    #: whether the breach register was read: then every breach_deadline problem not seen again has cleared
    breach_checked: bool = False
    #: why a problem that is no longer seen cleared, when the source knows (e.g. "authority decision recorded")
    cleared_reasons: dict[Key, str] = field(default_factory=dict)

    def merge(self, other: RunFindings) -> None:
        """Add another source's findings (the breach register's) to a run's."""
        self.problems.update(other.problems)
        self.blocked.update(other.blocked)
        self.covered_settings |= other.covered_settings
        self.covered_stores |= other.covered_stores
        self.verified_stores |= other.verified_stores
        self.corrected.update(other.corrected)
        self.breach_checked = self.breach_checked or other.breach_checked
        self.cleared_reasons.update(other.cleared_reasons)

    def covers(self, key: Key) -> bool:
        kind, store, subject = key
        return {EventKind.DRIFT: (store, subject) in self.covered_settings,
                EventKind.FAILED: store in self.covered_stores,
                EventKind.VERIFY_FAILED: store in self.verified_stores,
                EventKind.BREACH_DEADLINE: self.breach_checked}[kind]


def _clean(text: str | None) -> str:
    return EMAIL.sub("<address>", (text or "").replace("\n", " "))[:300]


def findings(document: RunDocument) -> RunFindings:
    found = RunFindings()
    for store in document.stores:
        looked = [s for s in store.settings if s.status != SettingStatus.SKIPPED]
        if document.kind != RunKind.VERIFY and store.status != StoreStatus.SKIPPED:
            found.covered_stores.add(store.id)
        failed = [s for s in looked if s.status == SettingStatus.FAILED]
        if failed:
            first = failed[0]
            found.problems[(EventKind.FAILED, store.id, "")] = _clean(
                f"{', '.join(s.setting for s in failed)}: {first.error_kind}: {first.error}")
        elif store.status == StoreStatus.ERROR and not store.settings and not store.checks and store.error:
            found.problems[(EventKind.FAILED, store.id, "")] = _clean(f"{store.error_kind}: {store.error}")
        for setting in looked:
            changes = store.changes_for(setting.setting)
            if setting.status == SettingStatus.FAILED:
                continue  # a setting that could not be read says nothing about drift: its problem stays as it was
            found.covered_settings.add((store.id, setting.setting))
            summary = _clean("; ".join(change.summary or change.action for change in changes))
            if setting.status == SettingStatus.DRIFT:
                key = (EventKind.DRIFT, store.id, setting.setting)
                reason = next((change.blocked for change in changes if change.blocked is not None), None)
                found.problems[key] = summary + (f" (blocked: {reason.awaits})" if reason else "")
                if reason is not None:
                    found.blocked[key] = reason
            elif setting.status == SettingStatus.CHANGED:
                found.corrected[(store.id, setting.setting)] = summary
        if store.checks or (document.kind == RunKind.VERIFY and store.status == StoreStatus.ERROR):
            found.verified_stores.add(store.id)
            for check in store.checks:
                if check.status == CheckStatus.FAIL:
                    found.problems[(EventKind.VERIFY_FAILED, store.id, check.name)] = _clean(check.message)
            if not store.checks and store.error:
                found.problems[(EventKind.VERIFY_FAILED, store.id, "storefront")] = _clean(store.error)
    return found
