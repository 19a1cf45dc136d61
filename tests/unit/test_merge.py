"""`report merge`: refusals with a named reason, killed and missing shards, exit codes; real run directories.

The shards' run directories are written here with the tool's own writers (manifest, progress record,
reports) from made-up results, so every refusal can be tried without a browser; the browser tests in
tests/reliability/test_shards.py merge real shard processes.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from automation.cli import main
from automation.outputs.artifacts import RunArtifacts
from automation.outputs.run_outputs import write_run_outputs
from automation.outputs.run_record import ProgressLog, new_manifest, write_manifest
from automation.run.shard import Shard
from ecom_privacy.models import (
    Change,
    Diagnostic,
    RunDocument,
    RunKind,
    SettingResult,
    SettingStatus,
    StoreResult,
    StoreStatus,
)

SELECTION = [f"shop-{n}" for n in range(1, 10)]
#: when the shards ran (their directory names and manifests); the reports below say 2025-01-01 too
STARTED = datetime(2025, 1, 1, tzinfo=UTC)


def result(store_id: str, status: SettingStatus = SettingStatus.COMPLIANT) -> StoreResult:
    store_status = StoreStatus.ERROR if status == SettingStatus.FAILED else StoreStatus.OK
    changes = [Change(setting="cookie_law", action="update")] if status == SettingStatus.DRIFT else []
    return StoreResult(id=store_id, status=store_status, error_kind="ui_mismatch" if store_status == "error" else None,
                       settings=[SettingResult(setting="cookie_law", status=status)], changes=changes)


def shard_run(parent: Path, index: int, total: int = 3, command: str = "plan", sha: str = "v1",
              finished: int | None = None, statuses: dict[str, SettingStatus] | None = None,
              selection: list[str] = SELECTION, warned: tuple[str, ...] = ()) -> Path:
    """A shard's run directory; `finished=n`: killed after n stores (a progress record, no report)."""
    shard = Shard(index, total)
    stores = [s for s in selection if shard.owns(s)]
    kind = RunKind.PLAN if command in ("plan", "export-subscribers") else RunKind(command)
    artifacts = RunArtifacts.create(parent / f"{command}-{shard.slug}", now=STARTED)
    write_manifest(artifacts, new_manifest(command, kind.value, Path("fleet.yaml"), sha, shard.label, selection,
                                           stores, STARTED))
    results = [result(s, (statuses or {}).get(s, SettingStatus.COMPLIANT)) for s in stores]
    for store_result in results:
        if store_result.id in warned:
            store_result.settings[0].diagnostics = [Diagnostic(summary="look at this", detail="why")]
    for store_result in results:
        artifacts.save(store_result.id, "cookie_law-20250101T000000Z.html", "<p>old</p>")  # a backup per store
    progress = ProgressLog(artifacts)
    for store_result in results[:finished]:
        progress.record(store_result, kind.value)
    if finished is None:
        write_run_outputs(artifacts, RunDocument(kind=kind, created_at="2025-01-01T00:00:00+00:00",
                                                 fleet_file="fleet.yaml", fleet_sha256=sha, stores=results,
                                                 shard=shard.label))
    return artifacts.root


def merge(*args: str | Path) -> tuple[int, str, str]:
    out = io.StringIO()
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["report", "merge", *map(str, args), "--log-format", "json"], out=out)
    return code, out.getvalue(), err.getvalue()


def test_merge_of_every_shard_is_one_run(tmp_path: Path) -> None:
    dirs = [shard_run(tmp_path, k, statuses={"shop-3": SettingStatus.DRIFT}) for k in (1, 2, 3)]
    code, out, _ = merge(*dirs, "--out", tmp_path / "merged")
    assert code == 2  # a plan with changes, as one process would have exited
    plan = json.loads((tmp_path / "merged" / "plan.json").read_text())
    assert [s["id"] for s in plan["stores"]] == SELECTION
    assert plan["shard"] is None
    assert "Stores: 8 ok, 1 drifted\n" in out
    for store in SELECTION:  # every shard's backups are in the merged run
        assert (tmp_path / "merged" / "backups" / store / "cookie_law-20250101T000000Z.html").is_file()
    info = json.loads((tmp_path / "merged" / "merge.json").read_text())
    assert [s["shard"] for s in info["shards"]] == ["1/3", "2/3", "3/3"] and info["missing_shards"] == []


def test_merge_keeps_each_settings_warnings(tmp_path: Path) -> None:
    dirs = [shard_run(tmp_path, k, warned=("shop-4",)) for k in (1, 2, 3)]
    code, out, _ = merge(*dirs, "--out", tmp_path / "merged")
    assert code == 0  # a warning never changes the exit code
    plan = RunDocument.model_validate_json((tmp_path / "merged" / "plan.json").read_text())
    warned = {s.id: s.settings[0].diagnostics for s in plan.stores if s.settings[0].diagnostics}
    assert warned == {"shop-4": [Diagnostic(summary="look at this", detail="why")]}
    assert "* cookie_law: warning: look at this" in out
    assert "warning: look at this: why" in (tmp_path / "merged" / "junit.xml").read_text()
    assert "⚠ 1 warning(s)" in (tmp_path / "merged" / "report.html").read_text(encoding="utf-8")


def test_failed_store_gives_exit_1(tmp_path: Path) -> None:
    dirs = [shard_run(tmp_path, k, statuses={"shop-5": SettingStatus.FAILED}) for k in (1, 2, 3)]
    assert merge(*dirs, "--out", tmp_path / "merged")[0] == 1


@pytest.mark.parametrize(("change", "reason"), [
    ({"command": "verify"}, "different commands"),
    ({"sha": "v2"}, "different fleet file versions"),
    ({"selection": SELECTION[:5]}, "different store selections"),
])
def test_shards_of_different_runs_are_refused(tmp_path: Path, change: dict, reason: str) -> None:
    dirs = [shard_run(tmp_path, 1), shard_run(tmp_path, 2), shard_run(tmp_path / "other", 3, **change)]
    code, _, err = merge(*dirs, "--out", tmp_path / "merged")
    assert code == 1 and f"report merge refused: {reason}" in err
    assert not (tmp_path / "merged").exists()  # nothing written


def test_different_shard_counts_are_refused(tmp_path: Path) -> None:
    code, _, err = merge(shard_run(tmp_path, 1, total=2), shard_run(tmp_path, 2, total=3), "--out", tmp_path / "m")
    assert code == 1 and "different shard counts" in err


def test_a_shard_given_twice_is_refused(tmp_path: Path) -> None:
    dirs = [shard_run(tmp_path, 1), shard_run(tmp_path, 2), shard_run(tmp_path, 2), shard_run(tmp_path, 3)]
    code, _, err = merge(*dirs, "--out", tmp_path / "merged")
    assert code == 1 and "overlapping shards: shard 2/3 is given twice" in err


def test_missing_shards_are_refused_naming_their_stores_or_allowed_as_not_finished(tmp_path: Path) -> None:
    dirs = [shard_run(tmp_path, 1), shard_run(tmp_path, 3)]
    missing = [s for s in SELECTION if Shard(2, 3).owns(s)]
    code, _, err = merge(*dirs, "--out", tmp_path / "merged")
    assert code == 1 and "missing shards: 2/3 of 3" in err and all(store in err for store in missing)
    code, out, _ = merge(*dirs, "--out", tmp_path / "merged", "--allow-partial")
    assert code == 1  # not every store ran: never a success
    plan = json.loads((tmp_path / "merged" / "plan.json").read_text())
    assert [s["id"] for s in plan["stores"]] == SELECTION
    for store in plan["stores"]:
        if store["id"] in missing:
            assert store["status"] == "skipped" and store["error_kind"] == "not_finished"
            assert "shard 2/3 is missing" in store["error"]
    assert "Missing shards (--allow-partial): 2/3" in out and all(store in out for store in missing)


def test_a_killed_shard_contributes_its_finished_stores_only(tmp_path: Path) -> None:
    killed = shard_run(tmp_path, 2, finished=1, command="apply")
    dirs = [shard_run(tmp_path, 1, command="apply"), killed, shard_run(tmp_path, 3, command="apply")]
    (killed / "progress.jsonl").open("a").write('{"kind": "apply", "store": {"id": "torn')  # killed mid-line
    code, _, _ = merge(*dirs, "--out", tmp_path / "merged")
    assert code == 1
    report = json.loads((tmp_path / "merged" / "report.json").read_text())
    assert report["interrupted"] is True
    mine = [s for s in SELECTION if Shard(2, 3).owns(s)]
    by_id = {s["id"]: s for s in report["stores"]}
    assert by_id[mine[0]]["status"] == "ok"  # finished before the kill: its recorded result
    for store in mine[1:]:
        assert by_id[store]["status"] == "skipped" and by_id[store]["error_kind"] == "not_finished"
        assert "shard 2/3 stopped before this store finished" in by_id[store]["error"]
    junit = (tmp_path / "merged" / "junit.xml").read_text()
    assert junit.count("<skipped") == len(mine) - 1


def test_export_subscribers_shards_merge_with_its_own_exit_code(tmp_path: Path) -> None:
    dirs = [shard_run(tmp_path, k, command="export-subscribers", statuses={"shop-1": SettingStatus.DRIFT})
            for k in (1, 2, 3)]
    assert merge(*dirs, "--out", tmp_path / "merged")[0] == 0  # every list written (drift is the export itself)


def test_the_merged_run_needs_a_new_directory(tmp_path: Path) -> None:
    dirs = [shard_run(tmp_path, k) for k in (1, 2, 3)]
    (tmp_path / "merged").mkdir()
    (tmp_path / "merged" / "keep.txt").write_text("mine")
    code, _, err = merge(*dirs, "--out", tmp_path / "merged")
    assert code == 1 and "exists and is not empty" in err
    assert (tmp_path / "merged" / "keep.txt").read_text() == "mine"


def test_not_a_shard_run_is_refused_and_report_run_dir_still_works(tmp_path: Path) -> None:
    plain = RunArtifacts.create(tmp_path / "runs", now=STARTED)
    write_run_outputs(plain, RunDocument(kind=RunKind.PLAN, created_at="2025-01-01T00:00:00+00:00",
                                         fleet_file="fleet.yaml", stores=[result("shop-1")]))
    code, _, err = merge(plain.root, "--out", tmp_path / "merged")
    assert code == 1 and "not the run directory of a shard (no shard.json)" in err
    (plain.root / "report.html").unlink()
    assert main(["report", str(plain.root)], out=io.StringIO()) == 0
    assert (plain.root / "report.html").is_file()


# -- nothing in a shard's directory is trusted for where it comes from (issue #24, finding 8) -----------------

def _edit_json(path: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data, indent=2))


def _store(document: dict[str, Any], store_id: str) -> dict[str, Any]:
    return next(store for store in document["stores"] if store["id"] == store_id)


def test_links_planted_in_a_shard_are_neither_followed_nor_copied(tmp_path: Path) -> None:
    """A link to a host file and a link to a big folder, planted among a shard's backups and at its top: the
    merged run holds neither the links nor what they point to, and merge.json names what was left out."""
    outside = tmp_path / "host"
    (outside / "big").mkdir(parents=True)
    (outside / "passwd").write_text("root:x:0:0\n")
    (outside / "big" / "data.bin").write_bytes(b"\0" * 4096)
    dirs = [shard_run(tmp_path, k) for k in (1, 2, 3)]
    store = next(s for s in SELECTION if Shard(1, 3).owns(s))
    (dirs[0] / "backups" / store / "passwd.html").symlink_to(outside / "passwd")
    (dirs[0] / "backups" / store / "everything").symlink_to(outside / "big")
    (dirs[0] / "evidence").symlink_to(outside)
    code, _, err = merge(*dirs, "--out", tmp_path / "merged")
    assert code == 0, err
    merged = tmp_path / "merged"
    assert not [p for p in merged.rglob("*") if p.is_symlink()]
    assert not any("root:x" in p.read_text(errors="replace") for p in merged.rglob("*") if p.is_file())
    assert not (merged / "evidence").exists() and not (merged / "backups" / store / "everything").exists()
    assert (merged / "backups" / store / "cookie_law-20250101T000000Z.html").is_file()  # the real backup came
    left_out = json.loads((merged / "merge.json").read_text())["left_out"]["1/3"]
    assert sorted(left_out) == sorted(["evidence", f"backups/{store}/everything", f"backups/{store}/passwd.html"])


def test_a_report_edited_from_failed_to_ok_is_refused(tmp_path: Path) -> None:
    """The store's status no longer follows from its failed setting: refused, nothing merged, exit 1."""
    dirs = [shard_run(tmp_path, k, statuses={"shop-5": SettingStatus.FAILED}) for k in (1, 2, 3)]
    owner = next(d for d, k in zip(dirs, (1, 2, 3), strict=True) if Shard(k, 3).owns("shop-5"))
    _edit_json(owner / "plan.json", lambda plan: _store(plan, "shop-5").update(status="ok", error_kind=None))
    code, _, err = merge(*dirs, "--out", tmp_path / "merged")
    assert code == 1 and "store shop-5: it is ok although setting(s) cookie_law failed" in err
    assert not (tmp_path / "merged").exists()


def test_a_consistently_edited_report_disagrees_with_the_progress_record(tmp_path: Path) -> None:
    """Store and setting both edited to ok/compliant: the progress record the run wrote as the store finished
    still says error; refused."""
    dirs = [shard_run(tmp_path, k, command="apply", statuses={"shop-5": SettingStatus.FAILED}) for k in (1, 2, 3)]
    owner = next(d for d, k in zip(dirs, (1, 2, 3), strict=True) if Shard(k, 3).owns("shop-5"))
    progress = ProgressLog(RunArtifacts(owner))
    progress.record(result("shop-5", SettingStatus.FAILED), "apply")  # as the run recorded it when it finished

    def tidy(report: dict[str, Any]) -> None:
        store = _store(report, "shop-5")
        store.update(status="ok", error_kind=None)
        store["settings"][0].update(status="compliant")

    _edit_json(owner / "report.json", tidy)
    code, _, err = merge(*dirs, "--out", tmp_path / "merged")
    assert code == 1 and "store shop-5: the report says ok, the progress record written as it finished says error" \
        in err


def test_a_forged_shard_holding_another_shards_stores_is_refused(tmp_path: Path) -> None:
    """Shard 2's report also holds a store of shard 1, ok where shard 1 failed it (merged after shard 1, it used
    to win: exit 0). The report must hold exactly its manifest's stores; and a manifest claiming another shard's
    store is refused too (its stores are re-derived from the selection)."""
    stolen = next(s for s in SELECTION if Shard(1, 3).owns(s))
    dirs = [shard_run(tmp_path, k, statuses={stolen: SettingStatus.FAILED}) for k in (1, 2, 3)]
    _edit_json(dirs[1] / "plan.json", lambda plan: plan["stores"].append(result(stolen).model_dump(mode="json")))
    code, _, err = merge(*dirs, "--out", tmp_path / "merged")
    assert code == 1 and f"the report does not hold exactly the shard's stores; not of this shard: {stolen}" in err
    dirs = [shard_run(tmp_path / "again", k) for k in (1, 2, 3)]
    _edit_json(dirs[1] / "shard.json", lambda manifest: manifest["stores"].append(stolen))
    code, _, err = merge(*dirs, "--out", tmp_path / "merged")
    assert code == 1 and "the manifest's stores are not those of shard 2/3 of its selection" in err


def test_a_shard_report_of_another_fleet_version_is_refused(tmp_path: Path) -> None:
    dirs = [shard_run(tmp_path, k) for k in (1, 2, 3)]
    _edit_json(dirs[2] / "plan.json", lambda plan: plan.update(fleet_sha256="v0"))
    code, _, err = merge(*dirs, "--out", tmp_path / "merged")
    assert code == 1 and "the report is of fleet version v0 shard 3/3, the manifest of v1 shard 3/3" in err


@pytest.mark.parametrize("store_id", ["../../etc", "/etc", ".hidden", "shop\nnext"])
def test_a_store_id_that_is_no_store_id_is_refused_by_merge_and_report(tmp_path: Path, store_id: str) -> None:
    """A store id read from a file never becomes a path: `report RUN_DIR` and `report merge` refuse it in one
    line, and no page lists a folder outside the run."""
    dirs = [shard_run(tmp_path, k) for k in (1, 2, 3)]
    first = next(s for s in SELECTION if Shard(1, 3).owns(s))
    _edit_json(dirs[0] / "plan.json", lambda plan: _store(plan, first).update(id=store_id))
    code, _, err = merge(*dirs, "--out", tmp_path / "merged")
    assert code == 1 and f"{store_id!r} is not a store id" in err
    (dirs[0] / "report.html").unlink()
    err_out = io.StringIO()
    with contextlib.redirect_stderr(err_out):
        assert main(["report", str(dirs[0])], out=io.StringIO()) == 1
    assert f"{store_id!r} is not a store id" in err_out.getvalue() and not (dirs[0] / "report.html").exists()


def test_an_artifact_path_leaving_the_run_is_refused(tmp_path: Path) -> None:
    plain = RunArtifacts.create(tmp_path / "runs", now=STARTED)
    write_run_outputs(plain, RunDocument(kind=RunKind.PLAN, created_at="2025-01-01T00:00:00+00:00",
                                         fleet_file="fleet.yaml", stores=[result("shop-1")]))
    _edit_json(plain.root / "plan.json", lambda plan: plan["stores"][0].update(artifacts=["../../../../etc/passwd"]))
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["report", str(plain.root)], out=io.StringIO()) == 1
    assert "stores[0].artifacts[0]: '../../../../etc/passwd' is not a path inside the run directory" in err.getvalue()
