"""The head revisions of the shipped migrations, read from the migration files without loading Alembic.

Opening the database happens on every `status`, `history` and run; loading Alembic and every migration
script to learn that nothing needs doing cost more than the query itself. The revision graph is small and
its ids are plain constants (`revision = "..."`, `down_revision = ...`) in each file, so they are read with
`ast` here, and `open_database` compares the heads with the database's `alembic_version` rows. A test holds
this reading equal to Alembic's own `ScriptDirectory.get_heads()`, so a new migration cannot be missed.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

VERSIONS = Path(__file__).with_name("migrations") / "versions"


def _constants(path: Path) -> dict[str, object]:
    """The module-level `name = literal` assignments of one migration file."""
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8"), filename=str(path)).body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                try:
                    found[target.id] = ast.literal_eval(value)
                except ValueError:  # not a literal (a computed value): not one of Alembic's identifiers
                    continue
    return found


def _as_set(value: object) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, str):
        return {value}
    return {str(item) for item in value}  # type: ignore[attr-defined]  # a merge revision: a tuple of ids


@cache
def head_revisions(versions: Path = VERSIONS) -> frozenset[str]:
    """Every revision that no other revision builds on: what `alembic upgrade heads` ends at."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted(versions.glob("*.py")):
        constants = _constants(path)
        if not isinstance(constants.get("revision"), str):
            continue  # __init__.py and helpers: no revision of their own
        revisions.add(str(constants["revision"]))
        parents |= _as_set(constants.get("down_revision"))
    return frozenset(revisions - parents)
