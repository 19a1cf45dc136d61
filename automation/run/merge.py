"""`ecom-privacy report merge DIR... --out DIR`: one run out of the run directories of its shards.

The merged run is what one process running every store would have written: report.json (or plan.json),
junit.xml, report.html, the same summary counts and the same exit code. Every backup, export, screenshot,
trace and evidence file of every shard is copied into it (the paths in the reports stay valid: store ids
do not overlap across shards), and each shard's own reports are kept under `shards/<K>-of-<N>/`.

Refused (exit 1, nothing written): shards of different commands, fleet versions, shard counts or store
selections, a shard given twice, and missing shards unless --allow-partial. A shard that was killed (no
report) contributes the stores its progress record lists as finished; its other stores, like those of a
missing shard under --allow-partial, are reported "not finished", never as done.

Nothing in a shard's directory is trusted for where it comes from (it may have been copied from another
machine): its manifest's stores are re-derived from the selection and the shard (a forged manifest holding
another shard's stores is refused), its report must be of the manifest's fleet version and shard and hold
exactly the manifest's stores, each store's status must follow from its settings and agree with what the
progress record wrote as the store finished (a report edited from failed to ok is refused), and store ids
are store ids. Copying never follows a link and copies no link: a planted link is left out, named in
merge.json.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from automation.outputs.artifacts import RunArtifacts
from automation.outputs.files import make_folder, storage_error, write_atomic
from automation.outputs.render import apply_exit_code, plan_exit_code
from automation.outputs.run_files import read_run_document
from automation.outputs.run_outputs import write_run_outputs
from automation.outputs.run_record import MANIFEST, PROGRESS, ShardManifest, finished_stores
from automation.run.shard import Shard, shard_of
from automation.run.verify import verify_exit_code
from ecom_privacy.errors import ConfigError, ErrorKind
from ecom_privacy.models import RunDocument, RunKind, SettingStatus, StoreResult, StoreStatus, merged_run_id

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
    if path.is_symlink():
        raise ConfigError(f"report merge refused: {path} is a link, not a report written by the run; run that "
                          f"shard again")
    if not path.exists():
        return None
    try:
        return read_run_document(path)[0]
    except ConfigError as exc:
        raise ConfigError(f"{exc}; run that shard again") from exc


def load_shard_run(run_dir: Path) -> ShardRun:
    if not run_dir.is_dir():
        raise ConfigError(f"{run_dir}: no such run directory")
    manifest = ShardManifest.load(run_dir)
    final = "plan.json" if manifest.kind == RunKind.PLAN.value else "report.json"
    plan = _read_document(run_dir / "plan.json") if manifest.kind == RunKind.APPLY.value else None
    run = ShardRun(run_dir, manifest, _read_document(run_dir / final), plan)
    check_shard(run)
    return run


def _status_problem(store: StoreResult) -> str | None:
    """Why a store's recorded status cannot be what the run wrote: the engine derives it from its settings
    (a failed setting makes the store `error`) and from its own error."""
    failed = [s.setting for s in store.settings if s.status == SettingStatus.FAILED]
    if failed and store.status != StoreStatus.ERROR:
        return f"it is {store.status.value} although setting(s) {', '.join(failed)} failed"
    if store.error_kind and store.status == StoreStatus.OK:
        return f"it is ok although it records an error ({store.error_kind})"
    if any(s.error_kind and s.status not in (SettingStatus.FAILED, SettingStatus.SKIPPED) for s in store.settings):
        return "a setting records an error but not as failed"
    return None


def _outcome(store: StoreResult) -> tuple[str, tuple[tuple[str, str], ...], str | None]:
    return store.status.value, tuple((s.setting, s.status.value) for s in store.settings), store.error_kind


def check_shard(run: ShardRun) -> None:
    """Refuse a shard whose directory does not hold what the shard's own run wrote (see the module docstring)."""
    manifest, where = run.manifest, run.run_dir
    derived = [store for store in manifest.selection if shard_of(store, manifest.total) == manifest.index]
    # An apply of a saved plan ran the plan's stores of the shard, which may be fewer; never another shard's.
    fits = (set(manifest.stores) <= set(derived) and len(set(manifest.stores)) == len(manifest.stores)
            if manifest.saved_plan else list(manifest.stores) == derived)
    if not fits:
        raise ConfigError(f"report merge refused: {where}: the manifest's stores are not those of shard "
                          f"{manifest.shard} of its selection (it lists {len(manifest.stores)}, the shard holds "
                          f"{len(derived)}); was {MANIFEST} edited? Run that shard again")
    recorded = finished_stores(run.run_dir, manifest.kind)
    strangers = sorted(set(recorded) - set(manifest.stores))
    if strangers:
        raise ConfigError(f"report merge refused: {where}: the progress record holds store(s) "
                          f"{', '.join(strangers)} of another shard; run that shard again")
    for name, document in (("report", run.document), ("plan", run.plan)):
        if document is None:
            continue
        if document.fleet_sha256 != manifest.fleet_sha256 or document.shard not in (None, manifest.shard):
            raise ConfigError(f"report merge refused: {where}: the {name} is of fleet version "
                              f"{document.fleet_sha256[:12] or '(none)'} shard {document.shard}, the manifest of "
                              f"{manifest.fleet_sha256[:12]} shard {manifest.shard}; run that shard again")
        ids = [store.id for store in document.stores]
        if sorted(ids) != sorted(manifest.stores):
            extra, missing = sorted(set(ids) - set(manifest.stores)), sorted(set(manifest.stores) - set(ids))
            raise ConfigError(f"report merge refused: {where}: the {name} does not hold exactly the shard's stores"
                              + (f"; not of this shard: {', '.join(extra)}" if extra else "")
                              + (f"; missing: {', '.join(missing)}" if missing else "")
                              + (f"; twice: {', '.join(sorted({i for i in ids if ids.count(i) > 1}))}"
                                 if len(ids) != len(set(ids)) else "") + "; run that shard again")
        if name != "report":
            continue
        for store in document.stores:
            problem = _status_problem(store)
            finished = recorded.get(store.id)
            if problem is None and finished is not None and _outcome(finished) != _outcome(store):
                problem = (f"the report says {store.status.value}, the progress record written as it finished "
                           f"says {finished.status.value}")
            if problem is not None:
                raise ConfigError(f"report merge refused: {where}: store {store.id}: {problem}; the report was "
                                  f"not written by the run as it is: run that shard again")


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


def _copy_file(source: Path, target: Path) -> bool:
    """A regular file's bytes into a new file at `target`, never following a link at either end; False (and
    nothing written) for anything that is not a regular file."""
    try:
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return False  # a link: left out
        raise storage_error(exc, source, "read") from exc
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return False  # a FIFO or a device
        data = handle.read()
    write_atomic(target, data)
    return True


def _copy_tree(source: Path, target: Path, skipped: list[str], root: Path) -> None:
    """A folder of a shard into the merged run: folders 0700, regular files only, no link followed or copied."""
    for entry in sorted(source.iterdir()):
        if entry.is_symlink():
            skipped.append(str(entry.relative_to(root)))
        elif entry.is_dir():
            make_folder(target / entry.name)
            _copy_tree(entry, target / entry.name, skipped, root)
        elif not entry.name.endswith(".tmp") and not _copy_file(entry, target / entry.name):
            skipped.append(str(entry.relative_to(root)))


def _copy_artifacts(run: ShardRun, out_dir: Path) -> list[str]:
    """Backups, exports, screenshots, traces and evidence into the merged run; the run files under shards/.
    Returns what was left out (links, pipes), relative to the shard's directory."""
    own = make_folder(out_dir / "shards" / Shard(run.manifest.index, run.manifest.total).slug)
    skipped: list[str] = []
    for entry in sorted(run.run_dir.iterdir()):
        if entry.is_symlink():
            skipped.append(entry.name)
        elif entry.name in RUN_FILES:
            if not _copy_file(entry, own / entry.name):
                skipped.append(entry.name)
        elif entry.is_dir():
            make_folder(out_dir / entry.name)
            _copy_tree(entry, out_dir / entry.name, skipped, run.run_dir)
        elif not entry.name.endswith(".tmp") and not _copy_file(entry, own / entry.name):
            skipped.append(entry.name)
    return skipped


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
        kind=kind, created_at=created, run_id=merged_run_id(documents), fleet_file=first.fleet_file,
        fleet_sha256=first.fleet_sha256,
        stores=[results[store_id] for store_id in first.selection if store_id in results],
        interrupted=any(d.interrupted for d in documents) or bool(not_finished),
    )
    plan = None
    if kind == RunKind.APPLY:
        planned = {s.id: s for run in runs if run.plan is not None for s in run.plan.stores}
        plan = document.model_copy(update={"kind": RunKind.PLAN, "stores": [
            planned[store_id] for store_id in first.selection if store_id in planned]})
    left_out = {run.manifest.shard: _copy_artifacts(run, out_dir) for run in runs}
    artifacts = RunArtifacts(out_dir)
    write_run_outputs(artifacts, document, plan)
    artifacts.write_json("merge.json", {
        "merged_at": now.astimezone(UTC).isoformat(timespec="seconds"), "command": first.command,
        "fleet_file": first.fleet_file, "fleet_sha256": first.fleet_sha256, "shards_total": first.total,
        "shards": [{"shard": run.manifest.shard, "run_dir": str(run.run_dir), "finished": run.document is not None,
                    "stores": len(run.manifest.stores)} for run in sorted(runs, key=lambda r: r.manifest.index)],
        "missing_shards": [shard.label for shard in missing], "not_finished": not_finished,
        "left_out": {shard: paths for shard, paths in left_out.items() if paths},  # links and pipes: never copied
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
