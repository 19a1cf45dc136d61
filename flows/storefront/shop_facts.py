"""What a storefront says about itself, without the backoffice: its languages (any page with `?format=json`:
`shop.languages`) and the platform cluster it runs on (`/whois.json`: `clusterId`). Public code written against
real stores reads both; the names inside `shop.languages` beyond the language codes are guesses.

`verify` compares the shop's languages with the fleet file's `languages`, so a shop that gained or lost a language
is noticed before a page is left untranslated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from playwright.async_api import APIRequestContext
from playwright.async_api import Error as PlaywrightError

from ecom_privacy.models import CheckResult, CheckStatus
from flows.storefront.results import result


@dataclass(frozen=True)
class ShopFacts:
    #: the shop's languages, the default first (as far as the answer says which is the default)
    languages: tuple[str, ...]
    #: eu1 / us1, or None when /whois.json does not say
    cluster: str | None = None


async def _json(request: APIRequestContext, url: str) -> Any:
    try:
        response = await request.get(url, fail_on_status_code=False, headers={"Accept": "application/json"})
    except PlaywrightError:
        return None
    try:
        return json.loads(await response.body()) if response.status == 200 else None
    except ValueError:
        return None
    finally:
        await response.dispose()


def languages_of(data: Any) -> tuple[str, ...]:
    """The codes of `shop.languages` (a mapping by code, or a list of objects with `code`), default first."""
    shop = data.get("shop") if isinstance(data, dict) else None
    found = shop.get("languages") if isinstance(shop, dict) else None
    items = list(found.values()) if isinstance(found, dict) else found if isinstance(found, list) else []
    codes = [(str(item.get("code")), bool(item.get("default"))) for item in items
             if isinstance(item, dict) and isinstance(item.get("code"), str)]
    if not codes and isinstance(found, dict):
        codes = [(str(code), False) for code in found]
    ordered = sorted(codes, key=lambda pair: not pair[1])  # the default first; otherwise as the shop lists them
    return tuple(dict.fromkeys(code for code, _ in ordered))


async def read_shop_facts(request: APIRequestContext, storefront_url: str) -> ShopFacts | None:
    """The shop's facts as its storefront answers them; None when its homepage gives no `?format=json`."""
    base = storefront_url.rstrip("/") + "/"
    languages = languages_of(await _json(request, base + "?format=json"))
    if not languages:
        return None
    whois = await _json(request, base + "whois.json")
    cluster = whois.get("clusterId") if isinstance(whois, dict) and isinstance(whois.get("clusterId"), str) else None
    return ShopFacts(languages=languages, cluster=cluster)


def shop_languages_result(facts: ShopFacts | None, configured: tuple[str, ...]) -> CheckResult:
    """The fleet file's `languages` against the shop's own: a difference is a warning (pages and messages in a
    language the fleet file does not name are left as they are)."""
    name = "shop_languages"
    if facts is None:
        return result(name, CheckStatus.SKIP, "the storefront does not say its languages (no ?format=json)")
    where = f" (cluster {facts.cluster})" if facts.cluster else ""
    if facts.languages == configured:
        return result(name, CheckStatus.PASS, f"the shop's languages are the fleet file's: {', '.join(configured)}"
                      f"{where}", list(facts.languages))
    missing = [code for code in facts.languages if code not in configured]
    extra = [code for code in configured if code not in facts.languages]
    parts = [f"the shop has {', '.join(facts.languages)}{where}, the fleet file says {', '.join(configured)}"]
    if missing:
        parts.append(f"not managed: {', '.join(missing)}")
    if extra:
        parts.append(f"not in the shop: {', '.join(extra)}")
    if not missing and not extra:
        parts.append("the default language differs")
    return result(name, CheckStatus.WARN, "; ".join(parts) + "; set the store's `languages` in the fleet file",
                  list(facts.languages))
