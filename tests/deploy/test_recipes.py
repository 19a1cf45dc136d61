"""The scheduling recipes under deploy/ work as written: the systemd units pass `systemd-analyze verify`,
the YAML files parse and say what they must, and the install steps and command of each recipe, run exactly
as written (only the install locations of the recipe mapped into a temporary folder), ship the whole fleet
folder (a keep list in a subfolder, a ui_overrides file), validate it before any login, correct drift in
the mock, record the run in the history, and log JSON lines only."""

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
from tests.docs.markdown import ROOT, code_blocks
from tests.support import http_json, write_fleet

DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent
KEEP_LIST = "lists/resubscribed.csv"  # in a subfolder of the fleet folder: what the old steps did not copy


def _locations(tmp_path: Path) -> dict[str, str]:
    """Where the recipes install things, and where this test puts them instead (longest paths first)."""
    return {"/etc/ecom-privacy-archive": str(tmp_path / "configmap"), "/etc/systemd/system": str(tmp_path / "units"),
            "/opt/ecom-privacy": str(ROOT), "/etc/ecom-privacy": str(tmp_path / "etc"),
            "/var/lib/ecom-privacy": str(tmp_path / "state")}


def _mapped(text: str, locations: dict[str, str]) -> str:
    for path, here in locations.items():
        text = text.replace(path, here)
    return text


def _fleet_folder(folder: Path, server: MockServer) -> dict[str, str]:
    """A fleet folder as an operator keeps it: fleet.yaml, a keep list in lists/, a ui_overrides file, .env.
    Returns the secrets of its .env."""
    folder.mkdir(parents=True)
    defaults = {"cookie_law": {"mode": "confirm"},
                "newsletter_archive": {"enabled": False, "keep_file": KEEP_LIST}}  # read by validate and every run
    write_fleet(folder, server.url, defaults, ["shop-nl"], extra={"ui_overrides": "ui-overrides.yaml"})
    (folder / KEEP_LIST).parent.mkdir()
    (folder / KEEP_LIST).write_text("email\nkeep@example.com\n", encoding="utf-8")
    (folder / "ui-overrides.yaml").write_text("paths:\n  web_extras: settings/extras\n", encoding="utf-8")
    return dict(line.split("=", 1) for line in (folder / ".env").read_text().splitlines() if line)


def _prepare(tmp_path: Path, server: MockServer) -> tuple[dict[str, str], dict[str, str]]:
    """The fleet folder installed where the recipes look for it (etc/, secrets in etc/secrets.env); the
    secrets also as a Secret would pass them."""
    etc = tmp_path / "etc"
    secrets = _fleet_folder(etc, server)
    (etc / ".env").rename(etc / "secrets.env")
    (tmp_path / "state").mkdir()
    return _base_env(tmp_path), secrets


def _base_env(tmp_path: Path) -> dict[str, str]:
    return {"PATH": f"{VENV_BIN}:{os.environ['PATH']}", "HOME": str(tmp_path / "state"),
            "ECOM_PRIVACY_SESSION_DIR": os.environ.get("ECOM_PRIVACY_SESSION_DIR", str(tmp_path / "sessions")),
            "XDG_DATA_HOME": str(tmp_path / "data")}


def _run(command: list[str] | str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=300,
                          shell=isinstance(command, str), executable="/bin/bash" if isinstance(command, str) else None)


def _assert_json_lines(result: subprocess.CompletedProcess[str]) -> list[dict]:
    """The recipe's whole log (stdout and stderr, as a journal or a pod log holds them) is JSON lines."""
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    not_json = []
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            not_json.append(line)
    assert not_json == [], not_json
    return parsed


def _assert_corrected_and_recorded(result: subprocess.CompletedProcess[str], runs: Path, env: dict[str, str],
                                   server: MockServer) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    events = [line["event"] for line in _assert_json_lines(result)]
    assert "run finished" in events, events
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


STUBS = """
useradd() { :; }    # the service user: a test creates none
systemctl() { printf '%s\\n' "$*" >> "$SYSTEMCTL_LOG"; }
install() {         # as written, without -o/-g: there is no such user here
  local args=()
  while [ $# -gt 0 ]; do case "$1" in -o|-g) shift 2 ;; *) args+=("$1"); shift ;; esac; done
  command install "${args[@]}"
}
"""


def _install_systemd_as_documented(tmp_path: Path, server: MockServer) -> Path:
    """docs/operations.md's install steps, run as written from a folder holding `my-fleet/` (paths mapped)."""
    [block] = [block for block in code_blocks(ROOT / "docs" / "operations.md")
               if block.marker == "run" and block.marker_note.startswith("systemd-install")]
    _fleet_folder(tmp_path / "my-fleet", server)
    (tmp_path / "units").mkdir()
    (tmp_path / "state").mkdir()
    log = tmp_path / "systemctl.log"
    result = _run(STUBS + _mapped(block.text, _locations(tmp_path)), {**os.environ, "SYSTEMCTL_LOG": str(log)},
                  tmp_path)
    assert result.returncode == 0, result.stderr
    assert log.read_text().splitlines() == ["daemon-reload", "enable --now ecom-privacy.timer",
                                            "start ecom-privacy.service"]
    return tmp_path / "etc"


def _run_service(tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """The service's ExecStart with its Environment= lines, as systemd would start it."""
    service = _unit(tmp_path / "units" / "ecom-privacy.service")["Service"]
    locations = _locations(tmp_path)
    env = _base_env(tmp_path)
    for assignment in service["Environment"].splitlines():
        key, value = assignment.split("=", 1)
        env[key] = _mapped(value, locations)
    env["PATH"] = f"{VENV_BIN}:{env['PATH']}"  # the unit's PATH names /opt/ecom-privacy/.venv: this checkout's
    env["ECOM_PRIVACY_SESSION_DIR"] = _base_env(tmp_path)["ECOM_PRIVACY_SESSION_DIR"]
    assert service["EnvironmentFile"].startswith("-")  # optional: absent here
    command = _mapped(service["ExecStart"], locations)
    return _run([command], env, Path(_mapped(service["WorkingDirectory"], locations))), env


def test_systemd_install_steps_and_service_as_written(tmp_path: Path, mock_server: MockServer) -> None:
    etc = _install_systemd_as_documented(tmp_path, mock_server)
    assert (etc / KEEP_LIST).is_file() and (etc / "ui-overrides.yaml").is_file()  # the whole folder
    assert (etc / "secrets.env").stat().st_mode & 0o777 == 0o600 and not (etc / ".env").exists()
    result, env = _run_service(tmp_path)
    _assert_corrected_and_recorded(result, tmp_path / "state" / "runs", env, mock_server)
    assert result.stdout == ""  # the journal gets the log; the report is in the run directory
    assert (tmp_path / "state" / "status.html").is_file()
    assert (tmp_path / "state" / "data" / "ecom-privacy" / "ecom-privacy.sqlite3").is_file()


def test_a_fleet_folder_shipped_without_its_keep_list_stops_before_any_login(tmp_path: Path,
                                                                             mock_server: MockServer) -> None:
    """What the old install steps did (fleet.yaml and templates only): validate stops the run, in JSON."""
    etc = _install_systemd_as_documented(tmp_path, mock_server)
    shutil.rmtree(etc / "lists")
    result, _ = _run_service(tmp_path)
    assert result.returncode == 1
    lines = _assert_json_lines(result)
    assert any(KEEP_LIST in line["event"] and line["level"] == "error" for line in lines), lines
    assert lines[-1]["event"] == "validate found a problem in the fleet folder; nothing was run"
    assert http_json(f"{mock_server.url}/__mock__/state")["stores"]["shop-nl"]["login"]["attempts"] == 0
    assert not (tmp_path / "state" / "runs").exists()


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


def _archive_as_the_header_says(fleet_folder: Path, configmap: Path) -> None:
    """The cronjob.yaml header's `tar ... && kubectl create configmap ... --from-file=fleet.tar.gz`, run as
    written up to kubectl; the ConfigMap's one key becomes the file its volume shows."""
    header = (DEPLOY / "kubernetes" / "cronjob.yaml").read_text(encoding="utf-8")
    [line] = [line.lstrip("# ") for line in header.splitlines() if line.lstrip("# ").startswith("tar -czf")]
    tar, _, kubectl = line.partition(" && ")
    assert kubectl == "kubectl create configmap ecom-privacy-fleet --from-file=fleet.tar.gz"
    result = _run(tar, dict(os.environ), fleet_folder.parent)
    assert result.returncode == 0, result.stderr
    configmap.mkdir()
    (fleet_folder.parent / "fleet.tar.gz").rename(configmap / "fleet.tar.gz")


def test_kubernetes_command_as_written_with_the_history_on_postgresql(tmp_path: Path, mock_server: MockServer,
                                                                      postgres_url: str) -> None:
    cronjob, _ = _cronjob()
    pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    [init], [container] = pod["initContainers"], pod["containers"]
    locations = _locations(tmp_path)
    secrets = _fleet_folder(tmp_path / "my-fleet", mock_server)
    (tmp_path / "state").mkdir()
    _archive_as_the_header_says(tmp_path / "my-fleet", tmp_path / "configmap")
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    assert volumes["fleet-archive"]["configMap"] == {"name": "ecom-privacy-fleet"} and "emptyDir" in volumes["fleet"]
    assert {m["name"]: m["mountPath"] for m in init["volumeMounts"]} == {
        "fleet-archive": "/etc/ecom-privacy-archive", "fleet": "/etc/ecom-privacy"}
    (tmp_path / "etc").mkdir()  # the emptyDir
    unpacked = _run([_mapped(part, locations) for part in init["command"]], dict(os.environ), tmp_path)
    assert unpacked.returncode == 0, unpacked.stderr
    assert (tmp_path / "etc" / KEEP_LIST).is_file() and not (tmp_path / "etc" / ".env").exists()

    base = _base_env(tmp_path)
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
