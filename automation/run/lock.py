"""One run at a time per store: an fcntl lock per store, keyed by its backoffice address, in the home.

Two runs that work on the same store at the same time (a slow nightly apply still busy when a manual apply
starts, or two fleet files that both list the store) would log in twice and race each other's changes. So a
run holds the lock of every store it works on, whatever fleet file names it; a run whose stores overlap with
another's waits (`--wait-lock SECONDS`) or leaves out the overlapping stores, failed as `locked`, and a run
on other stores proceeds. The locks live in the home (`automation.home.places`), so every command of a site
sees the same ones. A lock is held by the open file, so the kernel releases it when the process dies,
however it dies: a stale lock file never blocks a run.
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
from typing import IO, TYPE_CHECKING
from urllib.parse import urlsplit

from automation.access.session_cache import ensure_private_dir
from ecom_privacy.clock import SYSTEM_CLOCK, Clock
from ecom_privacy.errors import ConfigError, EcomPrivacyError, ErrorKind

if TYPE_CHECKING:  # the fleet loader brings every flow (and Playwright): the CLI takes locks before it needs them
    from automation.fleet.model import StoreConfig

#: how often a waiting run tries again (--wait-lock)
POLL_S = 0.2


class LockBusyError(EcomPrivacyError):
    """Another run holds the lock of a store."""

    kind = ErrorKind.LOCKED


def store_key(backoffice_url: str) -> str:
    """The store behind a backoffice address, however a fleet file spells it (case of the host, default
    port, trailing slash)."""
    parts = urlsplit(backoffice_url.strip())
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{(parts.hostname or '').lower()}:{port}{parts.path.rstrip('/')}"


def lock_path(lock_dir: Path, backoffice_url: str) -> Path:
    return lock_dir / f"store-{hashlib.sha256(store_key(backoffice_url).encode()).hexdigest()[:24]}.lock"


def _holder(handle: IO[str]) -> str:
    handle.seek(0)
    try:
        info = json.loads(handle.read() or "{}")
    except ValueError:
        return "another run"
    return (f"another run (pid {info.get('pid', '?')}, {info.get('command', '?')}, "
            f"started {info.get('started', '?')})")


class StoreLock:
    """One store's lock file."""

    def __init__(self, lock_dir: Path, store: StoreConfig, command: str, clock: Clock = SYSTEM_CLOCK) -> None:
        self.store = store
        self.path = lock_path(lock_dir, store.backoffice_url)
        self.command = command
        self.clock = clock
        self._handle: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def _open(self) -> IO[str]:
        try:
            # O_NOFOLLOW: a link planted in place of the lock file must not make this run open another file;
            # O_NONBLOCK: a FIFO planted there must not hang the open.
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o600)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
            raise ConfigError(f"lock file {self.path} is a symbolic link, which a run never creates; not "
                              f"following it. Find out who put it there, delete it, and run again") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # a FIFO or a device: no lock could be held in it
            os.close(fd)
            raise ConfigError(f"lock file {self.path} is not a regular file (a pipe or a device), which a run never "
                              f"creates. Find out who put it there, delete it, and run again")
        return os.fdopen(fd, "r+", encoding="utf-8")

    def try_acquire(self) -> str | None:
        """Take the lock: None when it is held now, else who holds it."""
        if self._handle is not None:
            return None
        handle = self._open()
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle)
            handle.close()
            return holder
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "command": self.command, "store": self.store.id,
                                 "started": self.clock.now().isoformat(timespec="seconds")}))
        handle.flush()
        self._handle = handle
        return None

    def release(self) -> None:
        if self._handle is None:
            return
        handle, self._handle = self._handle, None
        handle.seek(0)
        handle.truncate()  # the next holder writes its own details; an empty file means "free"
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


class StoreLocks:
    """`with StoreLocks(lock_dir, stores, command, wait_s) as locks:` holds every store it can get (waiting up to
    `wait_s` for the others); `locks.busy` names the stores another run holds, with who holds them. When
    another run holds every store, LockBusyError: there is nothing to do."""

    def __init__(self, lock_dir: Path, stores: list[StoreConfig], command: str, wait_s: float = 0.0,
                 on_wait: Callable[[str], None] | None = None,
                 clock: Clock = SYSTEM_CLOCK, sleep: Callable[[float], None] = time.sleep) -> None:
        self.lock_dir = lock_dir
        self.command = command
        self.wait_s = max(0.0, wait_s)
        self.on_wait = on_wait
        self.clock = clock
        self.sleep = sleep
        #: one lock per store; stores with the same backoffice address share it
        self._locks: dict[Path, StoreLock] = {}
        self._of_store: dict[str, StoreLock] = {}
        for store in stores:
            lock = StoreLock(lock_dir, store, command, clock)
            self._of_store[store.id] = self._locks.setdefault(lock.path, lock)
        #: store id -> why it is left out (another run holds it)
        self.busy: dict[str, str] = {}

    def acquire(self) -> None:
        if not self._locks:
            return
        ensure_private_dir(self.lock_dir)
        deadline = self.clock.monotonic() + self.wait_s
        announced = False
        while True:
            holders = {path: holder for path, lock in self._locks.items()
                       if (holder := lock.try_acquire()) is not None}
            if not holders or self.clock.monotonic() >= deadline:
                break
            if not announced and self.on_wait is not None:
                waiting = sorted(self._locks[path].store.id for path in holders)
                self.on_wait(f"another run holds store(s) {', '.join(waiting)}; waiting up to {self.wait_s:g} s")
                announced = True
            self.sleep(POLL_S)
        waited = f" after waiting {self.wait_s:g} s" if self.wait_s else ""
        self.busy = {store_id: f"{holders[lock.path]} is already working on this store; not started{waited}. "
                               f"Pass --wait-lock SECONDS to wait for it (lock file {lock.path})"
                     for store_id, lock in self._of_store.items() if lock.path in holders}
        if holders and len(holders) == len(self._locks):
            self.release()
            first = next(iter(holders.values()))
            stores = ", ".join(sorted(self.busy))
            raise LockBusyError(f"{first} is already working on store(s) {stores}; not starting{waited}. Pass "
                                f"--wait-lock SECONDS to wait for it (lock files in {self.lock_dir})")

    def release(self) -> None:
        for lock in self._locks.values():
            lock.release()

    def __enter__(self) -> StoreLocks:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.release()
