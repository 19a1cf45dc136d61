"""`ecom-privacy probe`: read-only first contact with each store.

Logs in (or reuses the cached session), visits every backoffice page the store's managed settings use and
checks every element their page objects need (each setting's `probe_targets`), without clicking anything that
saves, archives or deletes. Each visited page's ARIA snapshot and scrubbed HTML, and the scrubbed answer of its
JSON twin, go into the run directory (`probe/<store>/`), so that a store whose backoffice differs can be mended
with a ui_overrides file, or by whoever maintains the label and twin tables, from what the probe saw.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from playwright.async_api import Browser, Page
from playwright.async_api import Error as PlaywrightError
from pydantic import BaseModel, Field

from automation.access.backoffice import Backoffice, StoreAccess
from automation.browser.retry import as_typed_error
from automation.fleet.ids import safe_name
from automation.fleet.model import Fleet, StoreConfig
from automation.outputs.artifacts import RunArtifacts
from automation.outputs.logs import get_logger
from automation.outputs.render import logins_line
from automation.redaction.pages import mask_table_data, scrubbed_aria_snapshot, scrubbed_html, scrubbed_json
from automation.redaction.redactor import Redactor
from automation.run.engine import RunOptions
from automation.run.setting_phase import NOT_STARTED
from automation.run.walker import BrowserChoice, FleetWalker, StoreWork, lost_connection_result
from ecom_privacy.driver import Driver
from ecom_privacy.errors import EcomPrivacyError, ErrorKind, UiMismatchError
from ecom_privacy.labels import Labels
from ecom_privacy.models import LoginCounts, RecordedKind
from ecom_privacy.probe import ElementCheck, ProbeStatus, ProbeTarget
from ecom_privacy.setting import StoreSession

PROBE_FORMAT_VERSION = 1


class ProbeRow(BaseModel):
    """One element of one page of one store."""

    page: str
    element: str
    status: ProbeStatus
    #: the text (or, for "page address", the path) it looked for, and where that lives
    label: str | None = None
    key: str | None = None
    #: the backoffice locale whose label table was used, and the file the label came from
    locale: str
    source: str | None = None
    detail: str = ""
    #: the settings that need this page
    settings: list[str] = Field(default_factory=list)


class StoreProbe(BaseModel):
    id: str
    #: ok: every element found; missing: at least one element missing; error: the probe could not finish
    status: Literal["ok", "missing", "error"] = "ok"
    locale: str = ""
    rows: list[ProbeRow] = Field(default_factory=list)
    error: str | None = None
    error_kind: RecordedKind | None = None
    #: the store's bundle files, relative to the run directory
    bundle: list[str] = Field(default_factory=list)
    duration_s: float = 0.0
    #: what logging in cost the store (the Logins line)
    logins: LoginCounts = Field(default_factory=LoginCounts)


class ProbeDocument(BaseModel):
    format_version: int = PROBE_FORMAT_VERSION
    kind: Literal["probe"] = "probe"
    created_at: str
    fleet_file: str
    ui_overrides: str | None = None
    stores: list[StoreProbe] = Field(default_factory=list)
    #: a Ctrl-C stopped the probe before every store was probed
    interrupted: bool = False


def probe_exit_code(document: ProbeDocument) -> int:
    return 0 if all(store.status == "ok" for store in document.stores) else 1


# --- one store ------------------------------------------------------------------------------------------------
def _targets(driver: Driver, store: StoreConfig, session: StoreSession) -> list[tuple[ProbeTarget, list[str]]]:
    """Every page the store's managed settings use, once each, with the settings that need it."""
    targets: dict[str, tuple[ProbeTarget, list[str]]] = {}
    for name in store.desired:
        for target in driver.settings[name].probe_targets(session):
            targets.setdefault(target.key, (target, []))[1].append(name)
    return list(targets.values())


def _row(check: ElementCheck, page: str, labels: Labels, settings: list[str]) -> ProbeRow:
    source = labels.origin(check.key) if check.key else None
    return ProbeRow(page=page, element=check.element, status=check.status, label=check.label, key=check.key,
                    locale=labels.locale, source=str(source) if source else None, detail=check.detail,
                    settings=settings)


async def _save_snapshot(page: Page, artifacts: RunArtifacts, store_id: str, number: int, key: str,
                         redactor: Redactor, labels: Labels) -> list[str]:
    stem = f"{number:02d}-{safe_name(key.replace(':', '-'))}"
    written = []
    try:
        await mask_table_data(page, labels.texts())
        masked = ""
    except PlaywrightError as exc:  # unmasked, the store's data would be in the files: save nothing
        masked = f"# not saved: the page's table data could not be masked: {redactor(str(exc).splitlines()[0])}\n"
    for suffix, snapshot in ((".aria.yaml", scrubbed_aria_snapshot), (".html", scrubbed_html)):
        try:
            text = masked or await snapshot(page, redactor)
        except PlaywrightError as exc:  # a page that cannot be snapshot still has its checks in the table
            text = f"# not saved: {redactor(str(exc).splitlines()[0])}\n"
        path = artifacts.write_text(f"probe/{safe_name(store_id)}/{stem}{suffix}", text)
        written.append(str(path.relative_to(artifacts.root)))
    return written


async def _save_twins(target: ProbeTarget, backoffice: Backoffice, artifacts: RunArtifacts, store_id: str,
                      number: int, redactor: Redactor) -> list[str]:
    """The page's JSON twin(s), scrubbed (`<nn>-<address>.json`); one that cannot be fetched is written as why."""
    try:
        answers = await backoffice.step(target.data) if target.data else {}
    except EcomPrivacyError as exc:  # the page itself was probed; its data is a bonus
        answers = {f"{target.key}.json": {"unavailable": str(exc)}}
    written = []
    for address, answer in answers.items():
        name = f"probe/{safe_name(store_id)}/{number:02d}-{safe_name(address.replace('/', '-'))}"
        path = artifacts.write_text(name if name.endswith(".json") else f"{name}.json", scrubbed_json(answer, redactor))
        written.append(str(path.relative_to(artifacts.root)))
    return written


async def probe_store(browser: Browser, fleet: Fleet, store: StoreConfig, access: StoreAccess,
                      artifacts: RunArtifacts) -> StoreProbe:
    """Open the store's backoffice the way a run does (the command's StoreAccess: cached session, the login
    coordinator, refused-login memory; no trace) and visit every page its settings use."""
    from automation.fleet.model import plan_input_for

    started = access.clock.monotonic()
    redactor = access.redactor
    result = StoreProbe(id=store.id, locale=store.locale)
    log = get_logger(store=store.id)
    backoffice = access.backoffice(store, browser)
    try:
        session = await backoffice.open(artifacts, plan_input_for(fleet, store, access.driver.shop_labels))
        labels = session.labels
        for number, (target, settings) in enumerate(_targets(access.driver, store, session), start=1):
            try:
                checks = await backoffice.step(target.visit)
            except UiMismatchError as exc:  # a page object stopped at an element it needs to go on
                checks = [ElementCheck(exc.element, "missing", None, None, str(exc))]
            await backoffice.note_cookies()  # a re-login's new session, before anything is saved
            result.rows += [_row(check, target.page_name, labels, settings) for check in checks]
            result.bundle += await _save_snapshot(session.page, artifacts, store.id, number, target.key, redactor,
                                                  labels)
            if target.data is not None:
                result.bundle += await _save_twins(target, backoffice, artifacts, store.id, number, redactor)
        if any(row.status == "missing" for row in result.rows):
            result.status = "missing"
    except EcomPrivacyError as exc:
        result.status, result.error, result.error_kind = "error", redactor(str(exc)), exc.kind
    except Exception as exc:  # one store's surprise never stops the others
        error = as_typed_error(exc)
        result.status, result.error, result.error_kind = "error", redactor(str(error)), error.kind
    finally:
        await backoffice.close(failed=False)
    result.logins = backoffice.logins.model_copy()
    if result.rows:
        artifacts.write_json(f"probe/{safe_name(store.id)}/probe.json", result.model_dump(mode="json"))
        result.bundle.append(f"probe/{safe_name(store.id)}/probe.json")
    result.duration_s = round(access.clock.monotonic() - started, 3)
    log.info("probed", status=result.status, missing=[f"{r.page}: {r.element}" for r in result.rows
                                                      if r.status == "missing"], error=result.error)
    return result


def _stopped(store: StoreConfig, error: str, kind: ErrorKind) -> StoreProbe:
    return StoreProbe(id=store.id, locale=store.locale, status="error", error=error, error_kind=kind)


async def probe_fleet(fleet: Fleet, stores: list[StoreConfig], access: StoreAccess, artifacts: RunArtifacts,
                      options: RunOptions, ui_overrides: Path | None = None) -> ProbeDocument:
    """Every store through the fleet walker (parallelism, interrupts, a lost browser)."""
    document = ProbeDocument(created_at=options.clock.now().isoformat(timespec="seconds"), fleet_file=str(fleet.path),
                             ui_overrides=str(ui_overrides) if ui_overrides else None)
    walker = FleetWalker(BrowserChoice(options.browser_path, options.headed, options.cdp_endpoint,
                                       options.timeout_ms, options.clock), options.parallelism, options.interruption)
    lost = lost_connection_result
    document.stores = await walker.walk(stores, StoreWork(
        run=lambda store, browser: probe_store(browser, fleet, store, access, artifacts),
        lost=lambda store: _stopped(store, str(lost(store).error), ErrorKind.TRANSIENT),
        not_started=lambda store: _stopped(store, NOT_STARTED, ErrorKind.INTERRUPTED),
        describe=lambda probe: {"status": probe.status}))
    document.interrupted = options.interruption.requested
    return document


# --- output ---------------------------------------------------------------------------------------------------
_MARK = {"found": "found", "missing": "MISSING", "not checked": "not checked"}


def render_probe(document: ProbeDocument) -> str:
    """The table store x page x element: found / missing, with the label and locale looked for."""
    lines = []
    for store in document.stores:
        found = sum(row.status == "found" for row in store.rows)
        missing = sum(row.status == "missing" for row in store.rows)
        head = f"Store {store.id} (backoffice locale {store.locale or '?'}): "
        if store.status == "error":
            lines.append(head + f"probe failed ({store.error_kind}): {store.error}")
        else:
            lines.append(head + f"{found} found, {missing} missing")
        rows = [(row.page, row.element, _MARK[row.status],
                 f"{row.label!r} ({row.key}, {row.locale})" if row.label is not None else
                 (f"({row.key}, {row.locale})" if row.key else "(by markup)"))
                for row in store.rows]
        widths = [max((len(r[i]) for r in rows), default=0) for i in range(3)]
        said = ""
        for row_text, row in zip(rows, store.rows, strict=True):
            line = "  " + "  ".join(cell.ljust(width) for cell, width in zip(row_text[:3], widths, strict=True))
            lines.append(f"{line}  {row_text[3]}")
            # Why a row was not checked is said once for the rows that follow it for the same reason.
            if row.status != "found" and row.detail and (row.status == "missing" or row.detail != said):
                lines.append(f"      {row.detail}")
            said = row.detail if row.status == "not checked" else ""
        if store.bundle:
            lines.append(f"  bundle: {store.bundle[-1].rsplit('/', 1)[0]}/")
    stores_missing = [s.id for s in document.stores if s.status != "ok"]
    lines.append(f"Probed {len(document.stores)} store(s): "
                 + (f"not all found in {', '.join(stores_missing)}" if stores_missing else "every element found")
                 + (" (interrupted)" if document.interrupted else ""))
    lines.append(logins_line([store.logins for store in document.stores]))
    return "\n".join(lines)
