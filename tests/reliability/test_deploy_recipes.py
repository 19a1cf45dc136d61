"""The recipes under deploy/ run as written: their YAML is parsed and the exact commands in it are run
against the mock, N shards as N local processes at once, then the merge step.

Kubernetes: the Indexed Job's container command and environment (JOB_COMPLETION_INDEX set per pod as the
Job controller does, Secret variables in the environment as envFrom does, each volume mount a local folder).
GitHub Actions: the matrix job's `run` step with its environment (the `${{ }}` expressions evaluated as on a
scheduled run), then the merge job's step on the folder the artifacts would be downloaded to.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from automation.run.shard import shard_of
from mock_backoffice import MockServer
from tests.reliability.conftest import SECRETS, Fleet, artifact_texts
from tests.support import http_json

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
STORES = ["alpha", "bravo", "echo", "gen-001", "gen-002"]


def small_fleet(fleet: Fleet) -> None:
    """Only a few stores, to keep N browsers at once affordable on a small machine."""
    data = yaml.safe_load(fleet.path.read_text())
    data["stores"] = [store for store in data["stores"] if store["id"] in STORES]
    fleet.path.write_text(yaml.safe_dump(data, sort_keys=False))


def tool_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ECOM_PRIVACY_", "SHARD_", "RUN_ROOT"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # ecom-privacy on PATH
    env.update(values)
    return env


def dotenv(fleet: Fleet) -> dict[str, str]:
    return dict(line.split("=", 1) for line in fleet.env.read_text().splitlines() if "=" in line)


def run_all(commands: list[tuple[list[str], dict[str, str]]]) -> list[subprocess.CompletedProcess[str]]:
    processes = [subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for argv, env in commands]
    results = []
    for (argv, _), process in zip(commands, processes, strict=True):
        out, err = process.communicate(timeout=600)
        results.append(subprocess.CompletedProcess(argv, process.returncode, out, err))
    return results


# -- Kubernetes ------------------------------------------------------------------------------------------
def k8s_document(name: str, run_id: str) -> dict[str, Any]:
    text = (DEPLOY / "kubernetes" / name).read_text()
    # what deploy/kubernetes/submit.sh substitutes, and nothing else
    return yaml.safe_load(text.replace("${RUN_ID}", run_id).replace("${IMAGE}", "ecom-privacy:test"))


def container_run(job: dict[str, Any], mounts: dict[str, Path], secrets: dict[str, str],
                  **downward: str) -> tuple[list[str], dict[str, str]]:
    """The container's command and environment as the kubelet would run them, volumes mapped to folders."""
    pod = job["spec"]["template"]["spec"]
    [container] = pod["containers"]
    for mount in container.get("volumeMounts", []):
        assert mount["name"] in {v["name"] for v in pod["volumes"]}
    env = {}
    for item in container.get("env", []):
        value = item["value"]
        for mount_path, local in mounts.items():
            if value == mount_path or value.startswith(mount_path + "/"):
                value = str(local) + value[len(mount_path):]
        env[item["name"]] = value
    if container.get("envFrom"):
        assert container["envFrom"] == [{"secretRef": {"name": "ecom-privacy-secrets"}}]
        env.update(secrets)
    assert container["workingDir"] == "/app"  # the project's folder in the image: here, the checkout
    return list(container["command"]), tool_env(**env, **downward)


def _is_json(line: str) -> bool:
    try:
        json.loads(line)
    except json.JSONDecodeError:
        return False
    return True


def run_init_containers(job: dict[str, Any], mounts: dict[str, Path]) -> None:
    """The pod's init containers, in order, their mount paths mapped to folders (the fleet archive unpacked)."""
    for init in job["spec"]["template"]["spec"].get("initContainers", []):
        argv = []
        for part in init["command"]:
            for mount_path, local in sorted(mounts.items(), key=lambda item: -len(item[0])):
                if part == mount_path or part.startswith(mount_path + "/"):
                    part = str(local) + part[len(mount_path):]
                    break
            argv.append(part)
        result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr


def fleet_archive(fleet: Fleet, configmap: Path) -> None:
    """shards-job.yaml's header: the fleet folder as one archive, made as written (the folder named there,
    `config`, is the fleet's folder here); the ConfigMap's key is the file its volume shows."""
    header = (DEPLOY / "kubernetes" / "shards-job.yaml").read_text()
    [line] = [line.lstrip("# ") for line in header.splitlines() if line.lstrip("# ").startswith("tar -czf")]
    tar = line.partition(" && ")[0].replace("-C config", f"-C {fleet.path.parent}")
    configmap.mkdir()
    subprocess.run(["bash", "-c", tar], cwd=configmap, check=True, timeout=60)


def test_kubernetes_indexed_job_then_merge_job(fleet: Fleet, server: MockServer, tmp_path: Path) -> None:
    small_fleet(fleet)
    shards = k8s_document("shards-job.yaml", "r1")
    merge = k8s_document("merge-job.yaml", "r1")
    spec = shards["spec"]
    n = spec["completions"]
    assert (shards["kind"], spec["completionMode"]) == ("Job", "Indexed")
    assert spec["parallelism"] == n and spec["backoffLimitPerIndex"] >= 1
    [container] = spec["template"]["spec"]["containers"]
    assert {e["name"]: e["value"] for e in container["env"]}["SHARD_COUNT"] == str(n)
    assert {e["name"]: e["value"] for e in merge["spec"]["template"]["spec"]["containers"][0]["env"]}[
        "SHARD_COUNT"] == str(n)
    claims = {v["persistentVolumeClaim"]["claimName"] for job in (shards, merge)
              for v in job["spec"]["template"]["spec"]["volumes"] if "persistentVolumeClaim" in v}
    assert claims == {"ecom-privacy-runs"}  # shards and merge share the run folder

    mounts = {"/runs": tmp_path / "pv", "/fleet": tmp_path / "fleet", "/fleet-archive": tmp_path / "configmap",
              "/dev/shm": tmp_path / "shm"}
    fleet_archive(fleet, tmp_path / "configmap")
    secrets = dotenv(fleet)
    commands = []
    for i in range(n):  # each pod gets its own emptyDir, unpacked by its init container
        pod_mounts = {**mounts, "/fleet": tmp_path / f"fleet-{i}"}
        pod_mounts["/fleet"].mkdir()
        run_init_containers(shards, pod_mounts)
        assert (pod_mounts["/fleet"] / "fleet.yaml").is_file() and not (pod_mounts["/fleet"] / ".env").exists()
        commands.append(container_run(shards, pod_mounts, secrets, JOB_COMPLETION_INDEX=str(i)))
    results = run_all(commands)
    for result in results:
        assert result.returncode == 0, result.stderr[-3000:]
        assert [line for line in result.stderr.splitlines() if not _is_json(line)] == []  # a log of JSON lines
    argv, env = container_run(merge, mounts, {})
    merged = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert merged.returncode == 0, merged.stdout[-2000:] + merged.stderr[-3000:]  # every store applied
    [out_dir] = sorted((tmp_path / "pv" / "r1").glob("merged-*"))
    report = json.loads((out_dir / "report.json").read_text())
    assert {s["id"]: [x["status"] for x in s["settings"]] for s in report["stores"]} == {
        store: ["changed"] for store in STORES}
    assert sorted(p.name for p in (tmp_path / "pv" / "r1").iterdir() if p.name.startswith("shard-")) == [
        f"shard-{k}-of-{n}" for k in range(1, n + 1)]
    assert (tmp_path / "pv" / "sessions").is_dir()  # cached logins on the shared volume
    state = http_json(f"{server.url}/__mock__/state")["stores"]
    assert all(state[store]["cookie_law"]["mode"] == "confirm" for store in STORES)


# -- GitHub Actions --------------------------------------------------------------------------------------
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def evaluate(text: str, context: dict[str, str]) -> str:
    """The `${{ }}` expressions the workflow uses, as on a scheduled run; an unknown one fails the test."""
    def one(match: re.Match[str]) -> str:
        assert match.group(1) in context, f"unknown expression in the workflow: {match.group(1)}"
        return context[match.group(1)]
    return EXPRESSION.sub(one, str(text))


def test_github_actions_matrix_then_merge_job(fleet: Fleet, tmp_path: Path) -> None:
    small_fleet(fleet)
    workflow = yaml.safe_load((DEPLOY / "github-actions" / "ecom-privacy-fleet.yml").read_text())
    shard_job, merge_job = workflow["jobs"]["shard"], workflow["jobs"]["merge"]
    matrix = shard_job["strategy"]["matrix"]["shard"]
    assert shard_job["strategy"]["fail-fast"] is False and merge_job["needs"] == "shard"
    assert merge_job["if"] == "always()"
    context = {
        "github.run_id": "4242", "inputs.command || 'plan'": "plan",  # a scheduled run: no inputs
        "inputs.command == 'apply' && '--auto-approve --parallelism 4' || '--parallelism 4'": "--parallelism 4",
        "secrets.ECOM_PRIVACY_DOTENV": fleet.env.read_text(),
    }
    base = {name: evaluate(value, context) for name, value in workflow["env"].items()}
    assert base["SHARD_COUNT"] == str(len(matrix))
    base["ECOM_PRIVACY_CONFIG"] = str(fleet.path)  # the checkout's fleet file: here, the test's
    base["RUN_ROOT"] = str(tmp_path / base["RUN_ROOT"])  # the runner's workspace: here, a temporary folder
    step = next(s for s in shard_job["steps"] if s.get("name") == "Run shard")
    upload = next(s for s in shard_job["steps"] if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["if"] == "always()" and upload["with"]["path"] == "${{ env.RUN_ROOT }}"

    commands = []
    for index in matrix:
        env = {**base, **{k: evaluate(v, {**context, "matrix.shard": str(index)}) for k, v in step["env"].items()}}
        env["ECOM_PRIVACY_BIN"] = str(Path(sys.executable).parent / "ecom-privacy")  # .venv/bin/ecom-privacy
        commands.append((["bash", "-c", step["run"]], tool_env(**env)))
    for result in run_all(commands):
        assert result.returncode == 0, result.stderr[-3000:]
    # download-artifact with merge-multiple puts every shard's folder back under RUN_ROOT: already there
    merge_step = next(s for s in merge_job["steps"] if s.get("name") == "Merge")
    env = {**base, **{k: evaluate(v, context) for k, v in merge_step["env"].items()}}
    env["ECOM_PRIVACY_BIN"] = str(Path(sys.executable).parent / "ecom-privacy")
    merged = subprocess.run(["bash", "-c", merge_step["run"]], cwd=ROOT, env=tool_env(**env), capture_output=True,
                            text=True, timeout=300)
    assert merged.returncode == 2, merged.stdout[-2000:] + merged.stderr[-3000:]  # a plan with changes: drift
    [out_dir] = sorted(Path(base["RUN_ROOT"]).glob("merged-*"))
    plan = json.loads((out_dir / "plan.json").read_text())
    assert [s["id"] for s in plan["stores"]] == STORES
    assert all(s["status"] == "ok" and s["settings"][0]["status"] == "drift" for s in plan["stores"])
    for index in matrix:  # each shard ran its own stores, named by the index of the matrix
        manifest = json.loads(next(Path(base["RUN_ROOT"]).glob(f"shard-{index + 1}-of-3/*/shard.json")).read_text())
        assert manifest["stores"] == [s for s in STORES if shard_of(s, 3) == index + 1]
    assert (Path(base["RUN_ROOT"]) / "junit.xml").is_file()
    texts = artifact_texts(Path(base["RUN_ROOT"]))  # nothing the shards or the merge wrote holds a password
    assert texts and not [(name, secret) for name, data in texts.items() for secret in SECRETS
                          if secret.encode() in data]
