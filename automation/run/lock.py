"""One run at a time per fleet file: an fcntl lock keyed by the fleet file's resolved path.

Two overlapping runs on the same fleet (a slow nightly apply still busy when the next cron run starts)
would log in to the same stores twice and race each other's changes. The lock is held by the open file,
so the kernel releases it when the process dies, however it dies: a stale lock file never blocks a run.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO

from automation.access.session_cache import ensure_private_dir
from ecom_privacy.clock import SYSTEM_CLOCK, Clock
from ecom_privacy.errors import ConfigError, EcomPrivacyError

#: how often a waiting run tries again (--wait-lock)
POLL_S = 0.2


class LockBusyError(EcomPrivacyError):
    """Another run holds the lock of this fleet file."""

    kind = "locked"


def lock_path(lock_dir: Path, fleet_file: Path, shard: str | None = None) -> Path:
    resolved = str(fleet_file.resolve())
    # Shards of one run (`--shard K/N`) must not block each other, and one shard must not run twice at once.
    key = resolved if shard is None else f"{resolved}\0shard {shard}"
    return lock_dir / f"fleet-{hashlib.sha256(key.encode()).hexdigest()[:24]}.lock"


class FleetLock:
    """`with FleetLock(dir, fleet_file, command, wait_s):` raises LockBusyError when it cannot be had in time."""

    def __init__(self, lock_dir: Path, fleet_file: Path, command: str, wait_s: float = 0.0,
                 on_wait: Callable[[str], None] | None = None,
                 clock: Clock = SYSTEM_CLOCK, sleep: Callable[[float], None] = time.sleep,
                 shard: str | None = None) -> None:
        self.path = lock_path(lock_dir, fleet_file, shard)
        self.fleet_file = fleet_file
        self.command = command
        self.wait_s = max(0.0, wait_s)
        self.on_wait = on_wait
        self.clock = clock
        self.sleep = sleep
        self._handle: IO[str] | None = None

    def _holder(self, handle: IO[str]) -> str:
        handle.seek(0)
        try:
            info = json.loads(handle.read() or "{}")
        except ValueError:
            return "another run"
        return (f"another run (pid {info.get('pid', '?')}, {info.get('command', '?')}, "
                f"started {info.get('started', '?')})")

    def acquire(self) -> None:
        ensure_private_dir(self.path.parent)
        try:
            # O_NOFOLLOW: a link planted in place of the lock file must not make this run open another file.
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
            raise ConfigError(f"lock file {self.path} is a symbolic link, which a run never creates; not "
                              f"following it. Find out who put it there, delete it, and run again") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # a FIFO or a device: no lock could be held in it
            os.close(fd)
            raise ConfigError(f"lock file {self.path} is not a regular file (a pipe or a device), which a run never "
                              f"creates. Find out who put it there, delete it, and run again")
        handle = os.fdopen(fd, "r+", encoding="utf-8")
        deadline = self.clock.monotonic() + self.wait_s
        announced = False
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = self._holder(handle)
                if self.clock.monotonic() >= deadline:
                    handle.close()
                    waited = f" after waiting {self.wait_s:g} s" if self.wait_s else ""
                    raise LockBusyError(
                        f"{holder} is already working on the fleet file {self.fleet_file}; not starting{waited}. "
                        f"Pass --wait-lock SECONDS to wait for it (lock file {self.path})"
                    ) from None
                if not announced and self.on_wait is not None:
                    self.on_wait(f"{holder} holds the lock of {self.fleet_file}; waiting up to {self.wait_s:g} s")
                    announced = True
                self.sleep(POLL_S)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "command": self.command, "fleet_file": str(self.fleet_file),
                                 "started": self.clock.now().isoformat(timespec="seconds")}))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is None:
            return
        handle, self._handle = self._handle, None
        handle.seek(0)
        handle.truncate()  # the next holder writes its own details; an empty file means "free"
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()

    def __enter__(self) -> FleetLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.release()
