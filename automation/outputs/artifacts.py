"""A run's artifacts: `runs/<UTC timestamp>/` with the plan, the report, backups and exports.

Every text written here passes through the redactor, so a secret cannot reach an artifact by accident, and
every file through the one writer (automation/outputs/files.py: no symlink followed, temp file then rename).
The run directory and every folder in it are 0700 and its files 0600: they hold subscriber lists and page
contents. Backups and exports are created exclusively and never overwritten: a second one of the same
name gets a new name (`-2`, `-3`, ...), because it is what the tool saves before something irreversible.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from automation.fleet.ids import safe_name
from automation.outputs.files import create_exclusive, storage_error, write_atomic

__all__ = ["PRESERVED_KINDS", "PRIVATE_DIR", "PRIVATE_FILE", "RunArtifacts", "create_exclusive", "utc_stamp",
           "write_atomic"]

PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
#: kinds of files that are the only copy of something the run is about to overwrite or archive
PRESERVED_KINDS = frozenset({"backups", "exports"})


def utc_stamp(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


class RunArtifacts:
    def __init__(self, root: Path, redact: Callable[[str], str] = lambda text: text) -> None:
        self.root = root
        self.redact = redact

    @classmethod
    def create(cls, parent: Path, redact: Callable[[str], str] = lambda text: text, *, now: datetime) -> RunArtifacts:
        """A new run directory named after `now` (the run's clock); a second run in the same second gets a suffix
        instead of sharing it."""
        parent.mkdir(parents=True, exist_ok=True)
        stamp = utc_stamp(now)
        candidate, counter = parent / stamp, 1
        while True:
            try:
                candidate.mkdir(mode=PRIVATE_DIR)
                candidate.chmod(PRIVATE_DIR)  # whatever the umask
                break
            except FileExistsError:
                counter += 1
                candidate = parent / f"{stamp}-{counter}"
        return cls(candidate, redact)

    def path(self, *parts: str) -> Path:
        """`root/<parts>` with every folder below the run directory created private (0700)."""
        target = self.root.joinpath(*(safe_name(p) for p in parts))
        folder = self.root
        try:
            if not self.root.is_dir():
                self.root.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
            for part in target.relative_to(self.root).parts[:-1]:
                folder = folder / part
                if not folder.is_dir():
                    folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
                    folder.chmod(PRIVATE_DIR)
        except OSError as exc:
            raise storage_error(exc, folder, "created") from exc
        return target

    def store_dir(self, kind: str, store_id: str) -> Path:
        """The folder of a store's files of one kind (`evidence`, `backups`, ...), as `save` names it."""
        return self.root / safe_name(kind) / safe_name(store_id)

    def write_text(self, relative: str, text: str) -> Path:
        target = self.path(*relative.split("/"))
        write_atomic(target, self.redact(text).encode("utf-8"))
        return target

    def write_json(self, relative: str, data: Any) -> Path:
        return self.write_text(relative, json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")

    def save(self, store_id: str, name: str, content: str | bytes, kind: str = "backups") -> Path:
        """Keep a backup (or, with kind="exports", an export) for a store: the ArtifactSink of the settings.
        Backups and exports are never overwritten (see create_exclusive); evidence of a retried check is."""
        relative = f"{safe_name(kind)}/{safe_name(store_id)}/{safe_name(name)}"
        if safe_name(kind) in PRESERVED_KINDS:
            data = content if isinstance(content, bytes) else self.redact(content).encode("utf-8")
            return create_exclusive(self.path(*relative.split("/")), data)
        if isinstance(content, bytes):
            target = self.path(*relative.split("/"))
            write_atomic(target, content)
            return target
        return self.write_text(relative, content)

    def finish(self) -> None:
        """End of a run that writes no report: remove the run directory when nothing was written into it (a
        run that failed before any store), otherwise make what is in it private."""
        if self.root.is_dir() and not any(self.root.iterdir()):
            self.root.rmdir()
        else:
            self.make_private()

    def make_private(self) -> None:
        """Every folder of the run 0700 and every file 0600, including those the browser wrote (screenshots,
        traces) with the process's umask. Called when the run's outputs are written."""
        for folder, dirs, files in os.walk(self.root):
            for name, mode in [*((d, PRIVATE_DIR) for d in dirs), *((f, PRIVATE_FILE) for f in files)]:
                path = os.path.join(folder, name)
                if not os.path.islink(path):  # a link is not ours to change; its target may be anywhere
                    os.chmod(path, mode)
        self.root.chmod(PRIVATE_DIR)
