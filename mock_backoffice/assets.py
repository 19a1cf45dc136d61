"""CSS and JS under `/<store id>/static/`: per store, so injected latency slows static files too."""

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
