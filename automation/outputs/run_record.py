"""What a run writes about itself while it runs, so that even a killed run can be accounted for.

- `shard.json` (sharded runs): the command, the fleet file's version, the shard, every store the selection
  held before sharding and the stores of this shard. Written before the first store starts.
- `progress.jsonl`: one line per store as it finishes (its result, redacted). A run killed with SIGKILL
  writes no report.json, but the stores this file lists did finish; `report merge` takes them from here and
  reports the others as not finished.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from automation.fleet.ids import valid_store_id
from automation.outputs.artifacts import RunArtifacts
from automation.outputs.logs import get_logger
from ecom_privacy.errors import ConfigError
from ecom_privacy.models import StoreResult
from ecom_privacy.yaml_input import load_json_file, load_json_text, read_text_file

MANIFEST = "shard.json"
PROGRESS = "progress.jsonl"
MANIFEST_VERSION = 1
SHARD_LABEL = re.compile(r"[1-9][0-9]*/[1-9][0-9]*")


@dataclass(frozen=True)
class ShardManifest:
    command: str
    kind: str
    fleet_file: str
    fleet_sha256: str
    shard: str
    #: every store the selection (--store/--group) held, in fleet order, before the split into shards
    selection: list[str]
    #: the stores of this shard, in fleet order
    stores: list[str]
    started_at: str
    #: `apply PLAN.json`: the plan's plan_sha256. Such a run holds only the plan's stores of its shard (the
    #: others of the selection were not in the plan); any other run holds every store of its shard
    saved_plan: str | None = None

    @property
    def index(self) -> int:
        return int(self.shard.split("/")[0])

    @property
    def total(self) -> int:
        return int(self.shard.split("/")[1])

    def to_json(self) -> dict[str, object]:
        return {"manifest_version": MANIFEST_VERSION, **self.__dict__}

    @classmethod
    def load(cls, run_dir: Path) -> ShardManifest:
        """The manifest through the strict reader, every field of its type, every store id a store id."""
        path = run_dir / MANIFEST
        if not path.is_file() or path.is_symlink():
            raise ConfigError(f"{run_dir}: not the run directory of a shard (no {MANIFEST}); "
                              f"run each shard with --shard K/N and pass the run directories it wrote")
        raw = load_json_file(path, "the shard manifest", 64 * 1024 * 1024)
        problem = _manifest_problem(raw)
        if problem is not None:
            raise ConfigError(f"{path}: unreadable shard manifest ({problem}); run that shard again")
        raw.pop("manifest_version", None)
        return cls(**raw)


def _manifest_problem(raw: object) -> str | None:
    if not isinstance(raw, dict):
        return "not a JSON object"
    fields = {name for name in ShardManifest.__dataclass_fields__}
    unknown, missing = set(raw) - fields - {"manifest_version"}, fields - set(raw) - {"saved_plan"}
    if unknown or missing:
        return f"unknown fields {sorted(unknown)}" if unknown else f"missing fields {sorted(missing)}"
    for name in ("command", "kind", "fleet_file", "fleet_sha256", "shard", "started_at"):
        if not isinstance(raw[name], str):
            return f"{name} is not text"
    if not SHARD_LABEL.fullmatch(raw["shard"]):
        return f"shard {raw['shard']!r} is not K/N"
    index, total = (int(part) for part in raw["shard"].split("/"))
    if not 1 <= index <= total:
        return f"shard {raw['shard']!r} is not K/N with 1 <= K <= N"
    if raw.get("saved_plan") is not None and not isinstance(raw["saved_plan"], str):
        return "saved_plan is not text"
    for name in ("selection", "stores"):
        if not isinstance(raw[name], list) or not all(valid_store_id(store) for store in raw[name]):
            return f"{name} is not a list of store ids"
    return None


def write_manifest(artifacts: RunArtifacts, manifest: ShardManifest) -> None:
    artifacts.write_json(MANIFEST, manifest.to_json())


def new_manifest(command: str, kind: str, fleet_file: Path, fleet_sha256: str, shard: str,
                 selection: list[str], stores: list[str], started_at: datetime,
                 saved_plan: str | None = None) -> ShardManifest:
    return ShardManifest(command=command, kind=kind, fleet_file=str(fleet_file), fleet_sha256=fleet_sha256,
                         shard=shard, selection=selection, stores=stores,
                         started_at=started_at.isoformat(timespec="seconds"), saved_plan=saved_plan)


class ProgressLog:
    """Appends one line per finished store; each line reaches the kernel at once, so SIGKILL keeps it."""

    def __init__(self, artifacts: RunArtifacts) -> None:
        self.path = artifacts.root / PROGRESS
        self.redact = artifacts.redact
        self.failed = False

    def record(self, result: StoreResult, kind: str) -> None:
        line = json.dumps({"kind": kind, "store": json.loads(result.model_dump_json())}, ensure_ascii=False)
        data = (self.redact(line) + "\n").encode("utf-8")
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
            try:
                os.write(fd, data)  # one write of one line with O_APPEND: lines of parallel stores never mix
            finally:
                os.close(fd)
        except OSError as exc:
            # The record only serves a merge after a kill; a full disk must not fail the stores themselves.
            # The report's own outputs name the disk problem at the end of the run.
            if not self.failed:
                self.failed = True
                get_logger().warning("progress record not written; the run goes on", file=str(self.path),
                                     reason=exc.strerror or str(exc))


def finished_stores(run_dir: Path, kind: str) -> dict[str, StoreResult]:
    """The results progress.jsonl recorded for this kind of run; a torn last line (killed mid-write) is ignored."""
    path = run_dir / PROGRESS
    results: dict[str, StoreResult] = {}
    if not path.is_file():
        return results
    if path.is_symlink():
        return results
    for line in read_text_file(path, "the progress record", 512 * 1024 * 1024).splitlines():
        try:
            entry = load_json_text(line, str(path), "a progress line")
            if entry.get("kind") != kind:
                continue  # an interactive apply plans first, in the same directory
            result = StoreResult.model_validate(entry["store"])
        except (ConfigError, ValueError, KeyError, TypeError, AttributeError, ValidationError):
            continue  # a torn last line (killed mid-write)
        if valid_store_id(result.id):
            results[result.id] = result
    return results


def chain(*callbacks: Callable[[StoreResult], None] | None) -> Callable[[StoreResult], None] | None:
    """One on_store_done callback calling each given one in turn."""
    present = [callback for callback in callbacks if callback is not None]
    if not present:
        return None

    def call_all(result: StoreResult) -> None:
        for callback in present:
            callback(result)

    return call_all
