"""`ecom-privacy export-subscribers`: the newsletter subscribers the archive rule selects, one CSV per store.

It is a plan run of the newsletter_archive setting alone, switched on for the run whatever the fleet file
says (exporting archives nothing, so it needs no opt-in), after which each store's list is written. A store
without the setting in the fleet file gets the default rule (manual or import, before 2018-05-25).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from automation.artifacts import create_exclusive, safe_name
from automation.fleet import StoreConfig
from core.models import RunDocument, StoreStatus
from flows.newsletter_archive import NAME as NEWSLETTER_ARCHIVE
from flows.newsletter_archive import NewsletterArchiveSetting, planned_rows
from flows.newsletter_archive import export_csv as newsletter_export_csv


@dataclass(frozen=True)
class StoreExport:
    store_id: str
    path: Path | None = None
    count: int = 0
    error: str | None = None


def export_stores(stores: list[StoreConfig]) -> list[StoreConfig]:
    """The stores with only newsletter_archive left in their desired state, switched on."""
    model = NewsletterArchiveSetting.desired_model
    selected = []
    for store in stores:
        desired = store.desired.get(NEWSLETTER_ARCHIVE)
        desired = model.model_validate({"enabled": True}) if desired is None else desired.model_copy(
            update={"enabled": True})
        selected.append(replace(store, desired={NEWSLETTER_ARCHIVE: desired}))
    return selected


def write_exports(document: RunDocument, out_dir: Path, redact: Callable[[str], str]) -> list[StoreExport]:
    """One `<store>-newsletter-archive.csv` per store that was read (`-2`, ... when that name is taken: an
    earlier export is never overwritten); a failed store gets no file. Files are 0600: subscriber data."""
    results = []
    for store in document.stores:
        failed = next((s for s in store.settings if s.error), None)
        if store.status != StoreStatus.OK or failed is not None:
            kind = store.error_kind or (failed.error_kind if failed else None) or "error"
            message = store.error or (failed.error if failed else None) or "not read"
            results.append(StoreExport(store.id, error=f"{kind}: {message}"))
            continue
        changes = store.changes_for(NEWSLETTER_ARCHIVE)
        out_dir.mkdir(parents=True, exist_ok=True)
        # An earlier export may be the list someone is working from: never overwrite it (-2, -3, ...).
        path = create_exclusive(out_dir / f"{safe_name(store.id)}-newsletter-archive.csv",
                                redact(newsletter_export_csv(changes)).encode("utf-8"))
        count = len(planned_rows(changes))
        results.append(StoreExport(store.id, path=path, count=count))
    return results


def render_exports(results: list[StoreExport]) -> str:
    lines = [f"{r.store_id}: FAILED ({r.error})" if r.error else
             f"{r.store_id}: {r.count} subscriber(s) the rule would archive -> {r.path}" for r in results]
    failed = sum(1 for r in results if r.error)
    lines.append(f"\nExport: {len(results)} store(s), {len(results) - failed} written, {failed} failed; "
                 f"nothing was archived")
    return "\n".join(lines)
