"""An installed copy (a wheel, `pip install .`) carries every data file the packages read at run time: each file
that is not Python source is covered by a `[tool.setuptools.package-data]` glob of its package.

Checked against the globs as setuptools expands them (recursive `**`), not by building a wheel: a build needs
the build backend from the network, and the globs are what decides. A file a glob misses would exist in a
checkout and be missing from an install (the mock's text tables, the tool's label tables, templates)."""

from __future__ import annotations

import glob
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DATA: dict[str, list[str]] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
    "tool"]["setuptools"]["package-data"]


def data_files(package: Path) -> set[str]:
    """Files under `package` that the code reads: not Python source or bytecode, not a README for developers."""
    return {str(path.relative_to(package)) for path in package.rglob("*")
            if path.is_file() and path.suffix not in (".py", ".pyc", ".md") and "__pycache__" not in path.parts}


@pytest.mark.parametrize("package", sorted(PACKAGE_DATA))
def test_every_data_file_is_covered_by_a_package_data_glob(package: str) -> None:
    root = ROOT / package
    covered = {match for pattern in PACKAGE_DATA[package]
               for match in glob.glob(pattern, root_dir=root, recursive=True) if (root / match).is_file()}
    missing = sorted(data_files(root) - covered)
    assert not missing, f"{package}: not in any package-data glob of pyproject.toml: {missing}"


def test_the_mock_text_tables_are_package_data() -> None:
    texts = sorted(path.name for path in (ROOT / "mock_backoffice" / "texts").glob("*.yaml"))
    assert texts == ["de.yaml", "en.yaml", "fr.yaml", "nl.yaml"]
    assert "texts/*.yaml" in PACKAGE_DATA["mock_backoffice"]
