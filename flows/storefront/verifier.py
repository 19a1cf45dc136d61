"""Storefront verification: what a visitor actually gets, with evidence (no login, fresh contexts).

The verifier makes the consent visit (flows/storefront/consent.py) once per store and, after each of its
phases, runs the checks the settings contributed for that stage (`Setting.storefront_checks`), in the
settings' order; it names no setting. A failing check names what it saw.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import reduce
from typing import Any

from playwright.async_api import Page

from ecom_privacy.models import CheckResult, CheckStatus
from ecom_privacy.setting import Setting
from ecom_privacy.storefront import ConsentNeeds, ConsentObservation, Stage, StorefrontCheck
from flows.content.page_languages import language_root
from flows.labels import Labels
from flows.pages.storefront_page import StorefrontPage
from flows.storefront.consent import ConsentVisit, ContextFactory, EvidenceSink, RequestLog
from flows.storefront.results import result
from flows.storefront.shop_facts import read_shop_facts, shop_languages_result

#: the storefront's label table of a shop language (bar texts, default page titles) under the user's
#: `ui_overrides` (the driver's, `Driver.shop_labels`); None when there is none
LabelsFor = Callable[[str], Labels | None]


def contributed_checks(settings: Mapping[str, Setting], desired: Mapping[str, Any],
                       languages: tuple[str, ...]) -> list[StorefrontCheck]:
    """Every setting's checks for a store, in the settings' order; a setting the store does not manage is
    asked too (with None): what every shop must show is checked all the same."""
    return [check for name, setting in settings.items()
            for check in setting.storefront_checks(desired.get(name), languages)]


class StorefrontVerifier:
    def __init__(self, new_context: ContextFactory, store_id: str, storefront_url: str, labels: Labels,
                 checks: list[StorefrontCheck], evidence: EvidenceSink, languages: tuple[str, ...],
                 labels_for_language: LabelsFor) -> None:
        self.new_context = new_context
        self.store_id = store_id
        self.storefront_url = storefront_url
        self.evidence = evidence
        self.checks = checks
        #: the shop's languages, default first (empty: one language, the labels' locale)
        self.languages = languages or (labels.locale,)
        self.labels_for_language = labels_for_language
        needs = reduce(ConsentNeeds.merge, (check.needs for check in checks), ConsentNeeds())
        self.consent = ConsentObservation(needs=needs, language=self.languages[0],
                                          labels_known=labels_for_language(self.languages[0]) is not None)
        self.results: list[CheckResult] = []
        self.phases: dict[str, Any] = {"languages": list(self.languages)}
        #: the browser page that PAGES checks read the shop in (the accepting visit's)
        self._page: Page | None = None

    # -- what a check is handed (ecom_privacy.storefront.StorefrontVisit) ----------------------------------------
    def check_name(self, name: str, language: str) -> str:
        """Per-language checks carry the language when the shop has several: `privacy_policy_public[de]`."""
        return f"{name}[{language}]" if len(self.languages) > 1 else name

    def labels(self, language: str) -> Labels | None:
        return self.labels_for_language(language)

    def storefront(self, language: str) -> StorefrontPage:
        assert self._page is not None, "the shop's pages are read in the accepting visit"
        return self._storefront(self._page, language)

    def _storefront(self, page: Page, language: str | None = None) -> StorefrontPage:
        language = language or self.languages[0]
        return StorefrontPage(page, language_root(self.storefront_url, self.languages, language),
                              self.labels_for_language(language),
                              self.consent.needs.privacy_path or "service/privacy-policy/")

    # -- the visit ---------------------------------------------------------------------------------------
    async def _stage(self, stage: Stage) -> None:
        languages = self.languages if stage == Stage.PAGES else self.languages[:1]
        for language in languages:
            for check in self.checks:
                if check.stage == stage:
                    self.results += await check.run(self, language)

    async def run(self) -> list[CheckResult]:
        visit = ConsentVisit(self.store_id, self.evidence, self.consent, self._storefront, self.phases)
        try:
            if await self._reject_visit(visit):
                await self._accept_visit(visit)
                await visit.with_gpc(self.new_context)
                await self._stage(Stage.GPC)
        except Exception as exc:  # keep the checks already made; the unfinished part is a failure of its own
            self.results.append(result("storefront_check_error", CheckStatus.FAIL,
                                       f"the checks could not finish: {str(exc).splitlines()[0]}"))
        self.evidence.save(self.store_id, "evidence.json",
                           json.dumps({"store": self.store_id, "storefront_url": self.storefront_url,
                                       "phases": self.phases,
                                       "checks": [r.model_dump(mode="json") for r in self.results]},
                                      indent=2), kind="evidence")
        return self.results

    async def _reject_visit(self, visit: ConsentVisit) -> bool:
        """First view and reject; False when the shop cannot be checked at all."""
        context = await self.new_context(None)
        try:
            page = await context.new_page()
            log = RequestLog()
            log.attach(page)
            unreachable = await visit.first_view(page, log)
            if unreachable is not None:
                self.results.append(result("storefront_reachable", CheckStatus.FAIL, unreachable))
                return False
            # The shop's own word on its languages (no backoffice needed), against the fleet file's.
            facts = await read_shop_facts(context.request, self.storefront_url)
            self.phases["shop_languages"] = list(facts.languages) if facts else None
            self.results.append(shop_languages_result(facts, self.languages))
            await self._stage(Stage.FIRST_VIEW)
            await visit.reject(page, log)
            await self._stage(Stage.AFTER_REJECT)
            return True
        finally:
            await context.close()

    async def _accept_visit(self, visit: ConsentVisit) -> None:
        """Accept in a fresh visit, then read each language's pages in it."""
        context = await self.new_context(None)
        try:
            page = await context.new_page()
            log = RequestLog()
            log.attach(page)
            await visit.accept(page, log)
            await self._stage(Stage.AFTER_ACCEPT)
            self._page = page
            await self._stage(Stage.PAGES)
        finally:
            self._page = None
            await context.close()


async def verify_storefront(new_context: ContextFactory, store_id: str, storefront_url: str, labels: Labels,
                            settings: Mapping[str, Setting], desired: Mapping[str, Any], evidence: EvidenceSink,
                            labels_for_language: LabelsFor, languages: tuple[str, ...] = ()) -> list[CheckResult]:
    """Check one storefront in every shop language (`languages`, default first; empty: the labels' locale)
    with the checks its settings contribute. `labels` is the default language's table when there is one;
    `labels_for_language` the table of each shop language, under the user's `ui_overrides`."""
    checks = contributed_checks(settings, desired, languages or (labels.locale,))
    verifier = StorefrontVerifier(new_context, store_id, storefront_url, labels, checks, evidence, languages,
                                  labels_for_language)
    return await verifier.run()
