"""The driver contract without exceptions: the engine and the fleet loader are handed the settings (the
catalogue, the Driver) and import none of them. Checked in a new interpreter, whose `sys.modules` names every
module the import brought in (the import-linter contract in pyproject.toml says the same for flows.registry)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from flows.registry import all_settings

ROOT = Path(__file__).resolve().parents[2]
#: the modules that define the settings the tool ships, and the composition root that lists them
SETTING_MODULES = sorted({type(setting).__module__ for setting in all_settings().values()} | {"flows.registry"})


def imported_by(statement: str) -> set[str]:
    program = f"{statement}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_the_setting_modules_are_the_shipped_ones() -> None:
    # What the checks below look for must be there to find: every setting module, seen when a command loads them.
    assert {"flows.cookie_law", "flows.analytics", "flows.privacy_policy", "flows.ccpa_page",
            "flows.newsletter_archive", "flows.registry"} <= set(SETTING_MODULES)
    assert set(SETTING_MODULES) <= imported_by("import automation.fleet.composition")


def test_importing_the_engine_the_verifier_and_the_fleet_loader_imports_no_setting() -> None:
    loaded = imported_by("import automation.run.engine, automation.run.verify, automation.fleet.model")
    assert "automation.run.engine" in loaded
    assert sorted(set(SETTING_MODULES) & loaded) == []
