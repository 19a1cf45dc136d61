"""Flask is for the mock only: a plain `pip install ecom-privacy` does not pull it, and the tool works without it.

The installed distribution's own metadata is read (what pip resolves), and the installed `ecom-privacy`
command is run in a new process in which Flask cannot be found: a `sitecustomize` module (imported by Python
at start-up, before anything else) takes the import system's path finder out and puts one in its place that
does not see `flask` or `werkzeug`, so both look exactly as they do when they are not installed.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.support import write_fleet

ROOT = Path(__file__).resolve().parents[2]
DISTRIBUTION = "ecom-privacy"
MOCK_ONLY = {"flask", "werkzeug"}

HIDE_FLASK = '''\
"""Test start-up hook: Flask and Werkzeug look uninstalled in this process."""
import sys
from importlib.machinery import PathFinder

HIDDEN = {"flask", "werkzeug"}


class WithoutFlask(PathFinder):
    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if fullname.split(".")[0] in HIDDEN:
            return None
        return super().find_spec(fullname, path, target)


sys.meta_path[:] = [WithoutFlask if finder is PathFinder else finder for finder in sys.meta_path]
'''


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def dependency_closure(distribution: str, extras: frozenset[str] = frozenset()) -> set[str]:
    """Every distribution that installing `distribution[extras]` pulls in, read from the installed metadata."""
    seen: set[tuple[str, frozenset[str]]] = set()
    pending = [(distribution, extras)]
    while pending:
        name, wanted = pending.pop()
        try:
            requirements = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue  # for another platform or Python: not installed here, and not pulled here either
        for text in requirements:
            requirement = Requirement(text)
            marker = requirement.marker
            if marker and not any(marker.evaluate({"extra": extra}) for extra in (wanted or {""})):
                continue
            key = (normalized(requirement.name), frozenset(requirement.extras))
            if key not in seen:
                seen.add(key)
                pending.append(key)
    return {name for name, _ in seen}


def test_the_metadata_lists_flask_only_under_the_mock_extra() -> None:
    flask = [Requirement(text) for text in importlib.metadata.requires(DISTRIBUTION) or []
             if normalized(Requirement(text).name) == "flask"]
    assert flask, "flask is not in the metadata at all: `ecom-privacy mock` could not be installed"
    for requirement in flask:
        assert requirement.marker is not None, f"{requirement} is installed by every `pip install {DISTRIBUTION}`"
        assert requirement.marker.evaluate({"extra": "mock"})
        assert not requirement.marker.evaluate({"extra": ""})
        assert not requirement.marker.evaluate({"extra": "dev"})  # dev has it through ecom-privacy[mock]


def test_a_plain_install_pulls_no_flask_and_the_extras_do() -> None:
    assert not MOCK_ONLY & dependency_closure(DISTRIBUTION), "a dependency of the plain install pulls Flask"
    assert dependency_closure(DISTRIBUTION, frozenset({"mock"})) >= MOCK_ONLY
    assert dependency_closure(DISTRIBUTION, frozenset({"dev"})) >= MOCK_ONLY  # what `make` installs


@pytest.fixture
def without_flask(tmp_path: Path) -> dict[str, str]:
    """The environment of a process in which Flask and Werkzeug cannot be imported."""
    hook = tmp_path / "hide-flask"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(HIDE_FLASK, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hook), str(ROOT)])}
    probe = subprocess.run([sys.executable, "-c", "import flask"], env=env, capture_output=True, text=True,
                           timeout=60)
    assert probe.returncode == 1 and "No module named 'flask'" in probe.stderr, probe.stderr  # the hiding works
    return env


def ecom_privacy(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user runs it."""
    script = Path(sys.executable).parent / "ecom-privacy"
    command = [str(script)] if script.is_file() else [shutil.which("ecom-privacy") or "ecom-privacy"]
    return subprocess.run([*command, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_mock_without_flask_exits_1_with_the_one_line_install_hint(without_flask: dict[str, str],
                                                                   tmp_path: Path) -> None:
    result = ecom_privacy("mock", "--port", "0", env=without_flask, cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # a hint, not a traceback
    assert "needs Flask" in lines[0] and "pip install 'ecom-privacy[mock]'" in lines[0]


def test_help_validate_and_the_engine_work_without_flask(without_flask: dict[str, str], tmp_path: Path) -> None:
    helped = ecom_privacy("--help", env=without_flask, cwd=tmp_path)
    assert helped.returncode == 0 and "validate" in helped.stdout, helped.stderr
    fleet = write_fleet(tmp_path, "http://127.0.0.1:9", {"cookie_law": {"mode": "confirm"}})
    validated = ecom_privacy("validate", "-c", str(fleet), "--env-file", str(tmp_path / ".env"),
                             env=without_flask, cwd=tmp_path)
    assert validated.returncode == 0, validated.stderr
    assert "valid: 4 store(s)" in validated.stdout
    # what plan, apply and verify load, loaded for real: no module of the tool imports Flask on the way
    imported = subprocess.run(
        [sys.executable, "-c", "import automation.cli, automation.run.engine, automation.run.verify, flows.registry; "
                               "import sys; print(sorted(m for m in sys.modules if m.split('.')[0] in "
                               "{'flask', 'werkzeug'}))"],
        env=without_flask, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "[]"
