"""Test-control endpoints under /__mock__: inspect and reset the world, inject faults, revoke sessions,
add and archive newsletter subscribers, put text pages, read login accounts, solve a bot challenge.

They live outside every store path, so injected faults never slow or fail them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, jsonify, request
from werkzeug.wrappers import Response

from .context import mock
from .faults import CONTROL_PREFIX, FaultError, parse_fault_request
from .seed import COOKIE_LAW_MODES, JSON_TWINS, MARKUPS, SUBSCRIBER_SOURCES

bp = Blueprint("control", __name__, url_prefix=CONTROL_PREFIX)


def _json_body() -> Any:
    if not request.get_data():
        return {}
    return request.get_json(force=True, silent=True)


def _bad_request(message: str) -> tuple[Response, int]:
    return jsonify({"error": message}), 400

def _json_object(allowed: tuple[str, ...]) -> tuple[dict[str, Any], None] | tuple[None, tuple[Response, int]]:
    """The request's JSON object, or the 400 answer naming the first key it may not have."""
    body = _json_body()
    if not isinstance(body, dict):
        return None, _bad_request("body: must be a JSON object")
    unknown = sorted(key for key in body if key not in allowed)
    if unknown:
        return None, _bad_request(f"{unknown[0]}: unknown key (allowed: {', '.join(allowed)})")
    return body, None



@bp.get("/health")
def health() -> Response:
    return jsonify({"ok": True})


@bp.get("/state")
def state() -> Response:
    return jsonify(mock().world.to_json())


@bp.post("/reset")
def reset() -> Response | tuple[Response, int]:
    """Back to the seed, faults cleared. JSON `{"keep_sessions": true}`: then the logged-in sessions of the
    last `/sessions/snapshot` are restored as they were (everything else is the seed's, as without it)."""
    ctx = mock()
    body, problem = _json_object(allowed=("keep_sessions",))
    if problem is not None:
        return problem
    keep = body.get("keep_sessions", False)
    if not isinstance(keep, bool):
        return _bad_request("keep_sessions: must be true or false")
    if keep and ctx.world.session_snapshot is None:
        return _bad_request("keep_sessions: no snapshot taken yet (POST /__mock__/sessions/snapshot first)")
    ctx.world.reset(keep_sessions=keep)
    ctx.faults.clear()
    if keep and ctx.world.session_snapshot is not None:
        return jsonify({"ok": True, "kept": ctx.world.session_snapshot.to_json()})
    return jsonify({"ok": True})


@bp.post("/sessions/snapshot")
def snapshot_sessions() -> Response | tuple[Response, int]:
    """Keep the logged-in sessions as they are now (authenticated backoffice sessions, signed-in identity
    sessions), for `reset` with `keep_sessions` to restore; a new snapshot replaces the last one. Answers the
    counts `{"sessions": n, "identity_sessions": m}`."""
    _body, problem = _json_object(allowed=())
    if problem is not None:
        return problem
    return jsonify(mock().world.snapshot_sessions().to_json())


@bp.get("/faults")
def get_faults() -> Response:
    return jsonify(mock().faults.to_json())


@bp.post("/faults")
def set_faults() -> Response | tuple[Response, int]:
    ctx = mock()
    body = _json_body()
    try:
        store, config = parse_fault_request(body, set(ctx.world.stores))
    except FaultError as exc:
        return _bad_request(str(exc))
    ctx.faults.set(store, config)
    return jsonify(ctx.faults.to_json())


@bp.post("/sessions/revoke")
def revoke_sessions() -> Response | tuple[Response, int]:
    ctx = mock()
    body, problem = _json_object(allowed=("store",))
    if problem is not None:
        return problem
    store = body.get("store")
    if store is not None and store not in ctx.world.stores:
        return _bad_request(f"store: unknown store {store!r}")
    return jsonify({"revoked": ctx.world.drop_sessions(store)})


@bp.get("/accounts")
def accounts() -> Response | tuple[Response, int]:
    """Login accounts (counters, lock, recovery codes used; never a secret): all, or `?store=` / `?email=`."""
    ctx = mock()
    store_id, email = request.args.get("store"), request.args.get("email")
    with ctx.world.lock:
        everything = ctx.world.accounts_json()
        if store_id is None and email is None:
            return jsonify({"accounts": everything})
        if store_id is not None:
            account = ctx.world.identity.account_of_store(store_id)
            if account is None:
                return _bad_request(f"store: unknown store {store_id!r}")
        else:
            account = ctx.world.identity.account(email or "")
            if account is None:
                return _bad_request(f"email: no account {email!r}")
        return jsonify(everything[account.email])


@bp.post("/identity/sessions/revoke")
def revoke_identity_sessions() -> Response | tuple[Response, int]:
    """Sign browsers out of the identity service: JSON `{"email"?}`; answers `{"revoked": n}`."""
    ctx = mock()
    body, problem = _json_object(allowed=("email",))
    if problem is not None:
        return problem
    email = body.get("email")
    with ctx.world.lock:
        if email is not None and (not isinstance(email, str) or ctx.world.identity.account(email) is None):
            return _bad_request(f"email: no account {email!r}")
        return jsonify({"revoked": ctx.world.identity.drop_sessions(email)})


@bp.get("/challenges")
def challenges() -> Response:
    """Per store with `bot_challenge`: challenges pending (shown, unsolved), solved, and passed."""
    ctx = mock()
    with ctx.world.lock:
        return jsonify({store.id: ctx.world.challenges.to_json(store.id)
                        for store in ctx.world.stores.values() if store.bot_challenge})


@bp.post("/challenges/solve")
def solve_challenges() -> Response | tuple[Response, int]:
    """Stand in for the person who clicks "Verify you are human": JSON `{"store"}` marks that store's
    pending challenges solved (the waiting challenge pages then go on); answers `{"solved": n}`."""
    ctx = mock()
    body, problem = _json_object(allowed=("store",))
    if problem is not None:
        return problem
    store = ctx.world.store(body.get("store") or "")
    if store is None:
        return _bad_request(f"store: unknown store {body.get('store')!r}")
    if not store.bot_challenge:
        return _bad_request(f"store: {store.id} has no bot challenge (seed bot_challenge: true)")
    with ctx.world.lock:
        return jsonify({"solved": ctx.world.challenges.solve_pending(store.id)})


@bp.post("/cookie-law")
def set_cookie_law() -> Response | tuple[Response, int]:
    """Change a store's COOKIE LAW as a person in the backoffice would: JSON `{store, mode, message?,
    manage_cookies?}`; `message` is the default language's text, or `{language: text}` for several.

    Drift made outside the tool, for tests and demos of drift detection and of the run history.
    """
    ctx = mock()
    body, problem = _json_object(allowed=("store", "mode", "message", "manage_cookies"))
    if problem is not None:
        return problem
    store = ctx.world.store(body.get("store", ""))
    if store is None:
        return _bad_request(f"store: unknown store {body.get('store')!r}")
    if body.get("mode") not in COOKIE_LAW_MODES:
        return _bad_request(f"mode: one of {', '.join(COOKIE_LAW_MODES)}")
    message = body.get("message", {})
    if isinstance(message, str):
        message = {store.default_language: message}
    if not isinstance(message, dict) or not all(isinstance(v, str) and k in store.shop_languages
                                                for k, v in message.items()):
        return _bad_request(f"message: a string, or {{language: string}} for languages of the shop "
                            f"({', '.join(store.shop_languages)})")
    if not isinstance(body.get("manage_cookies", True), bool):
        return _bad_request("manage_cookies: must be true or false")
    with ctx.world.lock:
        store.cookie_law.mode = body["mode"]
        store.cookie_law.messages = {**store.cookie_law.messages, **message}
        store.cookie_law.manage_cookies = body.get("manage_cookies", store.cookie_law.manage_cookies)
        return jsonify(store.cookie_law_json())


@bp.post("/store-options")
def set_store_options() -> Response | tuple[Response, int]:
    """Switch how stores' backoffices look and answer, as the seed keys do (until the next reset): JSON
    `{store?, markup?, json_twins?, newsletter_source_column?}`; without `store`, every store. For tests that run
    the same flow on both markup dialects, with and without JSON twins."""
    ctx = mock()
    body, problem = _json_object(allowed=("store", "markup", "json_twins", "newsletter_source_column"))
    if problem is not None:
        return problem
    stores = list(ctx.world.stores.values())
    if "store" in body:
        one = ctx.world.store(body["store"] or "")
        if one is None:
            return _bad_request(f"store: unknown store {body.get('store')!r}")
        stores = [one]
    if "markup" in body and body["markup"] not in MARKUPS:
        return _bad_request(f"markup: one of {', '.join(MARKUPS)}")
    twins = body.get("json_twins", True)
    if isinstance(twins, bool):
        twins = dict.fromkeys(JSON_TWINS, twins)
    if not isinstance(twins, dict) or any(name not in JSON_TWINS or not isinstance(on, bool)
                                          for name, on in twins.items()):
        return _bad_request(f"json_twins: true, false or {{twin: true|false}} for {', '.join(JSON_TWINS)}")
    if not isinstance(body.get("newsletter_source_column", False), bool):
        return _bad_request("newsletter_source_column: must be true or false")
    with ctx.world.lock:
        for store in stores:
            store.markup = body.get("markup", store.markup)
            if "json_twins" in body:
                store.json_twins = frozenset(name for name in JSON_TWINS
                                             if twins.get(name, name in store.json_twins))
            store.newsletter_source_column = body.get("newsletter_source_column", store.newsletter_source_column)
    return jsonify({store.id: {"markup": store.markup, "json_twins": sorted(store.json_twins),
                               "newsletter_source_column": store.newsletter_source_column} for store in stores})


@bp.get("/requests")
def access_log() -> Response | tuple[Response, int]:
    """The access log since the last reset: `{"requests": [{"store", "method", "path", "status"}]}`, the path
    below the store (`admin/settings/web_extras.json`), never a query; `?store=` for one store."""
    ctx = mock()
    store_id = request.args.get("store")
    if store_id is not None and ctx.world.store(store_id) is None:
        return _bad_request(f"store: unknown store {store_id!r}")
    return jsonify({"requests": [record.to_json() for record in ctx.world.access_log(store_id)]})


@bp.get("/writes")
def writes() -> Response | tuple[Response, int]:
    """Writes carried out since the last reset, per store and target: `{store: {target: {"changed": n,
    "unchanged": m}}}`; `unchanged` counts writes that set what already was (a change made twice). `?store=`."""
    ctx = mock()
    store_id = request.args.get("store")
    if store_id is not None and ctx.world.store(store_id) is None:
        return _bad_request(f"store: unknown store {store_id!r}")
    with ctx.world.lock:
        return jsonify({store.id: {target: count.to_json() for target, count in store.writes.items()}
                        for store in ctx.world.stores.values() if store_id in (None, store.id)})


@bp.post("/requests/clear")
def clear_access_log() -> Response:
    """Empty the access log (the world stays as it is): a test then sees only what one run asks for."""
    with mock().world.lock:
        count = len(mock().world.requests)
        mock().world.requests.clear()
    return jsonify({"cleared": count})


_SUBSCRIBER_KEYS = ("store", "email", "name", "subscribed_at", "source")


@bp.post("/subscribers")
def add_subscriber() -> Response | tuple[Response, int]:
    """A signup as if made elsewhere (storefront form, checkout): JSON `{store, email, name?, subscribed_at?,
    source?}`; defaults: today, `form`. An address that is already an active subscriber is refused."""
    ctx = mock()
    body = _json_body()
    if not isinstance(body, dict):
        return _bad_request("body: must be a JSON object")
    unknown = sorted(key for key in body if key not in _SUBSCRIBER_KEYS)
    if unknown:
        return _bad_request(f"{unknown[0]}: unknown key (allowed: {', '.join(_SUBSCRIBER_KEYS)})")
    store = ctx.world.store(body.get("store") or "")
    if store is None:
        return _bad_request(f"store: unknown store {body.get('store')!r}")
    email = body.get("email")
    if not isinstance(email, str) or "@" not in email or email != email.strip():
        return _bad_request(f"email: not an email address (got {email!r})")
    name = body.get("name", "")
    if not isinstance(name, str):
        return _bad_request("name: must be a string")
    source = body.get("source", "form")
    if source not in SUBSCRIBER_SOURCES:
        return _bad_request(f"source: must be one of {', '.join(SUBSCRIBER_SOURCES)} (got {source!r})")
    with ctx.world.lock:
        today = dt.datetime.fromtimestamp(ctx.world.clock(), dt.UTC).date()
        try:
            day = dt.date.fromisoformat(body["subscribed_at"]) if "subscribed_at" in body else today
        except (TypeError, ValueError):
            return _bad_request(f"subscribed_at: must be a date YYYY-MM-DD (got {body['subscribed_at']!r})")
        if store.active_subscriber(email) is not None:
            return _bad_request(f"email: {email!r} is already an active subscriber of {store.id}")
        subscriber = store.add_subscriber(email, name, day, source)
        return jsonify(subscriber.to_json())


@bp.post("/subscribers/archive")
def archive_subscribers() -> Response | tuple[Response, int]:
    """Archive by email, as if someone did it in the backoffice: JSON `{store, emails: [...]}`."""
    ctx = mock()
    body, problem = _json_object(allowed=("store", "emails"))
    if problem is not None:
        return problem
    store = ctx.world.store(body.get("store") or "")
    if store is None:
        return _bad_request(f"store: unknown store {body.get('store')!r}")
    emails = body.get("emails")
    if not isinstance(emails, list) or not all(isinstance(email, str) for email in emails):
        return _bad_request("emails: must be a list of email addresses")
    with ctx.world.lock:
        found = [store.active_subscriber(email) for email in emails]
        missing = [email for email, subscriber in zip(emails, found, strict=True) if subscriber is None]
        if missing:
            return _bad_request(f"emails: not active subscribers of {store.id}: {', '.join(missing)}")
        count = store.archive_subscribers({s.id for s in found if s is not None}, ctx.world.clock())
    return jsonify({"archived": count})


#: `language`: which shop language `title` and `content` are for (default: the shop's default language)
_PAGE_KEYS = {"store": str, "id": int, "title": str, "content": str, "visible": bool, "language": str}


@bp.post("/pages")
def put_page() -> Response | tuple[Response, int]:
    """Create a text page, or change one (`id`), bypassing the editor: stored exactly as given.

    For states the editor would not produce (raw, unnormalised HTML); duplicate titles and hidden pages
    can also be made through the UI (Add page).
    """
    ctx = mock()
    body = _json_body()
    if not isinstance(body, dict):
        return _bad_request("body: must be a JSON object")
    for key, value in body.items():
        expected = _PAGE_KEYS.get(key)
        if expected is None:
            return _bad_request(f"{key}: unknown key (allowed: {', '.join(_PAGE_KEYS)})")
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            return _bad_request(f"{key}: must be a {expected.__name__}")
    store = ctx.world.store(body.get("store", ""))
    if store is None:
        return _bad_request(f"store: unknown store {body.get('store')!r}")
    language = body.get("language", store.default_language)
    if language not in store.shop_languages:
        return _bad_request(f"language: store {store.id} has no shop language {language!r}")
    with ctx.world.lock:
        if "id" in body:
            page = store.page_by_id(body["id"])
            if page is None:
                return _bad_request(f"id: store {store.id} has no page {body['id']}")
            text = page.text(language)
            text.title = body.get("title", text.title)
            text.content = body.get("content", text.content)
            page.visible = body.get("visible", page.visible)
        else:
            if not body.get("title", "").strip() or language != store.default_language:
                return _bad_request("title: required (in the default language) to create a page")
            page = store.add_page(body["title"].strip(), body.get("content", ""), body.get("visible", True))
        return jsonify(page.to_json())
