"""CSS and JS under `/<store id>/static/`: per store, so injected latency slows static files too.

The classic markup loads one script, `classic/application.js`, as a Rails application's asset pipeline serves
it: Turbolinks and every page's behaviour, concatenated (the parts stay separate files here, for reading).
"""

from __future__ import annotations

from pathlib import Path

from flask import send_from_directory
from werkzeug.wrappers import Response

from .storebp import storefront_blueprint

STATIC_DIR = Path(__file__).with_name("static")

bp = storefront_blueprint("assets", __name__)


@bp.route("/static/<path:filename>")
def static_file(filename: str) -> Response:
    # max_age=0: a test that changes a script must not be fooled by a cached copy
    return send_from_directory(STATIC_DIR, filename, max_age=0)


#: the parts of the classic markup's application.js, in the order the browser must run them
APPLICATION_JS: tuple[str, ...] = ("turbolinks.js", "classic/admin.js", "classic/editor.js", "classic/newsletter.js")


@bp.route("/static/classic/application.js")
def application_js() -> Response:
    source = "\n".join((STATIC_DIR / part).read_text(encoding="utf-8") for part in APPLICATION_JS)
    return Response(source, mimetype="text/javascript", headers={"Cache-Control": "no-cache, max-age=0"})
