"""Store locks: one run per store, whatever fleet file names it; a run whose stores overlap another's waits or
leaves the overlapping stores out, a run on other stores proceeds."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from automation.run.lock import LockBusyError, StoreLocks, lock_path, store_key
from ecom_privacy.clock import FixedClock
from ecom_privacy.errors import ConfigError
from tests.unit.engine_fakes import store_config

SHOP = store_config({})  # http://backoffice.test/shop/admin


def store(store_id: str, url: str) -> object:
    return replace(SHOP, id=store_id, backoffice_url=url)


A = store("a", "http://backoffice.test/a/admin")
B = store("b", "http://backoffice.test/b/admin")
C = store("c", "http://backoffice.test/c/admin")


def test_a_store_held_by_another_run_is_left_out_and_the_others_proceed(tmp_path: Path) -> None:
    with StoreLocks(tmp_path / "locks", [A, B], "apply") as first:
        assert first.busy == {}
        with StoreLocks(tmp_path / "locks", [B, C], "plan") as second:  # another fleet file, overlapping in b
            assert list(second.busy) == ["b"]
            message = second.busy["b"]
            assert "another run (pid " in message and "apply" in message and "--wait-lock" in message
    with StoreLocks(tmp_path / "locks", [B], "plan") as later:  # released: free again
        assert later.busy == {}


def test_when_another_run_holds_every_store_the_run_does_not_start(tmp_path: Path) -> None:
    with StoreLocks(tmp_path, [A, B], "apply"), pytest.raises(LockBusyError) as error:
        StoreLocks(tmp_path, [B, A], "plan").acquire()
    assert "is already working on store(s) a, b; not starting" in str(error.value)
    assert error.value.kind == "locked"


def test_disjoint_runs_proceed_side_by_side(tmp_path: Path) -> None:
    with StoreLocks(tmp_path, [A], "apply") as first, StoreLocks(tmp_path, [B, C], "apply") as second:
        assert first.busy == {} and second.busy == {}


def test_the_same_store_spelt_differently_shares_the_lock(tmp_path: Path) -> None:
    assert store_key("HTTPS://Shop.Example:443/admin/") == store_key("https://shop.example/admin")
    assert lock_path(tmp_path, "http://x.test:80/shop/admin") == lock_path(tmp_path, "http://X.test/shop/admin/")
    assert lock_path(tmp_path, "http://x.test/a/admin") != lock_path(tmp_path, "http://x.test/b/admin")


def test_waiting_gives_up_after_the_deadline_and_says_so(tmp_path: Path) -> None:
    clock = FixedClock(datetime(2026, 3, 1, 2, 0, tzinfo=UTC))  # no real waiting in the test
    waits: list[str] = []

    with StoreLocks(tmp_path, [A], "apply"):
        waiting = StoreLocks(tmp_path, [A, B], "apply", wait_s=1.0, on_wait=waits.append, clock=clock,
                             sleep=clock.advance)
        waiting.acquire()
        assert "after waiting 1 s" in waiting.busy["a"] and "b" not in waiting.busy
        waiting.release()
    assert len(waits) == 1 and "store(s) a; waiting up to 1 s" in waits[0]
    assert clock.monotonic() >= 1.0


def test_waiting_succeeds_when_the_holder_finishes(tmp_path: Path) -> None:
    holder = StoreLocks(tmp_path, [A], "apply")
    holder.acquire()
    waiting = StoreLocks(tmp_path, [A], "plan", wait_s=60, sleep=lambda _s: holder.release())
    waiting.acquire()  # the first poll "sleeps" while the holder ends
    assert waiting.busy == {}
    waiting.release()


def test_a_lock_file_that_is_a_symlink_is_not_followed(tmp_path: Path) -> None:
    """Issue #9 finding 11d: a link planted as the lock file would make the run truncate and write its target."""
    locks = tmp_path / "locks"
    locks.mkdir(mode=0o700)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    lock_path(locks, A.backoffice_url).symlink_to(victim)  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match=r"lock file .* is a symbolic link, .* not following it"):
        StoreLocks(locks, [A], "apply").acquire()
    assert victim.read_text() == "precious"


def test_a_fifo_planted_as_lock_file_is_named_not_waited_on(tmp_path: Path) -> None:
    """Issue #24, low finding: a FIFO planted as the lock file gave "Illegal seek; free space or fix the
    permissions". It is refused, naming the file and what it is."""
    locks = tmp_path / "locks"
    locks.mkdir(mode=0o700)
    os.mkfifo(lock_path(locks, A.backoffice_url))  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match=r"lock file .* is not a regular file \(a pipe or a device\)"):
        StoreLocks(locks, [A], "apply").acquire()


def test_a_lock_folder_others_can_write_to_is_refused(tmp_path: Path) -> None:
    locks = tmp_path / "locks"
    locks.mkdir()
    locks.chmod(0o777)
    with pytest.raises(ConfigError, match="is not private: its mode is 0777, not 0700"):
        StoreLocks(locks, [A], "apply").acquire()
    assert list(locks.iterdir()) == []
