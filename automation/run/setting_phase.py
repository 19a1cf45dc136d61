"""Where each setting of one store's run stands, so an interrupt or a store failure reports it truthfully.

A graceful stop lets the step in flight finish; a forced stop (second Ctrl-C) or a failure of the whole store
(a refused re-login) can cut a setting off in the middle. What the report must say then depends only on the
setting's phase: a setting caught while being applied may or may not have been saved, so it is failed, never
changed; one caught while being read was never looked at; one planned but not yet applied was not applied.
"""

from __future__ import annotations

from enum import StrEnum

from ecom_privacy.errors import ErrorKind
from ecom_privacy.models import SettingResult, SettingStatus

NOT_STARTED = "not started: the run was interrupted"
NOT_APPLIED = "not applied: the run was interrupted"
INTERRUPTED_MID_APPLY = ("interrupted while applying: the backoffice may or may not have saved this change; "
                         "run plan to see the store's state")


class SettingPhase(StrEnum):
    NOT_STARTED = "not started"
    READING = "reading"
    #: read and planned with changes, not applied (yet): only blocked changes stay here for the whole run
    PLANNED = "planned"
    #: being applied or read back: the backoffice may already have saved part of it
    APPLYING = "applying"
    #: its result is final for this run (compliant, changed, failed in its own right)
    DONE = "done"


class SettingPhases:
    """Each reached setting's result and phase in one store's run, by setting name."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[SettingResult, SettingPhase]] = {}

    def enter(self, outcome: SettingResult, phase: SettingPhase) -> None:
        self._entries[outcome.setting] = (outcome, phase)

    def phase(self, name: str) -> SettingPhase:
        entry = self._entries.get(name)
        return entry[1] if entry is not None else SettingPhase.NOT_STARTED

    def _unfinished(self) -> list[tuple[SettingResult, SettingPhase]]:
        return [(outcome, phase) for outcome, phase in self._entries.values() if phase != SettingPhase.DONE]

    def interrupted(self) -> None:
        """The run stopped: what was done stays done; the rest says why it was not."""
        for outcome, phase in self._unfinished():
            if phase == SettingPhase.APPLYING:
                outcome.status = SettingStatus.FAILED
                outcome.error, outcome.error_kind = INTERRUPTED_MID_APPLY, ErrorKind.INTERRUPTED
            elif phase == SettingPhase.READING:
                outcome.status = SettingStatus.SKIPPED
                outcome.error, outcome.error_kind = NOT_STARTED, ErrorKind.INTERRUPTED
            elif phase == SettingPhase.PLANNED and outcome.status == SettingStatus.DRIFT:
                outcome.status = SettingStatus.SKIPPED
                outcome.error, outcome.error_kind = NOT_APPLIED, ErrorKind.INTERRUPTED
            self.enter(outcome, SettingPhase.DONE)

    def store_failed(self, error: str, kind: ErrorKind) -> None:
        """The whole store failed: the step it cut off (a read or an apply) did not complete."""
        for outcome, phase in self._unfinished():
            if phase in (SettingPhase.READING, SettingPhase.APPLYING):
                outcome.status = SettingStatus.FAILED
                outcome.error, outcome.error_kind = error, kind
            self.enter(outcome, SettingPhase.DONE)
