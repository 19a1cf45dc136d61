"""What kind of test each one is, so that a run can pick (`make test-fast`) or a shared browser can serve it.

Markers are given here, by where a test lives and what it uses, rather than in every test file, so that new
tests get them without a line of their own:

- `browser`: in tests/cli, tests/flows or tests/reliability, or using the mock backoffice's server or Playwright
  (a fixture of theirs, or a module that names `MockServer` or `playwright`);
- `postgres`: using the PostgreSQL server (`postgres_server`, `postgres_url`);
- `xvfb`: its module starts Xvfb or sets `DISPLAY`: the `login` command in a real display;
- `subprocess`: its module starts processes (`subprocess`, `tests.cli_process`, a pseudo-terminal);
- `launches_browser` (set by hand, on the tests about how the tool finds and launches a browser): the tool
  launches its own Chromium there instead of connecting to the session's shared one (tests/conftest.py).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
BROWSER_FOLDERS = {"cli", "flows", "reliability"}
#: folders whose tests never need a browser, a mock, a database server or a process of their own
PURE_FOLDERS = {"unit", "corpus"}
BROWSER_FIXTURES = {"mock_server", "mock_server_session", "fleet_server", "browser", "new_context", "page",
                    "context", "store_session"}
#: a module that names the mock's server or Playwright starts or drives one
BROWSER_TEXT = re.compile(r"\bMockServer\b|\bplaywright\b")
POSTGRES_FIXTURES = {"postgres_server", "postgres_url"}
XVFB_TEXT = re.compile(r"\bXvfb\b|\"DISPLAY\"")
SUBPROCESS_TEXT = re.compile(r"\bsubprocess\b|tests\.cli_process|\bpty\b")


def folder(item: pytest.Item) -> str:
    """The folder under tests/ the test lives in ("" for a test outside it)."""
    try:
        return item.path.resolve().relative_to(TESTS).parts[0]
    except (ValueError, IndexError):
        return ""


@cache
def _module_text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def markers_for(item: pytest.Item) -> set[str]:
    where = folder(item)
    if where in PURE_FOLDERS:
        return set()
    names = set(getattr(item, "fixturenames", ()))
    text = _module_text(item.path) if item.path.suffix == ".py" else ""
    marks = set()
    if where in BROWSER_FOLDERS or names & BROWSER_FIXTURES or BROWSER_TEXT.search(text):
        marks.add("browser")
    if names & POSTGRES_FIXTURES:
        marks.add("postgres")
    if XVFB_TEXT.search(text):
        marks.add("xvfb")
    if SUBPROCESS_TEXT.search(text):
        marks.add("subprocess")
    return marks


def apply_markers(items: list[pytest.Item]) -> None:
    for item in items:
        for name in sorted(markers_for(item) - {mark.name for mark in item.iter_markers()}):
            item.add_marker(name)


#: the order a run takes the modules in: those that drive a browser or start processes (the long ones) first,
#: then the PostgreSQL ones, then the rest, each group in the usual order. With pytest-xdist's `loadfile`, a
#: worker takes the next module when it is free, so the short modules at the end fill the last minutes of
#: every worker instead of one worker finishing a long module alone.
HEAVY_MARKS = ({"browser", "xvfb", "subprocess"}, {"postgres"})


def _weight(item: pytest.Item) -> int:
    names = {mark.name for mark in item.iter_markers()}
    for group, marks in enumerate(HEAVY_MARKS):
        if names & marks:
            return group
    return len(HEAVY_MARKS)


def heavy_modules_first(items: list[pytest.Item]) -> None:
    """Reorder `items` in place: modules by their heaviest test's group (stable: same order within a group)."""
    group_of: dict[Path, int] = {}
    for item in items:
        group_of[item.path] = min(group_of.get(item.path, len(HEAVY_MARKS)), _weight(item))
    items.sort(key=lambda item: group_of[item.path])
