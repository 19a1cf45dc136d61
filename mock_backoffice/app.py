"""Application factory of the mock backoffice."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, g, render_template, request
from jinja2 import StrictUndefined
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from . import assets, auth, challenge, control, storefront
from .admin import account, newsletter, pages, sections, web_extras, web_statistics
from .context import EXTENSION_KEY, MockContext, mock
from .faults import FaultRegistry, fault_response, lost_answer
from .i18n import label
from .identity import create_identity_app
from .markup import template_context
from .seed import SeedSpec, load_default_seed, parse_seed
from .sessions import csrf_token
from .state import RequestRecord, World
from .storebp import install_url_defaults

# A new backoffice section adds its module (in admin/) here.
BLUEPRINTS: tuple[Blueprint, ...] = (
    control.bp,
    assets.bp,
    auth.bp,
    challenge.bp,
    sections.bp,
    web_extras.bp,
    web_statistics.bp,
    pages.bp,
    account.bp,
    newsletter.bp,
    storefront.bp,
)


def create_app(seed: Mapping[str, Any] | SeedSpec | None = None) -> Flask:
    """Build a mock serving every store of `seed` (a raw seed dict; None = the built-in default seed).

    The identity service is a second app on its own origin, sharing this one's world:
    `context.identity_app_of(app)`. Raises `SeedError` naming the offending key when the seed is invalid.
    """
    spec = seed if isinstance(seed, SeedSpec) else parse_seed(load_default_seed() if seed is None else seed)
    # No app-wide static folder: static files are served per store so store faults apply to them.
    app = Flask(__name__, static_folder=None)
    # JSON keeps the order it was built in (a shop's languages, default first), as a real Rails answer does.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.jinja_env.undefined = StrictUndefined
    context = MockContext(world=World(spec), faults=FaultRegistry())
    app.extensions[EXTENSION_KEY] = context
    context.identity_app = create_identity_app(context)

    app.before_request(_inject_faults)
    app.after_request(_log_request)
    app.after_request(_lose_answer)  # runs before _log_request (Flask: last registered, first run)
    install_url_defaults(app)
    app.context_processor(_template_helpers)
    app.context_processor(template_context)
    app.register_error_handler(HTTPException, _http_error)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app


def _inject_faults() -> Response | None:
    return fault_response(mock().faults, request.path, request.method)


def _lose_answer(response: Response) -> Response:
    return lost_answer(mock().faults, request.path, request.method) or response


def _log_request(response: Response) -> Response:
    """The access log (`GET /__mock__/requests`): every answered request of a known store, by its path below the
    store, so a test can prove which addresses a run asked for."""
    store = g.get("store")
    if store is None:  # a path no route knows (an old address, say) still belongs to the store it names
        store = mock().world.store(request.path.strip("/").split("/", 1)[0])
    if store is not None:
        path = request.path.removeprefix(f"/{store.id}").lstrip("/")
        mock().world.log_request(RequestRecord(store.id, request.method, path, response.status_code))
    return response


def _translate(key: str) -> str:
    return label(g.get("locale", "en"), key)


def _template_helpers() -> dict[str, Any]:
    return {"t": _translate, "csrf_token": csrf_token, "store": g.get("store"), "locale": g.get("locale", "en")}


def _http_error(error: HTTPException) -> Response | HTTPException:
    if error.code is None or error.code < 400 or not request.path:
        return error
    body = render_template("error.html", code=error.code, name=error.name)
    # keep headers such as Allow (405) but not the plain-text Content-Type of the default page
    headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    return Response(body, status=error.code, headers=headers, mimetype="text/html")
