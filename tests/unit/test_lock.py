"""The run lock: one run per fleet file; the second one is refused with who holds it, or waits."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from automation.run.lock import FleetLock, LockBusyError, lock_path
from ecom_privacy.clock import FixedClock
from ecom_privacy.errors import ConfigError

AT = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
pytestmark = pytest.mark.clock  # lock waits and the holder's start time


def fleet(tmp_path: Path, name: str = "fleet.yaml") -> Path:
    path = tmp_path / name
    path.write_text("stores: []\n")
    return path


def test_second_holder_is_refused_with_the_first_ones_details(tmp_path: Path) -> None:
    with FleetLock(tmp_path / "locks", fleet(tmp_path), "apply", clock=FixedClock(AT)), \
            pytest.raises(LockBusyError) as error:
        FleetLock(tmp_path / "locks", fleet(tmp_path), "plan").acquire()
    message = str(error.value)
    assert "another run (pid " in message and "apply" in message and "--wait-lock" in message
    assert "started 2026-03-01T02:00:00+00:00" in message  # the holder's clock
    with FleetLock(tmp_path / "locks", fleet(tmp_path), "plan"):  # released: free again
        pass


def test_other_fleet_files_do_not_share_the_lock(tmp_path: Path) -> None:
    with FleetLock(tmp_path / "locks", fleet(tmp_path, "a.yaml"), "apply"), \
            FleetLock(tmp_path / "locks", fleet(tmp_path, "b.yaml"), "apply"):
        pass


def test_the_same_file_by_another_path_shares_the_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = fleet(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert lock_path(tmp_path, Path("fleet.yaml")) == lock_path(tmp_path, path)


def test_waiting_gives_up_after_the_deadline_and_says_so(tmp_path: Path) -> None:
    clock = FixedClock(AT)  # its "sleep" moves it: no real waiting in the test
    waits: list[str] = []
    with FleetLock(tmp_path, fleet(tmp_path), "apply"):
        waiting = FleetLock(tmp_path, fleet(tmp_path), "apply", wait_s=1.0, on_wait=waits.append,
                            clock=clock, sleep=clock.advance)
        with pytest.raises(LockBusyError, match="after waiting 1 s"):
            waiting.acquire()
    assert len(waits) == 1 and "waiting up to 1 s" in waits[0]
    assert clock.monotonic() >= 1.0


def test_waiting_succeeds_when_the_holder_finishes(tmp_path: Path) -> None:
    holder = FleetLock(tmp_path, fleet(tmp_path), "apply")
    holder.acquire()
    waiting = FleetLock(tmp_path, fleet(tmp_path), "plan", wait_s=60, sleep=lambda _s: holder.release())
    waiting.acquire()  # the first poll "sleeps" while the holder ends
    waiting.release()


def test_a_lock_file_that_is_a_symlink_is_not_followed(tmp_path: Path) -> None:
    """Issue #9 finding 11d: a link planted as the lock file would make the run truncate and write its target."""
    locks = tmp_path / "locks"
    locks.mkdir(mode=0o700)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    lock_path(locks, fleet(tmp_path)).symlink_to(victim)
    with pytest.raises(ConfigError, match=r"lock file .* is a symbolic link, .* not following it"):
        FleetLock(locks, fleet(tmp_path), "apply").acquire()
    assert victim.read_text() == "precious"


def test_a_fifo_as_lock_file_is_refused_saying_what_it_is(tmp_path: Path) -> None:
    """Issue #24, low finding: a FIFO planted as the lock file gave "Illegal seek; free space or fix the
    permissions". It is refused, naming the file and what it is."""
    locks = tmp_path / "locks"
    locks.mkdir(mode=0o700)
    os.mkfifo(lock_path(locks, fleet(tmp_path)))
    with pytest.raises(ConfigError, match=r"lock file .* is not a regular file \(a pipe or a device\)"):
        FleetLock(locks, fleet(tmp_path), "apply").acquire()


def test_a_lock_folder_others_can_write_to_is_refused(tmp_path: Path) -> None:
    locks = tmp_path / "locks"
    locks.mkdir()
    locks.chmod(0o777)
    with pytest.raises(ConfigError, match="is not private: its mode is 0777, not 0700"):
        FleetLock(locks, fleet(tmp_path), "apply").acquire()
    assert list(locks.iterdir()) == []
