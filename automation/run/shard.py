"""`--shard K/N`: a stable split of the selected stores over N processes or machines.

Each store goes to the shard with the highest score sha256("<shard number>/<store id>") among 1..N
(rendezvous, or highest-random-weight, hashing). The split depends only on the store's id and N:
- adding or removing a store moves no other store;
- going from N to N+1 shards moves only the stores the new shard wins (about 1 in N+1), the rest stay
  where they were, so cached sessions on a shard's machine stay useful;
- every machine computes the same split from the fleet file alone; nothing is coordinated.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TypeVar

from ecom_privacy.errors import ConfigError

SHARD_PATTERN = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")

T = TypeVar("T")


@dataclass(frozen=True)
class Shard:
    """Shard `index` (1-based, as Playwright Test's --shard) of `total`."""

    index: int
    total: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = SHARD_PATTERN.match(text or "")
        if not match:
            raise ConfigError(f"--shard {text!r}: expected K/N, for example 2/5 (shard 2 of 5, counted from 1)")
        index, total = int(match.group(1)), int(match.group(2))
        if total < 1 or not 1 <= index <= total:
            raise ConfigError(f"--shard {text!r}: K must be between 1 and N, and N at least 1 (shards count from 1)")
        return cls(index, total)

    @property
    def label(self) -> str:
        return f"{self.index}/{self.total}"

    @property
    def slug(self) -> str:
        """For file names: `2-of-5`."""
        return f"{self.index}-of-{self.total}"

    def owns(self, store_id: str) -> bool:
        return shard_of(store_id, self.total) == self.index

    def select(self, items: list[T], key: str = "id") -> list[T]:
        """The items (stores) of this shard, in their original order."""
        return [item for item in items if self.owns(getattr(item, key))]


def _score(shard: int, store_id: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{shard}/{store_id}".encode()).digest()[:8], "big")


def shard_of(store_id: str, total: int) -> int:
    """The shard (1..total) that runs this store: the highest rendezvous score wins."""
    return max(range(1, total + 1), key=lambda shard: _score(shard, store_id))
