"""The one reader of run documents (plan.json, report.json of a run or a shard), for every command that reads one
back: `report`, `report merge`, `history import`.

A run directory may have been copied from another machine or edited by hand, so nothing in it is trusted
because of where it is: the file goes through the strict JSON reader (size, encoding, duplicate keys, depth;
ecom_privacy/yaml_input.py), the document through the model (errors in the tool's words), and every store id
and artifact path through the same rule as the fleet file (`../../etc` is never a store id, and no artifact
path leaves the run directory) before any path is made from them.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import ValidationError

from automation.fleet.ids import valid_store_id
from ecom_privacy.config_errors import describe, key_path
from ecom_privacy.errors import ConfigError
from ecom_privacy.models import RunDocument, StoreResult
from ecom_privacy.yaml_input import load_json_file

#: a report of thousands of stores with their subscriber lists stays well below this
MAX_RUN_FILE_BYTES = 512 * 1024 * 1024


def inside_run(relative: str) -> bool:
    """Whether an artifact path of a report stays inside the run directory (relative, no `..`, no link name)."""
    path = PurePosixPath(relative)
    return bool(relative) and not path.is_absolute() and ".." not in path.parts and "\\" not in relative


def check_store(store: StoreResult, where: str) -> None:
    """A store result read from a file: its id is a store id, its artifacts stay inside the run."""
    if not valid_store_id(store.id):
        raise ConfigError(f"{where}.id: {store.id!r} is not a store id (letters, digits, - _ . and no leading "
                          f"dot or slash); the file was not written by this tool as it is")
    for position, relative in enumerate(store.artifacts):
        if not inside_run(relative):
            raise ConfigError(f"{where}.artifacts[{position}]: {relative!r} is not a path inside the run "
                              f"directory; the file was not written by this tool as it is")


def validated(raw: Any, path: Path, what: str) -> RunDocument:
    """`raw` (a loaded JSON document) as a RunDocument whose ids and paths are checked."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: not a {what} of this tool (not a JSON object)")
    try:
        document = RunDocument.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(f"{path}: not a {what} of this tool: {key_path(first['loc'])}: "
                          f"{describe(first, RunDocument)}") from None
    for index, store in enumerate(document.stores):
        check_store(store, f"{path}: stores[{index}]")
    return document


def read_run_document(path: Path, what: str = "report", known_fields_only: bool = False) -> tuple[RunDocument,
                                                                                                    dict[str, Any]]:
    """The document in `path` and its raw JSON (all of it). `known_fields_only`: fields a newer version added
    are dropped rather than refused (the history keeps what it knows of any run)."""
    raw = load_json_file(path, f"the {what}", MAX_RUN_FILE_BYTES)
    known = raw
    if known_fields_only and isinstance(raw, dict):
        known = {key: value for key, value in raw.items() if key in RunDocument.model_fields}
    return validated(known, path, what), raw if isinstance(raw, dict) else {}
