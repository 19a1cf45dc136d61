"""A run's artifacts: `runs/<UTC timestamp>/` with the plan, the report, backups and exports.

Every text written here passes through the redactor, so a secret cannot reach an artifact by accident.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def utc_stamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def safe_name(name: str) -> str:
    return SAFE_NAME.sub("_", name).strip("._") or "_"


def write_atomic(target: Path, data: bytes) -> None:
    """Write through a temporary file and a rename: a reader never sees half a file, and a failed write
    (a full disk) leaves neither half a file nor the temporary one behind."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


class RunArtifacts:
    def __init__(self, root: Path, redact: Callable[[str], str] = lambda text: text) -> None:
        self.root = root
        self.redact = redact

    @classmethod
    def create(cls, parent: Path, redact: Callable[[str], str] = lambda text: text) -> RunArtifacts:
        """A new run directory; a second run in the same second gets a suffix instead of sharing it."""
        parent.mkdir(parents=True, exist_ok=True)
        stamp = utc_stamp()
        candidate, counter = parent / stamp, 1
        while True:
            try:
                candidate.mkdir()
                break
            except FileExistsError:
                counter += 1
                candidate = parent / f"{stamp}-{counter}"
        return cls(candidate, redact)

    def path(self, *parts: str) -> Path:
        target = self.root.joinpath(*(safe_name(p) for p in parts))
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_text(self, relative: str, text: str) -> Path:
        target = self.path(*relative.split("/"))
        write_atomic(target, self.redact(text).encode("utf-8"))
        return target

    def write_json(self, relative: str, data: Any) -> Path:
        return self.write_text(relative, json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")

    def save(self, store_id: str, name: str, content: str | bytes, kind: str = "backups") -> Path:
        """Keep a backup (or, with kind="exports", an export) for a store: the ArtifactSink of the settings."""
        relative = f"{safe_name(kind)}/{safe_name(store_id)}/{safe_name(name)}"
        if isinstance(content, bytes):
            target = self.path(*relative.split("/"))
            write_atomic(target, content)
            return target
        return self.write_text(relative, content)
