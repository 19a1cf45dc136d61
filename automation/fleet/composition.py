"""The fleet file as the tool's commands read it: checked against the settings this tool manages, with the
user's `ui_overrides`, and the `Driver` every command drives its stores with.

The one place below the CLI that reaches the composition root (`flows.registry`): the fleet loader
(`automation.fleet.model.load_fleet`) and the engine are handed the catalogue and the driver, and import no
setting (an import-linter contract and tests/unit/test_engine_imports.py check it). The CLI and the command
handlers (breach, history, after a run) import this module lazily, when a command reads a fleet file.
"""

from __future__ import annotations

from pathlib import Path

from automation.fleet.model import Fleet, load_fleet
from ecom_privacy.clock import SYSTEM_CLOCK, Clock
from ecom_privacy.driver import Driver
from ecom_privacy.setting import Setting
from flows.labels.overrides import UiOverrides, load_ui_overrides
from flows.registry import all_settings, lightspeed_ecom


def settings_catalogue() -> dict[str, Setting]:
    """Every setting a fleet file may name, by name, in the order they are read and applied."""
    return all_settings()


def read_fleet(path: Path) -> Fleet:
    """The fleet file at `path`, checked against this tool's settings (one ConfigError with every problem)."""
    return load_fleet(path, settings_catalogue())


def read_ui_overrides(fleet: Fleet, given: Path | None = None) -> UiOverrides | None:
    """The user's corrections of the label tables, page paths and JSON twins: `given` (`--ui-overrides`), else
    the fleet file's `ui_overrides`; None without either. A wrong file is a ConfigError naming file and key."""
    path = given or fleet.ui_overrides
    return load_ui_overrides(path) if path is not None else None


def fleet_driver(overrides: UiOverrides | None, clock: Clock = SYSTEM_CLOCK) -> Driver:
    """What every command drives a store with: the settings, the login flow at `clock`, and the label tables
    under `overrides` (so a correction made for a real store reaches every command)."""
    return lightspeed_ecom(overrides, clock)
