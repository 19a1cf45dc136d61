"""`ecom-privacy probe`: read-only first contact with each store.

Logs in (or reuses the cached session), visits every backoffice page the store's managed settings use and
checks every element their page objects need (each setting's `probe_targets`), without clicking anything that
saves, archives or deletes. Each visited page's ARIA snapshot and scrubbed HTML go into the run directory
(`probe/<store>/`), so that a store whose backoffice differs can be mended with a ui_overrides file, or by
whoever maintains the label tables, from what the probe saw.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from playwright.async_api import Error as PlaywrightError
from pydantic import BaseModel, Field

from automation.access.secrets import resolve_secrets
from automation.browser.launch import new_store_context
from automation.browser.retry import as_typed_error, retry_transient
from automation.browser.source import BrowserSource
from automation.fleet.ids import safe_name
from automation.fleet.model import Fleet, StoreConfig
from automation.outputs.artifacts import RunArtifacts
from automation.outputs.logs import get_logger
from automation.redaction.pages import mask_table_data, scrubbed_aria_snapshot, scrubbed_html
from automation.redaction.redactor import Redactor
from automation.run.engine import RunOptions
from ecom_privacy.driver import Driver
from ecom_privacy.errors import EcomPrivacyError, SessionExpiredError, UiMismatchError
from ecom_privacy.labels import Labels
from ecom_privacy.models import LoginSecrets
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
    error_kind: str | None = None
    #: the store's bundle files, relative to the run directory
    bundle: list[str] = Field(default_factory=list)
    duration_s: float = 0.0


class ProbeDocument(BaseModel):
    format_version: int = PROBE_FORMAT_VERSION
    kind: Literal["probe"] = "probe"
    created_at: str
    fleet_file: str
    ui_overrides: str | None = None
    stores: list[StoreProbe] = Field(default_factory=list)


def probe_exit_code(document: ProbeDocument) -> int:
    return 0 if all(store.status == "ok" for store in document.stores) else 1


# --- the way in: one function, so a new login (Lightspeed ID) or session object replaces only this -----------
@dataclass
class BackofficeAccess:
    """A store's logged-in backoffice page, and how to log in again when the session is lost mid-probe."""

    context: BrowserContext
    page: Page
    login_again: Callable[[], Awaitable[None]]


async def open_backoffice(browser: Browser, store: StoreConfig, secrets: LoginSecrets, labels: Labels,
                          driver: Driver, options: RunOptions, redactor: Redactor) -> BackofficeAccess:
    """The store's backoffice exactly as a run opens it (`BackofficeSession`): the cached session when there is
    one (proved by the first page; a refused one raises SessionExpiredError there, and `login_again` logs in),
    else the driver's login flow; a login refused before is not tried again, a refusal now is remembered, and
    every cookie value is given to the redactor. No trace: a probe records none."""
    from automation.access.backoffice_session import BackofficeSession
    from automation.access.login_chain import ChainLogin, IdentitySessions, RecoveryCodeLedger
    from automation.access.session_cache import RefusedLogins, SessionCache
    from automation.browser.tracing import StoreTrace

    cache = options.session_cache or SessionCache(Path("."), enabled=False)
    session = BackofficeSession(
        store_id=store.id, backoffice_url=store.backoffice_url, locale=store.locale, driver=driver,
        secrets=lambda: secrets,
        open_context=lambda cached: new_store_context(browser, store.locale, options.timeout_ms,
                                                      storage_state=cached),  # type: ignore[arg-type]
        # Refusals are remembered even with --no-session-cache (a disabled cache still names the session folder).
        cache=cache, refused=RefusedLogins(cache.directory, clock=options.clock), redactor=redactor,
        attempts=options.attempts,
        log=get_logger(store=store.id),
        trace_for=lambda context: StoreTrace(context, lambda: Path("."), enabled=False),
        # the recovery codes a run spent are skipped here too (a spent one would be a refused code)
        chain_login=ChainLogin(IdentitySessions(), RecoveryCodeLedger(cache.directory), redactor, options.attempts),
    )
    try:
        page = await session.open()
    except BaseException:
        if session.context is not None:
            await session.context.close()
        raise
    assert session.context is not None
    return BackofficeAccess(session.context, page, lambda: session.login("session lost, logging in again"))


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


async def probe_store(browser: Browser, fleet: Fleet, store: StoreConfig, env: Mapping[str, str],
                      artifacts: RunArtifacts, redactor: Redactor, options: RunOptions,
                      driver: Driver) -> StoreProbe:
    from automation.fleet.model import plan_input_for

    started = options.clock.monotonic()
    result = StoreProbe(id=store.id, locale=store.locale)
    log = get_logger(store=store.id)
    access: BackofficeAccess | None = None
    try:
        secrets = resolve_secrets(store, env, options.env_file)
        redactor.add_login(secrets)
        labels = driver.labels_for(store.locale)
        access = await open_backoffice(browser, store, secrets, labels, driver, options, redactor)
        session = StoreSession(page=access.page, store_id=store.id, locale=store.locale,
                               backoffice_url=store.backoffice_url, storefront_url=store.storefront_url,
                               labels=labels, artifacts=artifacts, plan_input=plan_input_for(fleet, store),
                               clock=options.clock)

        async def again(exc: BaseException) -> None:
            if isinstance(exc, SessionExpiredError) and access is not None:
                await access.login_again()

        for number, (target, settings) in enumerate(_targets(driver, store, session), start=1):
            try:
                checks = await retry_transient(target.visit, attempts=options.attempts, before_retry=again)
            except UiMismatchError as exc:  # a page object stopped at an element it needs to go on
                checks = [ElementCheck(exc.element, "missing", None, None, str(exc))]
            for cookie in await access.context.cookies():  # a re-login's new session, before anything is saved
                redactor.add(cookie.get("value"))
            result.rows += [_row(check, target.page_name, labels, settings) for check in checks]
            result.bundle += await _save_snapshot(access.page, artifacts, store.id, number, target.key, redactor,
                                                  labels)
        if any(row.status == "missing" for row in result.rows):
            result.status = "missing"
    except EcomPrivacyError as exc:
        result.status, result.error, result.error_kind = "error", redactor(str(exc)), exc.kind
    except Exception as exc:  # one store's surprise never stops the others
        error = as_typed_error(exc)
        result.status, result.error = "error", redactor(str(error) or type(error).__name__)
        result.error_kind = getattr(error, "kind", type(error).__name__)
    finally:
        if access is not None:
            try:
                await access.context.close()
            except Exception:  # the browser may be gone already
                log.debug("context already closed")
    if result.rows:
        artifacts.write_json(f"probe/{safe_name(store.id)}/probe.json", result.model_dump(mode="json"))
        result.bundle.append(f"probe/{safe_name(store.id)}/probe.json")
    result.duration_s = round(options.clock.monotonic() - started, 3)
    log.info("probed", status=result.status, missing=[f"{r.page}: {r.element}" for r in result.rows
                                                      if r.status == "missing"], error=result.error)
    return result


async def probe_fleet(fleet: Fleet, stores: list[StoreConfig], env: Mapping[str, str], artifacts: RunArtifacts,
                      redactor: Redactor, options: RunOptions, driver: Driver,
                      ui_overrides: Path | None = None) -> ProbeDocument:
    document = ProbeDocument(created_at=options.clock.now().isoformat(timespec="seconds"), fleet_file=str(fleet.path),
                             ui_overrides=str(ui_overrides) if ui_overrides else None)
    async with async_playwright() as playwright:
        source = BrowserSource(playwright, options.browser_path, options.headed, options.cdp_endpoint,
                               options.timeout_ms, clock=options.clock)
        try:
            semaphore = asyncio.Semaphore(max(1, options.parallelism))

            async def one(store: StoreConfig) -> StoreProbe:
                async with semaphore:
                    return await probe_store(await source.get(), fleet, store, env, artifacts, redactor, options,
                                             driver)

            document.stores = list(await asyncio.gather(*(one(store) for store in stores)))
        finally:
            await source.close()
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
                 + (f"not all found in {', '.join(stores_missing)}" if stores_missing else "every element found"))
    return "\n".join(lines)
