"""The scheduling recipes under deploy/ work as written: the systemd units pass `systemd-analyze verify`,
the YAML files parse and say what they must, and the command of each recipe, run exactly as written
(only the install locations of the recipe mapped into a temporary folder), corrects drift in the mock
and records the run in the history."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mock_backoffice import MockServer
from tests.support import http_json, write_fleet

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent


def _locations(tmp_path: Path) -> dict[str, str]:
    """Where the recipes install things, and where this test puts them instead."""
    return {"/opt/ecom-privacy": str(ROOT), "/etc/ecom-privacy": str(tmp_path / "etc"),
            "/var/lib/ecom-privacy": str(tmp_path / "state")}


def _mapped(text: str, locations: dict[str, str]) -> str:
    for path, here in locations.items():
        text = text.replace(path, here)
    return text


def _prepare(tmp_path: Path, server: MockServer) -> tuple[dict[str, str], dict[str, str]]:
    """The fleet and secrets where the recipes look for them; the secrets also as a Secret would pass them."""
    etc = tmp_path / "etc"
    etc.mkdir()
    (tmp_path / "state").mkdir()
    write_fleet(etc, server.url, {"cookie_law": {"mode": "confirm"}}, ["shop-nl"])
    (etc / ".env").rename(etc / "secrets.env")
    secrets = dict(line.split("=", 1) for line in (etc / "secrets.env").read_text().splitlines() if line)
    base = {"PATH": f"{VENV_BIN}:{os.environ['PATH']}", "HOME": str(tmp_path / "state"),
            "ECOM_PRIVACY_SESSION_DIR": os.environ.get("ECOM_PRIVACY_SESSION_DIR", str(tmp_path / "sessions")),
            "XDG_DATA_HOME": str(tmp_path / "data")}
    return base, secrets


def _run(command: list[str] | str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=300,
                          shell=isinstance(command, str), executable="/bin/bash" if isinstance(command, str) else None)


def _assert_corrected_and_recorded(result: subprocess.CompletedProcess[str], runs: Path, env: dict[str, str],
                                   server: MockServer) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    assert http_json(f"{server.url}/__mock__/state")["stores"]["shop-nl"]["cookie_law"]["mode"] == "confirm"
    run_dirs = [path for path in runs.iterdir() if path.is_dir()]
    assert len(run_dirs) == 1
    status = _run([str(VENV_BIN / "ecom-privacy"), "status", "--format", "json"], env, runs.parent)
    cell = json.loads(status.stdout)["stores"][0]["settings"]["cookie_law"]
    assert cell["category"] == "corrected" and cell["run_dir"] == str(run_dirs[0].resolve())


# -- systemd ------------------------------------------------------------------------------------------

def _unit(path: Path) -> dict[str, dict[str, str]]:
    """A unit file's sections; a key systemd allows repeatedly (Environment=) has its values one per line."""
    sections: dict[str, dict[str, list[str]]] = {}
    section = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            section = line.strip("[]")
            sections.setdefault(section, {})
        elif "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            sections[section].setdefault(key, []).append(value)
    return {name: {key: "\n".join(values) for key, values in keys.items()} for name, keys in sections.items()}


def test_systemd_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here (Debian package systemd): the units were not verified")
    units = tmp_path / "units"
    units.mkdir()
    # The service names /opt/ecom-privacy/deploy/scheduled-run.sh, which verify requires to exist.
    for unit in ("ecom-privacy.service", "ecom-privacy.timer"):
        text = (DEPLOY / "systemd" / unit).read_text(encoding="utf-8")
        (units / unit).write_text(text.replace("/opt/ecom-privacy", str(ROOT)), encoding="utf-8")
    result = subprocess.run([analyze, "verify", "--man=no", str(units / "ecom-privacy.service"),
                             str(units / "ecom-privacy.timer")], capture_output=True, text=True, timeout=120)
    # Unknown keys and bad values are only warnings to verify: any output at all is a finding.
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), result.stdout + result.stderr


def test_systemd_timer_and_service_say_what_they_must() -> None:
    timer = _unit(DEPLOY / "systemd" / "ecom-privacy.timer")
    service = _unit(DEPLOY / "systemd" / "ecom-privacy.service")
    assert timer["Timer"]["Unit"] == "ecom-privacy.service" and timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"
    assert service["Service"]["Type"] == "oneshot" and service["Service"]["User"] == "ecom-privacy"
    assert service["Service"]["ExecStart"] == "/opt/ecom-privacy/deploy/scheduled-run.sh"


def test_systemd_service_command_as_written(tmp_path: Path, mock_server: MockServer) -> None:
    service = _unit(DEPLOY / "systemd" / "ecom-privacy.service")["Service"]
    locations = _locations(tmp_path)
    base, _ = _prepare(tmp_path, mock_server)
    env = dict(base)
    for assignment in service["Environment"].splitlines():
        key, value = assignment.split("=", 1)
        env[key] = _mapped(value, locations)
    env["PATH"] = f"{VENV_BIN}:{env['PATH']}"  # the unit's PATH names /opt/ecom-privacy/.venv: this checkout's
    env["ECOM_PRIVACY_SESSION_DIR"] = base["ECOM_PRIVACY_SESSION_DIR"]
    assert service["EnvironmentFile"].startswith("-")  # optional: absent here
    command = _mapped(service["ExecStart"], locations)
    workdir = Path(_mapped(service["WorkingDirectory"], locations))
    result = _run([command], env, workdir)
    _assert_corrected_and_recorded(result, tmp_path / "state" / "runs", env, mock_server)
    assert (tmp_path / "state" / "status.html").is_file()
    assert (tmp_path / "state" / "ecom-privacy.sqlite3").is_file()  # in the home the unit sets


# -- Kubernetes ---------------------------------------------------------------------------------------

def _cronjob() -> tuple[dict, list[dict]]:
    documents = list(yaml.safe_load_all((DEPLOY / "kubernetes" / "cronjob.yaml").read_text(encoding="utf-8")))
    cronjob = next(d for d in documents if d["kind"] == "CronJob")
    return cronjob, documents


def test_kubernetes_cronjob_forbids_overlap_and_takes_secrets_from_secrets() -> None:
    cronjob, documents = _cronjob()
    assert cronjob["apiVersion"] == "batch/v1"
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    job = cronjob["spec"]["jobTemplate"]["spec"]
    assert job["backoffLimit"] == 0 and job["template"]["spec"]["restartPolicy"] == "Never"
    container = job["template"]["spec"]["containers"][0]
    db = next(e for e in container["env"] if e["name"] == "ECOM_PRIVACY_DB")
    assert db["valueFrom"]["secretKeyRef"] == {"name": "ecom-privacy-db", "key": "url"}
    assert container["envFrom"] == [{"secretRef": {"name": "ecom-privacy-stores"}}]
    assert not any("value" in e and re.search(r"(?i)password|token|secret", e["name"]) for e in container["env"])
    claims = {v["persistentVolumeClaim"]["claimName"] for v in job["template"]["spec"]["volumes"]
              if "persistentVolumeClaim" in v}
    assert claims == {d["metadata"]["name"] for d in documents if d["kind"] == "PersistentVolumeClaim"}
    dockerfile = (DEPLOY / "container" / "Dockerfile").read_text(encoding="utf-8")
    assert container["command"][0] in dockerfile  # the image has the script where the CronJob runs it


def test_kubernetes_command_as_written_with_the_history_on_postgresql(tmp_path: Path, mock_server: MockServer,
                                                                      postgres_url: str) -> None:
    cronjob, _ = _cronjob()
    container = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    locations = _locations(tmp_path)
    base, secrets = _prepare(tmp_path, mock_server)
    (tmp_path / "etc" / "secrets.env").unlink()  # in the cluster the logins come from the Secret, as variables
    env = {**base, **secrets, "ECOM_PRIVACY_DB": postgres_url}  # the two Secrets of the CronJob
    env.update({e["name"]: _mapped(e["value"], locations) for e in container["env"] if "value" in e})
    env["ECOM_PRIVACY_SESSION_DIR"] = base["ECOM_PRIVACY_SESSION_DIR"]
    result = _run([_mapped(part, locations) for part in container["command"]], env, tmp_path / "state")
    _assert_corrected_and_recorded(result, tmp_path / "state" / "runs", env, mock_server)
    assert not (tmp_path / "data").exists()  # nothing went to a SQLite file: the history is in PostgreSQL


# -- GitHub Actions -----------------------------------------------------------------------------------

def _workflow() -> dict:
    return yaml.safe_load((DEPLOY / "github-actions" / "nightly.yml").read_text(encoding="utf-8"))


def test_github_workflow_is_scheduled_without_overlap() -> None:
    workflow = _workflow()
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["schedule"][0]["cron"] == "30 2 * * *"
    assert workflow["concurrency"]["cancel-in-progress"] is False
    job = workflow["jobs"]["apply"]
    assert job["env"]["ECOM_PRIVACY_DB"] == "${{ secrets.ECOM_PRIVACY_DB }}"
    upload = next(step for step in job["steps"] if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["if"] == "always()" and upload["with"]["path"] == "runs/"


def test_github_workflow_steps_as_written(tmp_path: Path, mock_server: MockServer) -> None:
    job = _workflow()["jobs"]["apply"]
    base, secrets = _prepare(tmp_path, mock_server)
    checkout = tmp_path / "checkout"  # the runner's checkout of the repository, with the fleet in config/
    shutil.copytree(DEPLOY, checkout / "deploy")
    shutil.copytree(tmp_path / "etc", checkout / "config")
    (checkout / "config" / "secrets.env").unlink()
    (checkout / ".venv").mkdir()
    (checkout / ".venv" / "bin").symlink_to(VENV_BIN)  # what the step "make install" leaves
    repository_secrets = {"ECOM_PRIVACY_DB": f"sqlite:///{tmp_path / 'history.sqlite3'}",
                          "ECOM_PRIVACY_SECRETS_ENV": "\n".join(f"{k}={v}" for k, v in secrets.items())}

    def expand(value: str) -> str:
        return re.sub(r"\$\{\{\s*secrets\.(\w+)\s*\}\}", lambda m: repository_secrets[m.group(1)], value)

    github_env = tmp_path / "github_env"
    github_env.touch()
    runner_temp = tmp_path / "runner_temp"
    runner_temp.mkdir()
    env = {**base, "RUNNER_TEMP": str(runner_temp), "GITHUB_ENV": str(github_env)}
    env.update({key: expand(str(value)) for key, value in job["env"].items()})
    ran = []
    for step in job["steps"]:
        if "run" not in step or step["run"].strip() == "make install":
            continue  # actions (checkout, setup-python, upload) are GitHub's; the install is this checkout's
        for line in github_env.read_text().splitlines():  # what earlier steps exported
            key, value = line.split("=", 1)
            env[key] = value
        step_env = {**env, **{key: expand(str(value)) for key, value in step.get("env", {}).items()}}
        result = _run(step["run"], step_env, checkout)
        ran.append(step["name"])
        assert result.returncode == 0, f"{step['name']}: {result.stdout}{result.stderr}"
    assert ran == ["Write the secrets file", "Correct drift (apply --auto-approve)"]
    assert oct((runner_temp / "secrets.env").stat().st_mode & 0o777) == "0o600"
    _assert_corrected_and_recorded(result, checkout / "runs", env, mock_server)
    assert (checkout / "runs" / "status.html").is_file()
