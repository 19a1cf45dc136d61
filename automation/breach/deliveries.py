"""Each recipient's standing, folded from the delivery rows of the register (one row per step of one email).

The rows are the record: `sending` committed before a message is handed to the SMTP server, then `sent` or
`failed`. Everything that tells how far a notification got (`notify`'s plan, `breach show`, the register's
CSV and HTML) is computed from them here, so a run killed before its summary still shows what was sent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from automation.breach.register import Delivery

SENDING, SENT, FAILED = "sending", "sent", "failed"


@dataclass(frozen=True)
class RecipientState:
    state: str  # new | sent | failed | uncertain
    attempt: int
    at: str = ""
    detail: str = ""


def states(deliveries: list[Delivery]) -> dict[str, RecipientState]:
    """Each address's standing from its delivery rows (the latest attempt decides). `uncertain`: the last attempt
    reached `sending` and nothing after it, so the message may have reached the server."""
    by_key: dict[str, dict[int, dict[str, Delivery]]] = {}
    for delivery in deliveries:
        by_key.setdefault(delivery.email.casefold(), {}).setdefault(delivery.attempt, {})[delivery.state] = delivery
    result = {}
    for key, attempts in by_key.items():
        if any(SENT in steps for steps in attempts.values()):
            sent = next(steps[SENT] for steps in attempts.values() if SENT in steps)
            result[key] = RecipientState("sent", max(attempts), sent.at.isoformat(), sent.detail)
            continue
        last = max(attempts)
        steps = attempts[last]
        if FAILED in steps:
            result[key] = RecipientState("failed", last, steps[FAILED].at.isoformat(), steps[FAILED].detail)
        else:
            result[key] = RecipientState("uncertain", last, steps[SENDING].at.isoformat(), "")
    return result


def standing_counts(deliveries: list[Delivery]) -> Counter[str]:
    """How many addresses are sent, failed and uncertain."""
    return Counter(state.state for state in states(deliveries).values())


def last_sent(deliveries: list[Delivery]) -> str:
    """When the last message was handed over (ISO, UTC), or "" when none was."""
    return max((state.at for state in states(deliveries).values() if state.state == SENT), default="")
