"""The text pages' storefront checks, in each shop language: the privacy policy is public, linked from the
footer and holds the required elements; the CCPA page is public and linked (or, when it must be absent, not).

They run in the accepting visit's browser page, once per language, after the consent checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ecom_privacy.models import CheckResult, CheckStatus
from ecom_privacy.storefront import ConsentNeeds, Stage, StorefrontCheck, StorefrontView, StorefrontVisit
from flows.content.html_text import page_text
from flows.content.page_languages import checkable
from flows.content.privacy_elements import detect_elements
from flows.storefront.results import result

#: for a page's HTML in a language: the required elements missing from it ("id (description)"), and one
#: line of evidence per required element (see flows/content/privacy_elements.py); None when the element
#: table has no wording for that language (the content cannot be checked)
ContentCheck = Callable[[str, str], tuple[list[str], list[str]] | None]


def privacy_content_check(policy: Any) -> ContentCheck | None:
    """The content check of a managed privacy policy (its `profile` and `required` elements); None: not managed."""
    if policy is None:
        return None

    def missing(html: str, language: str) -> tuple[list[str], list[str]] | None:
        if not checkable(language):
            return None
        findings = detect_elements(page_text(html), language, policy.profile, policy.required)
        absent = [f"{f.element.id} ({f.element.description(language)})" for f in findings if not f.present]
        return absent, [finding.explain() for finding in findings]

    return missing


def privacy_policy_checks(policy: Any) -> list[StorefrontCheck]:
    """`policy`: the privacy policy's desired state, or None when not managed (the page at the default
    address must still be public)."""
    slug = getattr(policy, "slug", None) or "privacy-policy"
    return [PrivacyPolicyPublic(privacy_content_check(policy), ConsentNeeds(privacy_path=f"service/{slug}/"))]


class PrivacyPolicyPublic(StorefrontCheck):
    stage = Stage.PAGES

    def __init__(self, content_check: ContentCheck | None, needs: ConsentNeeds) -> None:
        self.content_check, self.needs = content_check, needs

    async def run(self, visit: StorefrontVisit, language: str) -> list[CheckResult]:
        storefront = visit.storefront(language)
        await storefront.open_home()
        public = visit.check_name("privacy_policy_public", language)
        content = visit.check_name("privacy_policy_content", language)
        url = storefront.privacy_policy_url
        href = await storefront.footer_link_to(url)
        response = await storefront.open(url)
        if response is None or response.status != 200:
            return [result(public, CheckStatus.FAIL, f"{url} answered {response.status if response else 'nothing'}"),
                    result(content, CheckStatus.SKIP, "the privacy policy is not public")]
        if href is None:
            found = result(public, CheckStatus.FAIL, f"the footer of {storefront.storefront_url} has no link to {url}")
        else:
            found = result(public, CheckStatus.PASS, f"public and linked from the footer: {href}")
        return [found, await self._content(content, storefront, language)]

    async def _content(self, name: str, storefront: StorefrontView, language: str) -> CheckResult:
        if self.content_check is None:
            return result(name, CheckStatus.SKIP, "privacy_policy is not managed")
        outcome = self.content_check(await storefront.main_html(), language)
        if outcome is None:
            return result(name, CheckStatus.WARN, f"not checked: the required-elements table "
                          f"(flows/content/privacy_elements.yaml) has no wording for language {language!r}")
        missing, evidence = outcome
        if missing:
            return result(name, CheckStatus.FAIL, f"required elements missing ({language}): " + ", ".join(missing),
                          evidence)
        return result(name, CheckStatus.PASS, f"every required element is present ({language})", evidence)


def ccpa_page_checks(ccpa: Any, languages: tuple[str, ...]) -> list[StorefrontCheck]:
    """`ccpa`: the CCPA page's desired state, or None when not managed (then reported as skipped)."""
    slug = getattr(ccpa, "slug", None)
    wanted = {"present": True, "absent": False}.get(getattr(ccpa, "state", None) or "")
    return [CcpaPagePublic(wanted, f"service/{slug}/" if slug else None, dict(getattr(ccpa, "title", None) or {}))]


class CcpaPagePublic(StorefrontCheck):
    stage = Stage.PAGES

    def __init__(self, wanted: bool | None, path: str | None, titles: dict[str, str]) -> None:
        """`wanted`: True: public and linked; False: not public; None: not checked. `path`: its address under
        each language's root when its slug is known (else found by its title: `titles`, the fleet file's per
        language, else the label table's default, under the user's `ui_overrides`)."""
        self.wanted, self.path, self.titles = wanted, path, titles

    async def run(self, visit: StorefrontVisit, language: str) -> list[CheckResult]:
        name = visit.check_name("ccpa_page_public", language)
        if self.wanted is None:
            return [result(name, CheckStatus.SKIP, "the CCPA page is not managed for this store")]
        storefront = visit.storefront(language)
        await storefront.open_home()
        labels = visit.labels(language)
        title = self.titles.get(language) or (labels["content_pages.ccpa_title"] if labels is not None else None)
        href = None
        if self.path:
            href = await storefront.footer_link_to(storefront.storefront_url + self.path)
        if href is None and title:
            href = await storefront.footer_link(title)
        wanted = " or ".join(part for part in (self.path and f"to {self.path}", title and f"'{title}'") if part)
        if self.wanted is False:
            status = CheckStatus.PASS if href is None else CheckStatus.FAIL
            return [result(name, status, "not public, as desired" if href is None else f"still public at {href}")]
        if href is None:
            return [result(name, CheckStatus.FAIL, f"the footer of {storefront.storefront_url} has no link {wanted}")]
        response = await storefront.open(href)
        if response is None or response.status != 200:
            return [result(name, CheckStatus.FAIL, f"{href} answered {response.status if response else 'nothing'}")]
        return [result(name, CheckStatus.PASS, f"public and linked from the footer: {href}")]
