"""State of the Cloudflare-like bot check in front of a store's login chain (seed `bot_challenge: true`).

A browser without a clearance gets a challenge. A person solves it with a click; an automated browser
(`navigator.webdriver`) never does on its own, so tests mark it solved through `/__mock__/challenges/solve`
(standing in for that person). A solved challenge is exchanged once for a clearance cookie. Callers hold
`World.lock`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

#: how long a clearance lets a browser through, in seconds of the world clock (Cloudflare's default: 30 min)
CLEARANCE_TTL_S = 30 * 60.0


@dataclass
class Challenge:
    store_id: str
    created_at: float
    solved: bool = False


@dataclass(frozen=True)
class Clearance:
    store_id: str
    expires_at: float


class ChallengeBook:
    def __init__(self) -> None:
        self.challenges: dict[str, Challenge] = {}
        self.clearances: dict[str, Clearance] = {}
        #: per store: challenges passed (exchanged for a clearance) so far
        self.passed: dict[str, int] = {}
        #: per store: "Verify you are human" clicks the page's script sent (never under automation)
        self.clicks: dict[str, int] = {}

    def new_challenge(self, store_id: str, now: float) -> str:
        challenge_id = secrets.token_urlsafe(16)
        self.challenges[challenge_id] = Challenge(store_id=store_id, created_at=now)
        return challenge_id

    def challenge(self, challenge_id: str, store_id: str) -> Challenge | None:
        challenge = self.challenges.get(challenge_id)
        return challenge if challenge is not None and challenge.store_id == store_id else None

    def solve_pending(self, store_id: str) -> int:
        """Mark every unsolved challenge of the store solved (what a person's click does)."""
        pending = [c for c in self.challenges.values() if c.store_id == store_id and not c.solved]
        for challenge in pending:
            challenge.solved = True
        return len(pending)

    def pass_challenge(self, challenge_id: str, store_id: str, now: float) -> str | None:
        """Exchange a solved challenge for a new clearance value (once); None if it is not solved."""
        challenge = self.challenge(challenge_id, store_id)
        if challenge is None or not challenge.solved:
            return None
        del self.challenges[challenge_id]
        value = secrets.token_urlsafe(32)
        self.clearances[value] = Clearance(store_id=store_id, expires_at=now + CLEARANCE_TTL_S)
        self.passed[store_id] = self.passed.get(store_id, 0) + 1
        return value

    def cleared(self, value: str | None, store_id: str, now: float) -> bool:
        clearance = self.clearances.get(value or "")
        return clearance is not None and clearance.store_id == store_id and clearance.expires_at > now

    def to_json(self, store_id: str) -> dict[str, Any]:
        mine = [c for c in self.challenges.values() if c.store_id == store_id]
        return {"pending": sum(not c.solved for c in mine), "solved": sum(c.solved for c in mine),
                "passed": self.passed.get(store_id, 0), "clicks": self.clicks.get(store_id, 0)}
