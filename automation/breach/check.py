"""What `breach check` flags: an open incident's store with no authority decision and its deadline past or near.

One place for the rule, used by `breach check` (its exit code and lines) and by the `breach_deadline` alerts
(automation/breach/alerts.py), so the two can never disagree about which deadline is a problem.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from automation.breach.deadlines import WARN_HOURS, Urgency, urgency
from automation.breach.register import Incident


@dataclass(frozen=True)
class DeadlineFlag:
    """One store of one open incident whose authority deadline is past or within the warning window."""

    incident: Incident
    store: str
    urgency: Urgency  # OVERDUE or DUE_SOON

    @property
    def deadline(self) -> datetime:
        return self.incident.deadline


def undecided_stores(incident: Incident) -> list[str]:
    """The incident's stores with no decision yet on notifying the authority."""
    return [store for store in incident.stores if not incident.authority_decided(store)]


def deadline_flags(incidents: Iterable[Incident], now: datetime, warn_hours: float = WARN_HOURS) -> list[DeadlineFlag]:
    flags = []
    for incident in incidents:
        if not incident.is_open:
            continue
        state = urgency(incident.deadline, now, warn_hours)
        if state == Urgency.OPEN:
            continue
        flags += [DeadlineFlag(incident, store, state) for store in undecided_stores(incident)]
    return flags
