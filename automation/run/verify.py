"""`ecom-privacy verify`: check what a visitor of each live storefront actually gets, with evidence.

One browser, fresh contexts per phase and store (no login, no cookies), bounded parallelism. Requests to
any other host than the shop's are blocked and listed, so a check never sends traffic to third parties.
"""

from __future__ import annotations

import asyncio

from playwright.async_api import Browser, BrowserContext, async_playwright

from automation.browser.launch import new_storefront_context
from automation.browser.retry import as_typed_error
from automation.browser.source import BrowserSource
from automation.fleet.model import Fleet, StoreConfig
from automation.outputs.artifacts import RunArtifacts
from automation.outputs.logs import get_logger
from automation.run.engine import RunOptions
from ecom_privacy.driver import Driver
from ecom_privacy.models import CheckStatus, RunDocument, RunKind, StoreResult, StoreStatus
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
                                                languages=store.shop_languages)
    except Exception as exc:  # one store's broken shop never stops the others
        error = as_typed_error(exc)
        result.status = StoreStatus.ERROR
        result.error = f"storefront check could not finish: {error}"
        result.error_kind = getattr(error, "kind", type(error).__name__)
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
    document = RunDocument(kind=RunKind.VERIFY, created_at=options.clock.now().isoformat(timespec="seconds"),
                           fleet_file=str(fleet.path), fleet_sha256=fleet.sha256)
    async with async_playwright() as playwright:
        source = BrowserSource(playwright, options.browser_path, options.headed, options.cdp_endpoint,
                               options.timeout_ms, clock=options.clock)
        try:
            semaphore = asyncio.Semaphore(max(1, options.parallelism))

            async def one(store: StoreConfig) -> StoreResult:
                async with semaphore:
                    result = await verify_store(await source.get(), store, artifacts, options, driver)
                if options.on_store_done:
                    options.on_store_done(result)  # the progress record of a shard
                return result

            document.stores = list(await asyncio.gather(*(one(store) for store in stores)))
        finally:
            await source.close()
    return document


def verify_exit_code(document: RunDocument) -> int:
    return 1 if any(store.status != StoreStatus.OK for store in document.stores) else 0
