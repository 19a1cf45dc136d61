"""Saved plans (`plan --out`, then `apply PLAN.json`): sealed when written, checked before any login.

A saved plan is the approval of an apply, so a file edited by hand must never be carried out as written.
Two layers guard it:

1. Here, before anything runs: the file is a readable plan of this format, its `plan_sha256` (a SHA-256 over
   the plan's body) is present and matches, its `fleet_sha256` is present and matches the fleet file, every
   store it names is in the fleet file (once), and every change belongs to a setting that store manages.
   The hash catches careless edits and truncation; anyone can recompute it, so it is not the whole answer.
2. In the engine, per store, after a fresh read: the changes are re-derived from the fleet file and the
   store's state and must be what the file says (see `Setting.saved_plan_mismatch`); any difference refuses
   that store, untouched, naming the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from automation.fleet.model import Fleet, StoreConfig
from automation.outputs.plan_seal import HASH_FIELD, plan_body_sha256
from automation.outputs.run_files import validated
from automation.run.shard import Shard, shard_of
from ecom_privacy.errors import ConfigError
from ecom_privacy.models import PLAN_FORMAT_VERSION, RunDocument, RunKind, StoreStatus
from ecom_privacy.yaml_input import NotTextError, TooDeepError, YamlInputError, load_json_text, read_text_file

#: a plan of thousands of stores with their subscriber lists stays well below this
MAX_PLAN_BYTES = 512 * 1024 * 1024
REPLAN = "make a new plan with 'ecom-privacy plan --out FILE'"


def _read_raw(path: Path) -> dict[str, Any]:
    """The plan through the one reader of input files (size, regular file, UTF-8, duplicate keys, depth)."""
    try:
        text = read_text_file(path, "plan file", MAX_PLAN_BYTES)
    except NotTextError as exc:
        detail = str(exc).removeprefix(f"{path}: ").removeprefix(f"{path}, ")
        raise ConfigError(f"{path}: not a JSON plan file ({detail}); {REPLAN}") from None
    try:
        raw = load_json_text(text, str(path), "the plan")
    except TooDeepError:
        raise ConfigError(f"{path}: not a plan file: nested too deeply to read; {REPLAN}") from None
    except YamlInputError as exc:
        detail = str(exc).removeprefix(f"{path}: ").removeprefix(f"{path}, ")
        raise ConfigError(f"{path}: not a JSON plan file: {detail}; {REPLAN}") from None
    found = raw.get("format_version") if isinstance(raw, dict) else None
    if isinstance(found, int) and not isinstance(found, bool) and 1 <= found < PLAN_FORMAT_VERSION:
        # Its changes are in an older shape (format 1: newsletter rows in `detail`): never guess at them.
        raise ConfigError(f"{path}: this plan was made by an older version of ecom-privacy (plan format {found}; "
                          f"this version reads {PLAN_FORMAT_VERSION}); run 'ecom-privacy plan --out {path}' again")
    if not isinstance(raw, dict) or found != PLAN_FORMAT_VERSION:
        raise ConfigError(f"{path}: unsupported plan format_version {found!r}; this version reads "
                          f"{PLAN_FORMAT_VERSION}; {REPLAN}")
    return raw


def load_saved_plan(path: Path, fleet: Fleet) -> RunDocument:
    """The plan in `path`, refused whole (one ConfigError naming the field) when it cannot be trusted."""
    raw = _read_raw(path)
    try:  # the one reader of run documents: the model in the tool's words, store ids checked
        document = validated(raw, path, "plan")
    except ConfigError as exc:
        raise ConfigError(f"{exc}; {REPLAN}") from None
    if document.kind != RunKind.PLAN:
        raise ConfigError(f"{path}: this is a {document.kind.value} report, not a plan")
    if not document.plan_sha256:
        raise ConfigError(f"{path}: {HASH_FIELD} is missing or empty, so the plan cannot be checked for edits "
                          f"(plans are written with it by 'plan --out'); {REPLAN}")
    if document.plan_sha256 != plan_body_sha256(raw):
        raise ConfigError(f"{path}: {HASH_FIELD} does not match the plan's content: the file was changed after "
                          f"'plan' wrote it; nothing was applied; {REPLAN}")
    if not document.fleet_sha256:
        raise ConfigError(f"{path}: fleet_sha256 is missing or empty, so the plan cannot be matched with the fleet "
                          f"file {fleet.path}; {REPLAN}")
    if document.fleet_sha256 != fleet.sha256:
        raise ConfigError(f"{path}: the fleet file {fleet.path} changed since this plan was made (fleet_sha256); "
                          f"run 'ecom-privacy plan --out {path}' again")
    _check_stores(path, document, fleet)
    _check_shard(path, document)
    return document


def _check_shard(path: Path, document: RunDocument) -> None:
    """A shard's plan holds only stores of that shard: re-derived from the ids (the shard a store falls to
    depends on nothing else), so an edited `"shard"` never makes an apply skip the plan's stores as "nothing
    to do"."""
    if document.shard is None:
        return
    try:
        shard = Shard.parse(document.shard)
    except ConfigError:
        raise ConfigError(f"{path}: shard: {document.shard!r} is not K/N; {REPLAN}") from None
    for index, saved in enumerate(document.stores):
        if not shard.owns(saved.id):
            raise ConfigError(f"{path}: stores[{index}].id: store {saved.id} falls to shard "
                              f"{shard_of(saved.id, shard.total)}/{shard.total}, not to this plan's shard "
                              f"{shard.label}: the plan's shard was changed after 'plan' wrote it; nothing was "
                              f"applied; {REPLAN}")


def _check_stores(path: Path, document: RunDocument, fleet: Fleet) -> None:
    known = {store.id: store for store in fleet.stores}
    seen: set[str] = set()
    for index, saved in enumerate(document.stores):
        where = f"{path}: stores[{index}]"
        store = known.get(saved.id)
        if store is None:
            raise ConfigError(f"{where}.id: store {saved.id!r} is not in the fleet file {fleet.path}; {REPLAN}")
        if saved.id in seen:
            raise ConfigError(f"{where}.id: store {saved.id!r} appears twice in the plan; {REPLAN}")
        seen.add(saved.id)
        # A store with a failed setting keeps the other settings' changes (the engine reports the failed one as
        # failed and applies the rest); a skipped store was never read, so it cannot have any.
        if saved.changes and saved.status == StoreStatus.SKIPPED:
            raise ConfigError(f"{where}.changes: the plan recorded this store as {saved.status.value} but lists "
                              f"changes for it; {REPLAN}")
        for position, change in enumerate(saved.changes):
            if change.setting not in store.desired:
                raise ConfigError(f"{where}.changes[{position}].setting: store {saved.id} does not manage "
                                  f"{change.setting!r} in the fleet file; {REPLAN}")
        for position, setting in enumerate(saved.settings):
            if setting.setting not in store.desired:
                raise ConfigError(f"{where}.settings[{position}].setting: store {saved.id} does not manage "
                                  f"{setting.setting!r} in the fleet file; {REPLAN}")


def select_from_plan(path: Path, document: RunDocument, stores: list[StoreConfig],
                     explicit: bool) -> tuple[RunDocument, list[StoreConfig]]:
    """The plan's part for the selected stores. A store named by --store/--group that the plan lacks, or a
    selection the plan holds nothing of, is an error: applying "0 stores" must not look like success."""
    planned = {saved.id for saved in document.stores}
    if explicit:
        missing = [store.id for store in stores if store.id not in planned]
        if missing:
            raise ConfigError(f"{path}: the plan has nothing for store(s) {', '.join(missing)} that the selection "
                              f"names; plan them with 'ecom-privacy plan --out' or drop them from --store/--group")
    chosen = [store for store in stores if store.id in planned]
    if not chosen:
        raise ConfigError(f"{path}: the plan holds none of the selected stores; {REPLAN}")
    wanted = {store.id for store in chosen}
    return document.model_copy(update={"stores": [s for s in document.stores if s.id in wanted]}), chosen
