"""The Cloudflare-like bot check in front of a store's login chain (seed `bot_challenge: true`).

Without a `cf_clearance` cookie, `/<store>/admin/auth/login` answers HTTP 403 with `cf-mitigated:
challenge` and a "Just a moment..." page. The page's script waits for the challenge to be solved: a person
ticks "Verify you are human"; a browser driven by automation (`navigator.webdriver`) never gets through on
its own, so a test marks the challenge solved with `POST /__mock__/challenges/solve` (standing in for the
person). Once solved, the page fetches a clearance (the cookie, on the store's path as if on its host) and
goes on to the login chain.
"""

from __future__ import annotations

from flask import jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from .context import current_store, mock
from .state import Store
from .storebp import storefront_blueprint

CLEARANCE_COOKIE = "cf_clearance"
CHALLENGE_STATUS = 403

bp = storefront_blueprint("challenge", __name__)


def needs_challenge(store: Store) -> bool:
    if not store.bot_challenge:
        return False
    world = mock().world
    with world.lock:
        return not world.challenges.cleared(request.cookies.get(CLEARANCE_COOKIE), store.id, world.clock())


def challenge_response(store: Store) -> tuple[str, int, dict[str, str]]:
    world = mock().world
    with world.lock:
        challenge_id = world.challenges.new_challenge(store.id, world.clock())
    query = request.query_string.decode("latin-1")
    back_to = f"{request.path}?{query}" if query else request.path
    body = render_template(
        "challenge.html",
        status_url=url_for("challenge.status", store_id=store.id, id=challenge_id),
        verify_url=url_for("challenge.verify", store_id=store.id, id=challenge_id),
        pass_url=url_for("challenge.pass_challenge", store_id=store.id, id=challenge_id, next=back_to),
    )
    headers = {"cf-mitigated": "challenge", "Cache-Control": "no-store, no-cache", "Content-Type": "text/html"}
    return body, CHALLENGE_STATUS, headers


@bp.get("/cdn-cgi/challenge-platform/status")
def status() -> Response | tuple[Response, int]:
    """Polled by the challenge page; 404 once the challenge is gone (passed, or the mock was reset)."""
    world = mock().world
    with world.lock:
        challenge = world.challenges.challenge(request.args.get("id", ""), current_store().id)
        if challenge is None:
            return jsonify({"error": "unknown challenge"}), 404
        return jsonify({"solved": challenge.solved})


@bp.post("/cdn-cgi/challenge-platform/verify")
def verify() -> Response | tuple[Response, int]:
    """A person's click on "Verify you are human" (the page's script never sends it under automation)."""
    world = mock().world
    with world.lock:
        challenge = world.challenges.challenge(request.args.get("id", ""), current_store().id)
        if challenge is None:
            return jsonify({"error": "unknown challenge"}), 404
        challenge.solved = True
        world.challenges.clicks[challenge.store_id] = world.challenges.clicks.get(challenge.store_id, 0) + 1
    return jsonify({"solved": True})


@bp.get("/cdn-cgi/challenge-platform/pass")
def pass_challenge() -> Response:
    store = current_store()
    login_url = url_for("auth.login", store_id=store.id)
    wanted = request.args.get("next", "")
    # only back into this store's login chain: no open redirect
    target = wanted if wanted.startswith(login_url) and "//" not in wanted else login_url
    world = mock().world
    with world.lock:
        clearance = world.challenges.pass_challenge(request.args.get("id", ""), store.id, world.clock())
    response = redirect(target)
    if clearance is not None:
        response.set_cookie(CLEARANCE_COOKIE, clearance, path=f"/{store.id}/", httponly=True, samesite="Lax",
                            max_age=30 * 60)
    return response
