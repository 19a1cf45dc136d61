"""`ecom-privacy report merge DIR... --out DIR`: one run out of the run directories of its shards.

The merged run is what one process running every store would have written: report.json (or plan.json),
junit.xml, report.html, the same summary counts and the same exit code. Every backup, export, screenshot,
trace and evidence file of every shard is copied into it (the paths in the reports stay valid: store ids
do not overlap across shards), and each shard's own reports are kept under `shards/<K>-of-<N>/`.

Refused (exit 1, nothing written): shards of different commands, fleet versions, shard counts or store
selections, a shard given twice, and missing shards unless --allow-partial. A shard that was killed (no
report) contributes the stores its progress record lists as finished; its other stores, like those of a
missing shard under --allow-partial, are reported "not finished", never as done.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from automation.outputs.artifacts import RunArtifacts
from automation.outputs.render import apply_exit_code, plan_exit_code
from automation.outputs.run_outputs import write_run_outputs
from automation.outputs.run_record import MANIFEST, PROGRESS, ShardManifest, finished_stores
from automation.run.shard import Shard, shard_of
from automation.run.verify import verify_exit_code
from ecom_privacy.errors import ConfigError, ErrorKind
from ecom_privacy.models import RunDocument, RunKind, SettingStatus, StoreResult, StoreStatus

#: files of a shard's run that describe the run as a whole: kept per shard, rebuilt for the merged run
RUN_FILES = ("report.json", "plan.json", "junit.xml", "report.html", MANIFEST, PROGRESS)


@dataclass
class ShardRun:
    run_dir: Path
    manifest: ShardManifest
    #: the shard's final report (report.json, or plan.json of a plan); None when the shard was killed
    document: RunDocument | None
    #: the plan part of an apply (plan.json), when written
    plan: RunDocument | None


@dataclass
class MergeResult:
    document: RunDocument
    exit_code: int
    out_dir: Path
    shards: list[ShardRun]
    missing_shards: list[str] = field(default_factory=list)
    #: store id -> why it did not finish (killed shard, missing shard)
    not_finished: dict[str, str] = field(default_factory=dict)


def _read_document(path: Path) -> RunDocument | None:
    if not path.is_file():
        return None
    try:
        return RunDocument.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ConfigError(f"{path}: not a report of this tool ({str(exc).splitlines()[0]}); "
                          f"run that shard again") from exc


def load_shard_run(run_dir: Path) -> ShardRun:
    if not run_dir.is_dir():
        raise ConfigError(f"{run_dir}: no such run directory")
    manifest = ShardManifest.load(run_dir)
    final = "plan.json" if manifest.kind == RunKind.PLAN.value else "report.json"
    plan = _read_document(run_dir / "plan.json") if manifest.kind == RunKind.APPLY.value else None
    return ShardRun(run_dir, manifest, _read_document(run_dir / final), plan)


def check_compatible(runs: list[ShardRun], allow_partial: bool) -> list[Shard]:
    """Refuse a merge that would not describe one run; returns the missing shards (allowed by --allow-partial)."""
    if not runs:
        raise ConfigError("report merge: no run directories given")
    first = runs[0]
    for run in runs[1:]:
        for attribute, what in (("command", "different commands"), ("fleet_sha256", "different fleet file versions"),
                                ("total", "different shard counts"), ("selection", "different store selections")):
            mine, theirs = getattr(first.manifest, attribute), getattr(run.manifest, attribute)
            if mine != theirs:
                shown = (lambda value: f"{len(value)} store(s)") if attribute == "selection" else repr
                raise ConfigError(
                    f"report merge refused: {what}: {first.run_dir} has {shown(mine)}, {run.run_dir} has "
                    f"{shown(theirs)}; merge only the shards of one run (same command, fleet file, --shard "
                    f"N, --store/--group)")
    seen: dict[int, Path] = {}
    owner: dict[str, Path] = {}
    for run in runs:
        index = run.manifest.index
        if index in seen:
            raise ConfigError(
                f"report merge refused: overlapping shards: shard {run.manifest.shard} is given twice ({seen[index]} "
                f"and {run.run_dir}); pass one run directory per shard (after a re-run, the newest)")
        seen[index] = run.run_dir
        for store in run.manifest.stores:
            if store in owner:
                raise ConfigError(f"report merge refused: overlapping shards: store {store} ran in {owner[store]} "
                                  f"and in {run.run_dir}")
            owner[store] = run.run_dir
    total = first.manifest.total
    missing = [Shard(index, total) for index in range(1, total + 1) if index not in seen]
    if missing and not allow_partial:
        stores = [s for s in first.manifest.selection if shard_of(s, total) in {m.index for m in missing}]
        raise ConfigError(
            f"report merge refused: missing shards: {', '.join(m.label for m in missing)} of {total} "
            f"({len(stores)} store(s): {', '.join(stores) or 'none'}); pass their run directories, or "
            f"--allow-partial to merge without them (their stores are reported as not finished)")
    return missing


def not_finished_result(store_id: str, reason: str) -> StoreResult:
    return StoreResult(id=store_id, status=StoreStatus.SKIPPED, error=f"not finished: {reason}",
                       error_kind=ErrorKind.NOT_FINISHED)


def _store_results(runs: list[ShardRun], missing: list[Shard]) -> tuple[dict[str, StoreResult], dict[str, str]]:
    results: dict[str, StoreResult] = {}
    not_finished: dict[str, str] = {}
    for run in runs:
        if run.document is not None:
            results.update({store.id: store for store in run.document.stores})
            continue
        finished = finished_stores(run.run_dir, run.manifest.kind)
        for store_id in run.manifest.stores:
            if store_id in finished:
                results[store_id] = finished[store_id]
            else:
                not_finished[store_id] = (f"shard {run.manifest.shard} stopped before this store finished "
                                          f"(no report in {run.run_dir}); run that shard again")
    for shard in missing:
        for store_id in runs[0].manifest.selection:
            if shard_of(store_id, shard.total) == shard.index:
                not_finished[store_id] = f"shard {shard.label} is missing from the merge (--allow-partial)"
    for store_id, reason in not_finished.items():
        results[store_id] = not_finished_result(store_id, reason)
    return results, not_finished


def exit_code_of(command: str, document: RunDocument) -> int:
    """The exit code one process running every store would have had."""
    if command == "plan":
        return plan_exit_code(document)
    if command == "apply":
        return apply_exit_code(document)
    if command == "verify":
        return verify_exit_code(document)
    # export-subscribers: 1 when any store's list could not be written
    failed = any(store.status != StoreStatus.OK or any(s.status == SettingStatus.FAILED for s in store.settings)
                 for store in document.stores)
    return 1 if failed or document.interrupted else 0


def _prepare_out(out_dir: Path) -> None:
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ConfigError(f"{out_dir}: exists and is not empty; the merged run needs a new directory "
                          f"(nothing is overwritten)")
    out_dir.mkdir(parents=True, exist_ok=True)


def _copy_artifacts(run: ShardRun, out_dir: Path) -> None:
    """Backups, exports, screenshots, traces and evidence into the merged run; the run files under shards/."""
    own = out_dir / "shards" / Shard(run.manifest.index, run.manifest.total).slug
    own.mkdir(parents=True, exist_ok=True)
    for entry in sorted(run.run_dir.iterdir()):
        if entry.name in RUN_FILES:
            shutil.copy2(entry, own / entry.name)
        elif entry.is_dir():
            shutil.copytree(entry, out_dir / entry.name, dirs_exist_ok=True)
        elif not entry.name.endswith(".tmp"):
            shutil.copy2(entry, own / entry.name)


def merge_runs(run_dirs: list[Path], out_dir: Path, now: datetime, allow_partial: bool = False) -> MergeResult:
    """Merge the shards' run directories into `out_dir`; `now` is when (merge.json's merged_at)."""
    runs = [load_shard_run(path) for path in run_dirs]
    missing = check_compatible(runs, allow_partial)
    _prepare_out(out_dir)
    first = runs[0].manifest
    results, not_finished = _store_results(runs, missing)
    documents = [run.document for run in runs if run.document is not None]
    created = sorted([d.created_at for d in documents] + [run.manifest.started_at for run in runs])[0]
    kind = RunKind(first.kind)
    document = RunDocument(
        kind=kind, created_at=created, fleet_file=first.fleet_file, fleet_sha256=first.fleet_sha256,
        stores=[results[store_id] for store_id in first.selection if store_id in results],
        interrupted=any(d.interrupted for d in documents) or bool(not_finished),
    )
    plan = None
    if kind == RunKind.APPLY:
        planned = {s.id: s for run in runs if run.plan is not None for s in run.plan.stores}
        plan = document.model_copy(update={"kind": RunKind.PLAN, "stores": [
            planned[store_id] for store_id in first.selection if store_id in planned]})
    for run in runs:
        _copy_artifacts(run, out_dir)
    artifacts = RunArtifacts(out_dir)
    write_run_outputs(artifacts, document, plan)
    artifacts.write_json("merge.json", {
        "merged_at": now.astimezone(UTC).isoformat(timespec="seconds"), "command": first.command,
        "fleet_file": first.fleet_file, "fleet_sha256": first.fleet_sha256, "shards_total": first.total,
        "shards": [{"shard": run.manifest.shard, "run_dir": str(run.run_dir), "finished": run.document is not None,
                    "stores": len(run.manifest.stores)} for run in sorted(runs, key=lambda r: r.manifest.index)],
        "missing_shards": [shard.label for shard in missing], "not_finished": not_finished,
    })
    return MergeResult(document, exit_code_of(first.command, document), out_dir, runs,
                       [shard.label for shard in missing], not_finished)


def render_merge(result: MergeResult) -> str:
    """The lines under the merged plan or report: what was merged, and what is not there."""
    finished = sum(1 for run in result.shards if run.document is not None)
    lines = [f"Merged {len(result.shards)} shard(s) of {result.shards[0].manifest.command} "
             f"({finished} finished) into {result.out_dir}; exit code {result.exit_code}"]
    if result.missing_shards:
        lines.append(f"Missing shards (--allow-partial): {', '.join(result.missing_shards)}")
    if result.not_finished:
        lines.append(f"Not finished ({len(result.not_finished)} store(s)): " + ", ".join(
            f"{store} ({reason})" for store, reason in sorted(result.not_finished.items())))
    return "\n".join(lines)
