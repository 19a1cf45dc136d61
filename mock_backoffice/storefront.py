"""The public storefront: homepage, text pages under /service/<slug>/, and the cookie bar.

The server decides whether the bar shows: once the visitor has chosen (a COOKIELAW cookie exists) it no
longer shows, except on the privacy policy page, where consent can always be withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, g, render_template, request
from werkzeug.wrappers import Response

from .context import current_store, mock
from .state import Store
from .storebp import storefront_blueprint

bp = storefront_blueprint("storefront", __name__)

PRIVACY_SLUG = "privacy-policy"
CONSENT_COOKIE = "COOKIELAW"
CATEGORY_COOKIES: dict[str, str] = {
    "analytics": "COOKIELAW_STATS",
    "advertising": "COOKIELAW_ADS",
    "social": "COOKIELAW_SOCIAL",
}
PRODUCT_TILES: tuple[tuple[str, str], ...] = (
    ("product_1", "€ 649.00"),
    ("product_2", "€ 12.95"),
    ("product_3", "€ 34.50"),
    ("product_4", "€ 19.99"),
)


@dataclass(frozen=True)
class CookieBar:
    mode: str
    message: str
    cookie_path: str
    # category -> currently consented, from the visitor's cookies (pre-ticks the Manage panel)
    choices: dict[str, bool]


def _cookie_bar(store: Store, *, always: bool) -> CookieBar | None:
    with mock().world.lock:
        mode, message = store.cookie_law.mode, store.cookie_law.message
    if mode == "none":
        return None
    if not always and CONSENT_COOKIE in request.cookies:
        return None
    choices = {category: request.cookies.get(name) == "1" for category, name in CATEGORY_COOKIES.items()}
    return CookieBar(mode=mode, message=message, cookie_path=f"/{store.id}/", choices=choices)


def _footer_pages(store: Store) -> list[tuple[str, str]]:
    with mock().world.lock:
        return [(page.slug, page.title) for page in store.visible_pages()]


@bp.context_processor
def _analytics_context() -> dict[str, Any]:
    """What the page head needs to load the analytics tag (and the misconfigured theme script)."""
    store: Store | None = g.get("store")
    if store is None:  # an error page for an unknown store
        return {"analytics": {"measurement_id": "", "theme_early": False, "cookie_path": "/"}}
    with mock().world.lock:
        return {"analytics": {"measurement_id": store.analytics.measurement_id,
                              "theme_early": store.theme_loads_analytics_early,
                              "cookie_path": f"/{store.id}/"}}


@bp.route("/g/collect", methods=["GET", "POST"])
def collect() -> Response:
    """The local stand-in for Google's collect endpoint: records the beacon, answers 204."""
    store = current_store()
    hit = {key: request.args.get(key, "") for key in ("tid", "en", "gcs", "dl")}
    with mock().world.lock:
        store.analytics.hits.append(hit)
    return Response(status=204)


@bp.route("/")
def home() -> str:
    store = current_store()
    return render_template(
        "store/home.html",
        bar=_cookie_bar(store, always=False),
        footer_pages=_footer_pages(store),
        products=PRODUCT_TILES,
    )


@bp.route("/service/<slug>/")
def service_page(slug: str) -> str:
    store = current_store()
    with mock().world.lock:
        page = store.page_by_slug(slug)
        if page is None or not page.visible:
            abort(404)
        title, content = page.title, page.content
    return render_template(
        "store/page.html",
        bar=_cookie_bar(store, always=slug == PRIVACY_SLUG),
        footer_pages=_footer_pages(store),
        title=title,
        content=content,
    )
