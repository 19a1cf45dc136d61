"""Per-locale label tables: every visible text the tool looks for in the backoffice lives in one YAML file
per locale, so that a change of the real UI is mended with a one-file edit; where each page lives is in
`paths.yaml` (with each page's JSON twin), what is read from each twin in `twins.yaml`. A user corrects any of
them without touching the package through a `ui_overrides` file (`flows.labels.overrides`)."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

from ecom_privacy.errors import ConfigError
from ecom_privacy.labels import Labels, MissingLabelError
from ecom_privacy.yaml_input import load_yaml_file

__all__ = ["LABELS_DIR", "PATHS_FILE", "SUPPORTED_LOCALES", "TWINS_FILE", "Labels", "MissingLabelError", "labels_for",
           "shipped_paths", "shipped_table", "shipped_twins"]

LABELS_DIR = Path(__file__).parent
PATHS_FILE = LABELS_DIR / "paths.yaml"
TWINS_FILE = LABELS_DIR / "twins.yaml"
SUPPORTED_LOCALES = ("nl", "en", "de", "fr")


def table_file(locale: str) -> Path:
    if locale not in SUPPORTED_LOCALES:
        raise ValueError(f"no label table for locale {locale!r}; supported: {', '.join(SUPPORTED_LOCALES)}")
    return LABELS_DIR / f"{locale}.yaml"


@cache
def _read_table(locale: str) -> dict[str, Any]:
    # Strict: a label table is edited by hand when the backoffice's texts change; a duplicate key is an error.
    table = load_yaml_file(table_file(locale), "the label table")
    if not isinstance(table, dict):
        raise ConfigError(f"{table_file(locale)}: a label table must be a mapping")
    return table


@cache
def _read_paths() -> dict[str, str]:
    paths = load_yaml_file(PATHS_FILE, "the page paths table")
    if not isinstance(paths, dict) or not all(isinstance(v, str) for v in paths.values()):
        raise ConfigError(f"{PATHS_FILE}: must map page names to paths")
    return {str(key): value for key, value in paths.items()}


@cache
def _read_twins() -> dict[str, dict[str, Any]]:
    twins = load_yaml_file(TWINS_FILE, "the JSON twin table")
    if not isinstance(twins, dict) or not all(isinstance(v, dict) for v in twins.values()):
        raise ConfigError(f"{TWINS_FILE}: must map each twin to what is read from it")
    return twins


def shipped_twins() -> dict[str, dict[str, Any]]:
    """A copy of the shipped twin table (the caller may merge into it)."""
    return copy.deepcopy(_read_twins())


def shipped_table(locale: str) -> dict[str, Any]:
    """A copy of the shipped label table of `locale` (the caller may merge into it)."""
    return copy.deepcopy(_read_table(locale))


def shipped_paths() -> dict[str, str]:
    return dict(_read_paths())


@cache
def labels_for(locale: str) -> Labels:
    """The shipped table of `locale` with the shipped page paths (no user overrides)."""
    return Labels(locale, shipped_table(locale), table_file(locale), paths=shipped_paths(), twins=shipped_twins())
