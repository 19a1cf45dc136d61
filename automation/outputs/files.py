"""The one writer of output files: every file the tool writes goes through here.

What it guarantees, whoever calls it:
- never through a symlink: a new file is created with O_NOFOLLOW | O_EXCL (a planted link at the target or at
  the temporary name fails or is replaced, its target is never written); a replaced file is replaced by a
  rename, which replaces a link itself, never what it points to;
- never half a file: written to a temporary file of a random name in the same folder, then renamed over the
  target; a failed write (a full disk) leaves neither half a file nor the temporary one;
- private: 0600 whatever the umask (reports, registers and lists hold personal data);
- CSV through `csv_text`: every cell guarded against spreadsheet formulas (flows/csv_cells.py), whatever the
  file (exports, breach registers, recipient lists);
- a failure is a typed error with one line (`StorageError`, kind `io`; `DiskFullError`, kind `disk_full`) that
  is also an OSError, so a caller that tries each output and reports the ones that failed still can.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterable, Sequence
from pathlib import Path

from ecom_privacy.errors import DiskFullError, StorageError

PRIVATE_FILE = 0o600
#: errors that mean "no room", whatever the file system calls it
FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def storage_error(exc: OSError, path: Path | str, doing: str = "written") -> StorageError:
    """`exc` as the tool's typed error: one line naming the file and what to do."""
    if isinstance(exc, StorageError):
        return exc
    reason = exc.strerror or str(exc)
    if exc.errno in FULL:
        return DiskFullError(exc, f"{path} could not be {doing} ({reason}); free space and run again")
    return StorageError(exc, f"{path} could not be {doing} ({reason}); fix the path or its permissions and run again")


def _temporary(target: Path, mode: int) -> tuple[Path, int]:
    """A new temporary file beside `target` (same file system: the rename is atomic), opened for writing."""
    while True:
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        except FileExistsError:
            continue


def write_atomic(target: Path, data: bytes, mode: int = PRIVATE_FILE) -> Path:
    """Write `data` to `target`, replacing it (see the module docstring); raises StorageError."""
    tmp: Path | None = None
    try:
        tmp, fd = _temporary(target, mode)
        os.fchmod(fd, mode)  # whatever the umask
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise storage_error(exc, target) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
    return target


def write_text(target: Path, text: str, mode: int = PRIVATE_FILE) -> Path:
    return write_atomic(target, text.encode("utf-8"), mode)


def create_exclusive(target: Path, data: bytes, mode: int = PRIVATE_FILE) -> Path:
    """Write a new file at `target`, or at `<stem>-2<suffix>`, `-3`, ... when that name is taken: an
    existing file is never overwritten, not even by a concurrent writer (O_EXCL), nor through a symlink."""
    candidate, counter = target, 1
    while True:
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
            break
        except FileExistsError:
            counter += 1
            candidate = target.with_name(f"{target.stem}-{counter}{target.suffix}")
        except OSError as exc:
            raise storage_error(exc, candidate) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        with contextlib.suppress(OSError):
            candidate.unlink()  # half a backup is worse than none: it would look like the whole page
        raise storage_error(exc, candidate) from exc
    return candidate


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV whose every cell a spreadsheet reads as text, never as a formula (flows/csv_cells.py)."""
    from flows.csv_cells import csv_row  # here: building the CLI's parser must not load the flows package

    lines = [csv_row([str(cell) for cell in header])]
    lines += [csv_row(["" if cell is None else str(cell) for cell in row]) for row in rows]
    return "".join(lines)


def write_csv(target: Path, header: Sequence[str], rows: Iterable[Sequence[object]],
              mode: int = PRIVATE_FILE) -> Path:
    return write_text(target, csv_text(header, rows), mode)


def make_folder(folder: Path, private: bool = True) -> Path:
    """`folder` and its parents; a folder made here is 0700 when `private`. Raises StorageError."""
    try:
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            if private:
                folder.chmod(0o700)  # a folder someone made before keeps the mode they gave it
    except OSError as exc:
        raise storage_error(exc, folder, "created") from exc
    return folder
