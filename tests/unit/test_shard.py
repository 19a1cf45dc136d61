"""--shard K/N: parsing, a complete and disjoint split, stability, and a lock per shard."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from automation.run.lock import FleetLock, LockBusyError, lock_path
from automation.run.shard import Shard, shard_of
from ecom_privacy.errors import ConfigError

STORES = [f"store-{n:04d}" for n in range(1, 1201)]


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "3", "a/b", "", "-1/2", "1/-2"])
def test_bad_shards_are_refused_with_the_expected_form(text: str) -> None:
    with pytest.raises(ConfigError, match="--shard"):
        Shard.parse(text)


def test_parse() -> None:
    assert Shard.parse(" 2 / 5 ") == Shard(2, 5)
    assert Shard(2, 5).label == "2/5" and Shard(2, 5).slug == "2-of-5"


def test_every_store_is_in_exactly_one_shard_and_shards_are_balanced() -> None:
    stores = [SimpleNamespace(id=store_id) for store_id in STORES]
    for total in (1, 2, 3, 7):
        parts = [Shard(k, total).select(stores) for k in range(1, total + 1)]
        ids = [store.id for part in parts for store in part]
        assert sorted(ids) == sorted(STORES)  # complete and disjoint
        sizes = [len(part) for part in parts]
        assert max(sizes) - min(sizes) < len(STORES) / total * 0.3  # within 30% of an even split


def test_the_split_depends_on_the_store_id_and_n_only() -> None:
    before = {store: shard_of(store, 5) for store in STORES}
    more = [*STORES, "a-new-store", "another-one"]
    after = {store: shard_of(store, 5) for store in more}
    assert all(after[store] == before[store] for store in STORES)  # adding stores moves no other store


def test_one_more_shard_moves_only_the_stores_it_takes() -> None:
    moved = Counter()
    for store in STORES:
        old, new = shard_of(store, 4), shard_of(store, 5)
        if old != new:
            moved[new] += 1
    assert set(moved) == {5}  # every moved store went to the new shard, none between old shards
    assert 0.1 < moved[5] / len(STORES) < 0.3  # about 1 in 5


def test_each_shard_has_its_own_lock(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text("stores: []\n")
    assert lock_path(tmp_path, fleet) != lock_path(tmp_path, fleet, "1/2") != lock_path(tmp_path, fleet, "2/2")
    with (FleetLock(tmp_path, fleet, "plan --shard 1/2", shard="1/2"),
          FleetLock(tmp_path, fleet, "plan --shard 2/2", shard="2/2"),
          pytest.raises(LockBusyError, match=r"plan --shard 1/2")):
        FleetLock(tmp_path, fleet, "apply --shard 1/2", shard="1/2").acquire()
