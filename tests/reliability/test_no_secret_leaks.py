"""The seeded secrets and the live session cookies appear in no log line, plan, report, JUnit, HTML,
screenshot name or trace (every member of every trace zip is searched)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.reliability.conftest import SECRETS, Fleet, Run, artifact_texts


def session_cookies(session_dir: Path) -> list[str]:
    values = []
    for path in session_dir.glob("*.json"):
        values += [cookie["value"] for cookie in json.loads(path.read_text())["cookies"]]
    return values


def test_no_secret_or_session_cookie_in_any_output_or_artifact(fleet: Fleet, run: Callable[..., Run],
                                                              private_session_dir: Path) -> None:
    stores = ["alpha", "charlie-totp", "delta-broken", "echo"]
    args = [arg for store in stores for arg in ("--store", store)]
    junit = fleet.directory / "ci" / "junit.xml"
    results = [run("plan", *args, "--out", str(fleet.directory / "saved-plan.json"))]
    cookies = session_cookies(private_session_dir)  # the logins of the plan, reused by the apply
    results.append(run("apply", "--auto-approve", *args, "--junit", str(junit), "--format", "json"))
    cookies += session_cookies(private_session_dir)
    assert len(set(cookies)) >= len(stores) and all(len(value) >= 20 for value in cookies)

    run_dirs = [result.run_dir for result in results]
    files = {name: data for directory in run_dirs for name, data in artifact_texts(directory).items()}
    files[str(junit)] = junit.read_bytes()
    files["saved-plan.json"] = (fleet.directory / "saved-plan.json").read_bytes()
    for index, result in enumerate(results):
        files[f"stdout-{index}"] = result.out.encode()
        files[f"stderr-{index}"] = result.err.encode()
    # The search is only worth something if the places where a secret could hide are really there.
    names = set(files)
    for expected in ("plan.json", "report.json", "junit.xml", "report.html", "failure-cookie_law.png",
                     "trace.zip!trace.trace", "trace.zip!trace.network"):
        assert any(name.endswith(expected) for name in names), expected
    assert any(b"cookie" in data.lower() for name, data in files.items() if name.endswith("trace.network"))

    for secret in [*SECRETS, *cookies]:
        leaks = [name for name, data in files.items() if secret.encode() in data or secret in name]
        assert not leaks, f"{secret[:4]}... found in {leaks}"
