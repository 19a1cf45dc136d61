"""The public storefront: homepage, text pages under /service/<slug>/, the cookie bar, and shop languages.

The default language has no prefix (`/<id>/service/privacy-policy/`); every other shop language has one
(`/<id>/de/service/privacy-policy/`), with the same slug. The server decides whether the bar shows: once the
visitor has chosen (a COOKIELAW cookie exists) it no longer shows, except on the privacy policy page, where
consent can always be withdrawn. The choice is made with links to /cookielaw/optIn/ and /cookielaw/optOut/,
answered here: the COOKIELAW* cookies are set by the server and the visitor is sent back where they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from flask import abort, g, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from .context import current_store, mock
from .state import Store
from .storebp import storefront_blueprint

bp = storefront_blueprint("storefront", __name__)

PRIVACY_SLUG = "privacy-policy"
CONSENT_COOKIE = "COOKIELAW"
#: the categories of the Manage cookies form, and the platform's cookie for each
CATEGORY_COOKIES: dict[str, str] = {
    "stats": "COOKIELAW_STATS",
    "ads": "COOKIELAW_ADS",
    "social": "COOKIELAW_SOCIAL",
}
#: the platform keeps the choice for a year
CONSENT_MAX_AGE = 365 * 24 * 60 * 60
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
    #: the custom-message mode's "Manage cookies" control is shown
    manage: bool
    cookie_path: str
    opt_in_url: str
    opt_out_url: str
    # category -> currently consented, from the visitor's cookies (pre-ticks the Manage panel)
    choices: dict[str, bool]


@bp.before_request
def _default_language() -> None:
    store: Store | None = g.get("store")
    if store is not None:
        g.locale = store.default_language
        g.shop_language = store.default_language


def _use_language(language: str) -> Store:
    """Serve this request in `language`: a non-default shop language (its URL prefix), else 404."""
    store = current_store()
    if language not in store.shop_languages[1:]:
        abort(404)
    g.locale = g.shop_language = language
    return store


def _cookie_bar(store: Store, *, always: bool) -> CookieBar | None:
    with mock().world.lock:
        # The page's language's message; a language without one shows the default language's.
        mode = store.cookie_law.mode
        message = store.cookie_law.message(g.shop_language) or store.cookie_law.message(store.default_language)
        manage = store.cookie_law.manage_cookies
    if mode == "none":
        return None
    if not always and CONSENT_COOKIE in request.cookies:
        return None
    choices = {category: request.cookies.get(name) == "1" for category, name in CATEGORY_COOKIES.items()}
    return CookieBar(mode=mode, message=message, manage=manage, cookie_path=f"/{store.id}/",
                     opt_in_url=url_for("storefront.opt_in"), opt_out_url=url_for("storefront.opt_out"),
                     choices=choices)


def _page_url(slug: str) -> str:
    if g.shop_language == g.store.default_language:
        return url_for("storefront.service_page", slug=slug)
    return url_for("storefront.service_page_in", language=g.shop_language, slug=slug)


def _home_url(language: str) -> str:
    if language == g.store.default_language:
        return url_for("storefront.home")
    return url_for("storefront.home_in", language=language)


def _footer_pages(store: Store) -> list[tuple[str, str]]:
    with mock().world.lock:
        pages = [(page.slug, page.title_in(g.shop_language)) for page in store.visible_pages()]
    return [(_page_url(slug), title) for slug, title in pages]


@bp.context_processor
def _storefront_context() -> dict[str, Any]:
    """What every storefront page needs: the analytics tag's settings, the home link, the language switcher."""
    store: Store | None = g.get("store")
    if store is None:  # an error page for an unknown store
        return {"analytics": {"measurement_id": "", "theme_early": False, "cookie_path": "/"},
                "home_url": "/", "shop_languages": []}
    with mock().world.lock:
        analytics = {"measurement_id": store.analytics.measurement_id,
                     "theme_early": store.theme_loads_analytics_early, "cookie_path": f"/{store.id}/"}
    language = g.get("shop_language", store.default_language)
    switcher = [(code, _home_url(code), code == language) for code in store.shop_languages]
    return {"analytics": analytics, "home_url": _home_url(language),
            "shop_languages": switcher if len(switcher) > 1 else []}


@bp.route("/g/collect", methods=["GET", "POST"])
def collect() -> Response:
    """The local stand-in for Google's collect endpoint: records the beacon, answers 204."""
    store = current_store()
    hit = {key: request.args.get(key, "") for key in ("tid", "en", "gcs", "dl")}
    with mock().world.lock:
        store.analytics.hits.append(hit)
    return Response(status=204)


def _back(store: Store) -> str:
    """Where the visitor came from, when it is a page of this store; else the homepage."""
    referrer = urlparse(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith(f"/{store.id}/") and "/cookielaw/" not in (
            referrer.path):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return url_for("storefront.home")


def _record_choice(store: Store, consent: bool, categories: dict[str, bool]) -> Response:
    response = redirect(_back(store), code=302)
    path = f"/{store.id}/"
    response.set_cookie(CONSENT_COOKIE, "1" if consent else "0", max_age=CONSENT_MAX_AGE, path=path, samesite="Lax")
    for category, granted in categories.items():
        response.set_cookie(CATEGORY_COOKIES[category], "1" if granted else "0", max_age=CONSENT_MAX_AGE, path=path,
                            samesite="Lax")
    return response


@bp.route("/cookielaw/optIn/", methods=["GET", "POST"])
def opt_in() -> Response:
    """Yes / Accept / OK (a link), or the Manage cookies form (POST, one field per ticked category)."""
    store = current_store()
    with mock().world.lock:
        mode = store.cookie_law.mode
    if request.method == "POST":
        ticked = {category: request.form.get(category) == "1" for category in CATEGORY_COOKIES}
        return _record_choice(store, any(ticked.values()), ticked)
    if mode == "notify":
        # A notification is acknowledged, not consented to: no category is switched on.
        return _record_choice(store, True, {})
    return _record_choice(store, True, dict.fromkeys(CATEGORY_COOKIES, True))


@bp.route("/cookielaw/optOut/")
def opt_out() -> Response:
    return _record_choice(current_store(), False, dict.fromkeys(CATEGORY_COOKIES, False))


def wants_json() -> bool:
    """Storefront pages answer `?format=json` with the page's data, as real shops do."""
    return request.args.get("format") == "json"


def shop_json(store: Store, page: dict[str, Any] | None = None) -> Response:
    """The page as data: `shop.languages` (each shop language with its code and address) is what public code
    reads; the other names are the mock's guess."""
    with mock().world.lock:
        measurement_id = store.analytics.measurement_id
    languages = {code: {"code": code, "url": url_for("storefront.home" if code == store.default_language
                                                     else "storefront.home_in", _external=True,
                                                     **({} if code == store.default_language else {"language": code})),
                        "active": code == g.shop_language, "default": code == store.default_language}
                 for code in store.shop_languages}
    data: dict[str, Any] = {"shop": {"id": store.id, "title": store.name, "language": g.shop_language,
                                     "languages": languages, "scripts": [],
                                     "cookies": {"allow": "true" if request.cookies.get(CONSENT_COOKIE) == "1"
                                                 else "false"}},
                            "gtag": {"gtag_id": measurement_id}}
    if page is not None:
        data["page"] = page
    return jsonify(data)


def _home() -> Response | str:
    store = current_store()
    if wants_json():
        return shop_json(store)
    return render_template(
        "store/home.html",
        bar=_cookie_bar(store, always=False),
        footer_pages=_footer_pages(store),
        products=PRODUCT_TILES,
    )


def _service_page(slug: str) -> Response | str:
    store = current_store()
    with mock().world.lock:
        page = store.page_by_slug(slug)
        if page is None or not page.visible:  # hidden is hidden in every language
            abort(404)
        title, content = page.title_in(g.shop_language), page.text(g.shop_language).content
    if wants_json():
        return shop_json(store, {"title": title, "url": slug, "content": content})
    return render_template(
        "store/page.html",
        bar=_cookie_bar(store, always=slug == PRIVACY_SLUG),
        footer_pages=_footer_pages(store),
        title=title,
        content=content,
    )


@bp.route("/")
def home() -> Response | str:
    return _home()


@bp.route("/whois.json")
def whois() -> Response:
    """Which platform cluster serves the shop (`clusterId`: eu1 / us1), as a real storefront says."""
    store = current_store()
    return jsonify({"clusterId": store.cluster, "shopId": store.id})


@bp.route("/<string(length=2):language>/")
def home_in(language: str) -> Response | str:
    _use_language(language)
    return _home()


@bp.route("/service/<slug>/")
def service_page(slug: str) -> Response | str:
    return _service_page(slug)


@bp.route("/<string(length=2):language>/service/<slug>/")
def service_page_in(language: str, slug: str) -> Response | str:
    _use_language(language)
    return _service_page(slug)
