"""`ecom-privacy export-subscribers`: the files the settings export, one per setting and store.

It is a plan run of only the settings that export something (today newsletter_archive: the subscribers its
rule selects, as CSV), each with the desired state it gives for an export (`Setting.export_desired`),
after which each store's files are written from the planned changes (`Setting.exports`). Nothing is
applied, so nothing is archived; no setting is named here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from automation.fleet.ids import safe_name
from automation.fleet.model import StoreConfig
from automation.outputs.artifacts import create_exclusive
from ecom_privacy.errors import ErrorKind
from ecom_privacy.models import RunDocument, StoreStatus
from ecom_privacy.setting import Setting


@dataclass(frozen=True)
class StoreExport:
    store_id: str
    path: Path | None = None
    count: int = 0
    #: what the file lists, after the count
    what: str = ""
    error: str | None = None


def export_stores(stores: list[StoreConfig], settings: Mapping[str, Setting]) -> list[StoreConfig]:
    """The stores with only the exporting settings left in their desired state, as those settings export."""
    selected = []
    for store in stores:
        desired = {name: wanted for name, setting in settings.items()
                   if (wanted := setting.export_desired(store.desired.get(name))) is not None}
        selected.append(replace(store, desired=desired))
    return selected


def write_exports(document: RunDocument, out_dir: Path, redact: Callable[[str], str],
                  settings: Mapping[str, Setting]) -> list[StoreExport]:
    """Each store's export files, `<store>-<name>` (`-2`, ... when that name is taken: an earlier export is
    never overwritten); a failed store gets no file. Files are 0600: subscriber data."""
    results = []
    for store in document.stores:
        failed = next((s for s in store.settings if s.error), None)
        if store.status != StoreStatus.OK or failed is not None:
            kind = store.error_kind or (failed.error_kind if failed else None) or ErrorKind.ERROR
            message = store.error or (failed.error if failed else None) or "not read"
            results.append(StoreExport(store.id, error=f"{kind}: {message}"))
            continue
        for outcome in store.settings:
            for export in settings[outcome.setting].exports(store.changes_for(outcome.setting)):
                out_dir.mkdir(parents=True, exist_ok=True)
                # An earlier export may be the list someone is working from: never overwrite it (-2, -3, ...).
                path = create_exclusive(out_dir / f"{safe_name(store.id)}-{export.name}",
                                        redact(export.content).encode("utf-8"))
                results.append(StoreExport(store.id, path=path, count=export.count, what=export.what))
    return results


def render_exports(results: list[StoreExport]) -> str:
    lines = [f"{r.store_id}: FAILED ({r.error})" if r.error else f"{r.store_id}: {r.count} {r.what} -> {r.path}"
             for r in results]
    stores = list(dict.fromkeys(r.store_id for r in results))
    failed = len({r.store_id for r in results if r.error})
    lines.append(f"\nExport: {len(stores)} store(s), {len(stores) - failed} written, {failed} failed; "
                 f"nothing was archived")
    return "\n".join(lines)
