"""`ecom-privacy verify`: check what a visitor of each live storefront actually gets, with evidence.

One browser, fresh contexts per phase and store (no login, no cookies), walked like every command's stores
(automation.run.walker: bounded parallelism, interrupts, a lost browser). Requests to any other host than
the shop's are blocked and listed, so a check never sends traffic to third parties.
"""

from __future__ import annotations

from playwright.async_api import Browser, BrowserContext

from automation.browser.launch import new_storefront_context
from automation.browser.retry import as_typed_error
from automation.fleet.model import Fleet, StoreConfig
from automation.outputs.artifacts import RunArtifacts
from automation.outputs.logs import get_logger
from automation.run.engine import RunOptions
from automation.run.walker import BrowserChoice, FleetWalker, StoreWork, lost_connection_result, not_started_result
from ecom_privacy.driver import Driver
from ecom_privacy.models import CheckStatus, RunDocument, RunKind, StoreResult, StoreStatus, new_run_id
from flows.storefront.verifier import verify_storefront


async def verify_store(browser: Browser, store: StoreConfig, artifacts: RunArtifacts,
                       options: RunOptions, driver: Driver) -> StoreResult:
    result = StoreResult(id=store.id)
    started = options.clock.monotonic()
    blocked: list[str] = []

    async def new_context(headers: dict[str, str] | None) -> BrowserContext:
        return await new_storefront_context(browser, store.shop_languages[0], store.storefront_url,
                                            options.timeout_ms, headers, blocked)

    try:
        language = store.shop_languages[0]
        labels = driver.labels(language, store.locale)
        result.checks = await verify_storefront(new_context, store.id, store.storefront_url, labels,
                                                driver.settings, store.desired, artifacts,
                                                driver.shop_labels, languages=store.shop_languages)
    except Exception as exc:  # one store's broken shop never stops the others
        error = as_typed_error(exc)
        result.status = StoreStatus.ERROR
        result.error = f"storefront check could not finish: {error}"
        result.error_kind, result.storefront_error = error.kind, True
    if blocked:
        artifacts.write_json(f"evidence/{store.id}/blocked-requests.json", sorted(set(blocked)))
    if any(check.status == CheckStatus.FAIL for check in result.checks):
        result.status = StoreStatus.ERROR
    evidence = artifacts.store_dir("evidence", store.id)
    if evidence.is_dir():
        result.artifacts += sorted(str(p.relative_to(artifacts.root)) for p in evidence.iterdir())
    result.duration_s = round(options.clock.monotonic() - started, 3)
    get_logger(store=store.id).info("verified", languages=list(store.shop_languages),
                                    failed=[c.name for c in result.checks if c.status == "fail"])
    return result


async def verify_fleet(fleet: Fleet, stores: list[StoreConfig], artifacts: RunArtifacts,
                       options: RunOptions, driver: Driver) -> RunDocument:
    """Every store's storefront through the fleet walker (parallelism, interrupts, a lost browser, progress)."""
    document = RunDocument(kind=RunKind.VERIFY, created_at=options.clock.now().isoformat(timespec="seconds"),
                           run_id=new_run_id(), fleet_file=str(fleet.path), fleet_sha256=fleet.sha256)
    walker = FleetWalker(BrowserChoice(options.browser_path, options.headed, options.cdp_endpoint,
                                       options.timeout_ms, options.clock), options.parallelism, options.interruption,
                         options.on_store_start, options.on_store_done)
    document.stores = await walker.walk(stores, StoreWork(
        run=lambda store, browser: verify_store(browser, store, artifacts, options, driver),
        lost=lambda store: lost_connection_result(store).model_copy(update={"settings": []}),
        not_started=lambda store: not_started_result(store).model_copy(update={"settings": []}),
        describe=lambda result: {"status": result.status.value, "duration_s": result.duration_s}))
    document.interrupted = options.interruption.requested
    return document


def verify_exit_code(document: RunDocument) -> int:
    return 1 if any(store.status != StoreStatus.OK for store in document.stores) else 0
