"""No behaviour is decided by the wording of a message (#23 item 3): the code of ecom_privacy/, automation/ and
flows/ never tests an error, message or reason string with `.startswith(`/`.endswith(` or `"..." in`; what
decides is a type, an enum or a field. Reworded messages then change nothing but what people read.

What counts as a message is read off the name the text is held in (`error`, `message`, `reason`, `detail`,
`summary`, `hint`, `exc`, `str(exc)`, ...): a heuristic that catches the habit, with a short allow-list below
for the places where the text is not ours to type.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("ecom_privacy", "automation", "flows")
#: names that hold a human-readable message (the last part of a dotted name, or the argument of str()/repr())
MESSAGE_NAME = re.compile(r"(error|message|msg|reason|detail|hint|summary|exc|stderr)s?$", re.IGNORECASE)

#: (file, the expression as reported) -> why it is not a decision taken on one of our messages
ALLOWED = {
    # pydantic's own wording ("Input should be ...") reworded for display: nothing is decided on it
    ("ecom_privacy/config_errors.py", "message.startswith"): "rewording pydantic's text for display",
    # Playwright has no type for a failed connection: its message is the only signal (retry.py's mapping is
    # the runs' one reading; a page object's navigation needs it before a run's retry sees the error)
    ("flows/pages/base.py", "'...' in str(exc)"): "Playwright gives no type for a failed connection",
    # a migration reads the one wording old rows have, once, in SQL, so that no code reads it again
    ("automation/db/migrations/versions/history_0004_problem_blocked.py", "problems.c.message.endswith"):
        "migrating old rows to the typed column",
}


def _name(node: ast.AST) -> str:
    """A readable name of the expression a string method is called on (`store.error`, `str(exc)`)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_name(node.value)}.{node.attr}"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("str", "repr") \
            and node.args:
        return f"{node.func.id}({_name(node.args[0])})"
    if isinstance(node, ast.BoolOp):  # (error or "").startswith(...)
        return " or ".join(name for name in map(_name, node.values) if name)
    if isinstance(node, ast.Subscript):
        return _name(node.value)
    return ""


def _is_message(name: str) -> bool:
    parts = re.split(r" or |[.()\s]", name)
    return any(MESSAGE_NAME.search(part) for part in parts if part)


def message_matches(source: str) -> list[tuple[int, str]]:
    """(line, expression) of every test of a message's wording in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("startswith", "endswith") and _is_message(_name(node.func.value)):
            found.append((node.lineno, f"{_name(node.func.value)}.{node.func.attr}"))
        elif isinstance(node, ast.Compare) and isinstance(node.left, (ast.Constant, ast.JoinedStr)):
            for op, right in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, ast.In | ast.NotIn) and _is_message(_name(right)):
                    found.append((node.lineno, f"'...' in {_name(right)}"))
    return sorted(found)


@cache
def every_match(root: Path = ROOT) -> tuple[tuple[str, int, str], ...]:
    """(file, line, expression) of every match in the tool's code under `root`."""
    return tuple((path.relative_to(root).as_posix(), line, expression)
                 for folder in FOLDERS for path in sorted((root / folder).rglob("*.py"))
                 for line, expression in message_matches(path.read_text(encoding="utf-8")))


def offenders(root: Path = ROOT) -> list[str]:
    return [f"{relative}:{line}: {expression}" for relative, line, expression in every_match(root)
            if (relative, expression) not in ALLOWED]


def test_no_behaviour_is_decided_by_a_messages_wording() -> None:
    assert offenders() == [], "decide by a type, an enum or a field, not by a message's wording"


def test_the_guard_sees_the_shapes_it_is_about() -> None:
    caught = message_matches(
        'if (error or "").startswith("not read"): pass\n'
        'if store.error.startswith("storefront"): pass\n'
        'ok = row.message.endswith(BLOCKED)\n'
        'if "net::ERR_" in str(exc): pass\n'
        'if "nested" in detail: pass\n')
    assert [expression for _, expression in caught] == [
        "error.startswith", "store.error.startswith", "row.message.endswith", "'...' in str(exc)",
        "'...' in detail"]
    assert message_matches('if url.startswith("https://"): pass\nif "\\x00" in text: pass\n'
                           'if path.name.endswith(".json"): pass\n') == []


def test_every_allowance_is_still_needed() -> None:
    seen = {(relative, expression) for relative, _, expression in every_match(ROOT)}
    assert set(ALLOWED) <= seen, set(ALLOWED) - seen
