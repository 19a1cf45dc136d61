"""Alert kinds are `EventKind` members from the fleet file to the database and back (#23 item 3): the alert
code names no kind by a bare string."""

from __future__ import annotations

import ast
from pathlib import Path

from automation.fleet.notify import ALL_KINDS, EventKind, NotifyConfig

ROOT = Path(__file__).resolve().parents[2]
#: the code that opens, clears, orders and words problems by their kind
ALERT_CODE = [*sorted((ROOT / "automation" / "alerts").glob("*.py")), ROOT / "automation" / "breach" / "alerts.py"]


def test_the_fleet_files_words_read_as_event_kinds() -> None:
    config = NotifyConfig(urls_env=["URL"], events=["drift", "breach_deadline"])
    assert config.events == [EventKind.DRIFT, EventKind.BREACH_DEADLINE]
    assert all(isinstance(kind, EventKind) for kind in config.events)
    assert NotifyConfig(urls_env=["URL"]).events == list(ALL_KINDS)


def _bare_kinds(source: str) -> list[tuple[int, str]]:
    """Strings equal to a kind, except the words a label table gives a kind (a dict's values: display text)."""
    tree = ast.parse(source)
    words = {id(value) for node in ast.walk(tree) if isinstance(node, ast.Dict) for value in node.values}
    values = {kind.value for kind in EventKind}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in values and id(node) not in words]


def test_the_guard_finds_a_kind_compared_keyed_or_listed_as_a_string() -> None:
    found = _bare_kinds('if kind == "drift": pass\nkey = ("failed", store, "")\nORDER = {"breach_deadline": 0}\n'
                        'LABELS = {EventKind.FAILED: "failed"}\n')
    assert sorted(found) == [(1, "drift"), (2, "failed"), (3, "breach_deadline")]


def test_no_alert_code_names_a_kind_by_a_bare_string() -> None:
    bare = [f"{path.relative_to(ROOT)}:{line}: {value!r}"
            for path in ALERT_CODE for line, value in _bare_kinds(path.read_text(encoding="utf-8"))]
    assert bare == [], "name the kind as EventKind.X"
