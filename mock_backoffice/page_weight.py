"""Admin pages as heavy as the real backoffice's (faults `page_weight_kb`, `script_cpu_ms`).

The real backoffice's pages load megabytes of script that keep the main thread busy; the mock's own pages are
a few KiB. With either switch on (globally or for a store, `POST /__mock__/faults`), every admin page (HTML,
below `admin/` but not the login chain's `admin/auth/`) gets one more script, `static/weight.js`, of that
many KiB, which runs for that many milliseconds when the page loads. Served cacheable, as a real
fingerprinted asset is: a second page of the same store's browser takes it from the cache (and still runs
it). JSON twins, the identity service and the storefront are left alone: what a tool saves by not
rendering a page is what this makes visible.
"""

from __future__ import annotations

import functools

from flask import g, request
from werkzeug.wrappers import Response

from .context import mock
from .faults import path_in_store
from .storebp import storefront_blueprint

bp = storefront_blueprint("page_weight", __name__)

SCRIPT_PATH = "static/weight.js"
#: a year, as a fingerprinted asset is served
CACHE_SECONDS = 31_536_000


def is_admin_page(store_path: str, response: Response) -> bool:
    """An admin page a browser renders: HTML below `admin/`, not the login chain, answered 200."""
    return (response.status_code == 200 and response.mimetype == "text/html"
            and (store_path == "admin" or store_path.startswith("admin/"))
            and not store_path.startswith("admin/auth"))


def weigh(response: Response) -> Response:
    """After a store request: add the weight script to an admin page when the store's faults ask for it."""
    store = g.get("store")
    if store is None:
        return response
    store_path = path_in_store(request.path)
    config = mock().faults.for_store(store.id)
    if config is None or not (config.page_weight_kb or config.script_cpu_ms) or not config.applies_to(store_path) \
            or not is_admin_page(store_path, response):
        return response
    tag = (f'<script src="/{store.id}/{SCRIPT_PATH}?kb={int(config.page_weight_kb)}'
           f'&amp;ms={int(config.script_cpu_ms)}"></script>')
    body = response.get_data(as_text=True)
    at = body.find("</head>")
    response.set_data(body[:at] + tag + body[at:] if at >= 0 else tag + body)
    return response


@functools.lru_cache(maxsize=8)
def weight_script(kb: int, ms: int) -> str:
    """About `kb` KiB of functions (code the browser must parse, as a bundle is) and a busy loop of `ms`."""
    lines = [f"/* page weight of the mock backoffice: {kb} KiB, {ms} ms of main-thread time */",
             f"(function () {{ var end = performance.now() + {ms}; while (performance.now() < end) {{}} }})();"]
    size, index = sum(len(line) + 1 for line in lines), 0
    while size < kb * 1024:
        line = f"function weight{index}(a, b) {{ return a * {index} + (b || 0) - {index % 97}; }}"
        lines.append(line)
        size += len(line) + 1
        index += 1
    return "\n".join(lines) + "\n"


def _number(name: str) -> int:
    try:
        return max(0, min(int(request.args.get(name, "0")), 100_000))
    except ValueError:
        return 0


@bp.route("/" + SCRIPT_PATH)
def weight_js() -> Response:
    return Response(weight_script(_number("kb"), _number("ms")), mimetype="text/javascript",
                    headers={"Cache-Control": f"public, max-age={CACHE_SECONDS}, immutable"})
