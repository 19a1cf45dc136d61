"""Sharded runs against the mock: N shard processes at once, merged, equal one process running every store.

Each shard is a real `python -m automation ... --shard K/N` process, started together as a CI matrix or a
Kubernetes Indexed Job would; `report merge` makes one run of their run directories.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from automation.cli import main
from automation.outputs.render import summarise
from automation.run.shard import shard_of
from ecom_privacy.models import RunDocument
from mock_backoffice import MockServer
from tests.reliability.conftest import Fleet, Run
from tests.support import http_json

# Not about logging in: each store starts logged in (tests/warm_sessions.py).
pytestmark = pytest.mark.usefixtures("warm_sessions")

ROOT = Path(__file__).resolve().parents[2]


def shard_command(fleet: Fleet, command: str, shard: str, runs: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "automation", command, *fleet.args(), "--shard", shard, "--artifacts-dir",
            str(runs), "--log-format", "json", *extra]


def run_shards(fleet: Fleet, command: str, total: int, *extra: str) -> list[Path]:
    """All shards at once, as separate processes; returns each shard's run directory (shard 1 first)."""
    processes = []
    for index in range(1, total + 1):
        runs = fleet.directory / f"{command}-shard-{index}"
        processes.append((runs, subprocess.Popen(shard_command(fleet, command, f"{index}/{total}", runs, *extra),
                                                 cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                 text=True)))
    run_dirs = []
    for runs, process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode in (0, 1, 2), err[-3000:]
        [run_dir] = sorted(runs.iterdir())
        run_dirs.append(run_dir)
    return run_dirs


def merge(*run_dirs: Path, out: Path, extra: tuple[str, ...] = ()) -> tuple[int, str, str]:
    stdout = io.StringIO()
    code = main(["report", "merge", *map(str, run_dirs), "--out", str(out), "--log-format", "json", *extra],
                out=stdout)
    return code, stdout.getvalue(), ""


def outcome(document: dict[str, Any]) -> dict[str, Any]:
    """What must be equal between a merged run and one process: each store's statuses and error kinds."""
    return {store["id"]: (store["status"], store["error_kind"],
                          [(s["setting"], s["status"], s["error_kind"]) for s in store["settings"]])
            for store in document["stores"]}


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def test_three_shards_merged_equal_one_run(run: Callable[..., Run], fleet: Fleet, tmp_path: Path) -> None:
    single = run("plan")
    assert single.code == 1  # delta-broken's backoffice lost its cookie-law section: that store fails
    run_dirs = run_shards(fleet, "plan", 3)
    for index, run_dir in enumerate(run_dirs, start=1):
        shard_plan = load(run_dir / "plan.json")
        assert shard_plan["shard"] == f"{index}/3"
        assert {s["id"] for s in shard_plan["stores"]} == {s for s in load(run_dir / "shard.json")["selection"]
                                                           if shard_of(s, 3) == index}

    code, out, _ = merge(*run_dirs, out=tmp_path / "merged")
    merged = load(tmp_path / "merged" / "plan.json")
    one = load(single.run_dir / "plan.json")
    assert code == single.code
    assert [s["id"] for s in merged["stores"]] == [s["id"] for s in one["stores"]]  # the fleet's order
    assert outcome(merged) == outcome(one)
    assert merged["shard"] is None and merged["interrupted"] is False
    counts = summarise(RunDocument.model_validate(merged))
    assert counts == summarise(RunDocument.model_validate(one))
    assert "Stores: " + ", ".join(f"{count} {name}" for name, count in counts.items() if count) in out
    # JUnit and HTML of the merged run: the same test cases as one process's
    for name in ("junit.xml", "report.html"):
        assert (tmp_path / "merged" / name).is_file()
    one_junit = (single.run_dir / "junit.xml").read_text()
    merged_junit = (tmp_path / "merged" / "junit.xml").read_text()
    assert merged_junit.count("<testcase") == one_junit.count("<testcase")
    assert merged_junit.count("<failure") == one_junit.count("<failure")
    # the failed store's screenshot and trace travelled with the merge, at the path its report names
    delta = next(s for s in merged["stores"] if s["id"] == "delta-broken")
    assert delta["artifacts"] and all((tmp_path / "merged" / a).is_file() for a in delta["artifacts"])
    assert sorted(p.name for p in (tmp_path / "merged" / "shards").iterdir()) == ["1-of-3", "2-of-3", "3-of-3"]


def test_saved_plan_per_shard_then_apply_per_shard(fleet: Fleet, server: MockServer, tmp_path: Path) -> None:
    stores = ["alpha", "bravo", "echo", "gen-001", "gen-002"]
    selection = [arg for store in stores for arg in ("--store", store)]
    plans = []
    for index in (1, 2):
        plan_file = tmp_path / f"plan-{index}.json"
        process = subprocess.run(shard_command(fleet, "plan", f"{index}/2", tmp_path / "plans", *selection,
                                               "--out", str(plan_file)), cwd=ROOT, capture_output=True, text=True)
        assert process.returncode == 2, process.stderr[-3000:]
        assert load(plan_file)["shard"] == f"{index}/2"
        plans.append(plan_file)
    run_dirs = []
    for index, plan_file in enumerate(plans, start=1):
        runs = tmp_path / f"apply-{index}"
        # no --shard: applying a shard's plan is that shard's run (its lock, its manifest, its report)
        process = subprocess.run([sys.executable, "-m", "automation", "apply", str(plan_file), *fleet.args(),
                                  "--artifacts-dir", str(runs), "--log-format", "json"],
                                 cwd=ROOT, capture_output=True, text=True)
        assert process.returncode == 0, process.stderr[-3000:]
        [run_dir] = sorted(runs.iterdir())
        assert load(run_dir / "report.json")["shard"] == f"{index}/2"
        run_dirs.append(run_dir)
    code, out, _ = merge(*run_dirs, out=tmp_path / "merged")
    assert code == 0, out
    report = load(tmp_path / "merged" / "report.json")
    assert {s["id"]: [x["status"] for x in s["settings"]] for s in report["stores"]} == {
        store: ["changed"] for store in stores}
    assert (tmp_path / "merged" / "plan.json").is_file()  # the merged plan part, as an apply run has
    state = http_json(f"{server.url}/__mock__/state")["stores"]
    assert all(state[store]["cookie_law"]["mode"] == "confirm" for store in stores)


def test_a_killed_shard_leaves_its_stores_not_finished_and_its_rerun_converges(
        fleet: Fleet, server: MockServer, tmp_path: Path) -> None:
    stores = ["alpha", "bravo", "echo", "gen-001", "gen-002", "gen-003"]
    selection = [arg for store in stores for arg in ("--store", store)]
    victim = max((1, 2), key=lambda k: sum(shard_of(s, 2) == k for s in stores))  # the shard with more stores
    assert sum(shard_of(s, 2) == victim for s in stores) >= 2
    other = 3 - victim
    done = subprocess.run(shard_command(fleet, "apply", f"{other}/2", tmp_path / "other", *selection,
                                        "--auto-approve"), cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]

    http_json(f"{server.url}/__mock__/faults", {"latency_ms": 100})
    process = subprocess.Popen(shard_command(fleet, "apply", f"{victim}/2", tmp_path / "victim", *selection,
                                             "--auto-approve", "--parallelism", "1"),
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    finished = None
    for line in process.stderr:
        event = json.loads(line)
        if event.get("event") == "store done":
            finished = event["store"]
            os.kill(process.pid, signal.SIGKILL)  # no handler, no report: as the OOM killer or a node loss
            break
    process.communicate(timeout=60)
    http_json(f"{server.url}/__mock__/faults", {})
    assert process.returncode == -signal.SIGKILL and finished is not None
    [killed_dir] = sorted((tmp_path / "victim").iterdir())
    [other_dir] = sorted((tmp_path / "other").iterdir())
    assert not (killed_dir / "report.json").exists()

    code, out, _ = merge(other_dir, killed_dir, out=tmp_path / "merged-killed")
    assert code == 1
    merged = load(tmp_path / "merged-killed" / "report.json")
    assert merged["interrupted"] is True
    by_id = {s["id"]: s for s in merged["stores"]}
    assert by_id[finished]["status"] == "ok" and by_id[finished]["settings"][0]["status"] == "changed"
    unfinished = [s for s in stores if shard_of(s, 2) == victim and s != finished]
    for store in unfinished:
        assert by_id[store]["status"] == "skipped" and by_id[store]["error_kind"] == "not_finished", by_id[store]
        assert store in out  # named on stdout
    assert "Not finished" in out

    rerun = subprocess.run(shard_command(fleet, "apply", f"{victim}/2", tmp_path / "victim", *selection,
                                         "--auto-approve"), cwd=ROOT, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    rerun_dir = sorted((tmp_path / "victim").iterdir())[-1]
    code, out, _ = merge(killed_dir, rerun_dir, other_dir, out=tmp_path / "refused")
    assert code == 1 and not (tmp_path / "refused").exists()  # the killed run and its re-run overlap
    code, out, _ = merge(other_dir, rerun_dir, out=tmp_path / "merged")
    assert code == 0, out
    converged = load(tmp_path / "merged" / "report.json")
    assert converged["interrupted"] is False
    assert all(s["status"] == "ok" for s in converged["stores"]) and len(converged["stores"]) == len(stores)
    state = http_json(f"{server.url}/__mock__/state")["stores"]
    assert all(state[store]["cookie_law"]["mode"] == "confirm" for store in stores)


def test_a_shard_without_stores_exits_0_and_still_counts_in_the_merge(run: Callable[..., Run], fleet: Fleet,
                                                                       tmp_path: Path) -> None:
    empty = next(k for k in range(1, 20) if shard_of("alpha", 20) != k)
    result = run("plan", "--store", "alpha", "--shard", f"{empty}/20")
    assert result.code == 0
    assert f"shard {empty}/20: none of the 1 selected store(s) falls to this shard; nothing to do" in result.out
    assert load(result.run_dir / "plan.json")["stores"] == []
    assert load(result.run_dir / "shard.json")["stores"] == []
