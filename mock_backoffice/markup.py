"""The two ways the mock writes its backoffice's HTML (seed `markup`), and what its admin pages share.

- `classic` (the default): the shape public code shows of the real backoffice, a Rails application. Forms post
  `utf8`, `authenticity_token` and `_method=patch` for an update, fields are named `settings[shop_setting][...]`,
  a hidden `0` precedes every checkbox, markup is class-based (`#content .PageHeader h1`, `tr[data-id]`,
  `.Flash`), with no ARIA roles beyond what HTML gives natively, and Turbolinks replaces the page's body on
  link clicks and form submits (`static/turbolinks.js`): no new document, no load event.
- `aria`: the mock's older markup: roles (`status`, `alert`, `switch`, `tab`, `menu`, `dialog`), a `<dialog>`
  to confirm, and full page loads.

Templates of the pages the tool works on are written once per dialect (`templates/classic/`, `templates/aria/`);
the simple sample pages are shared and extend the dialect's base (`admin_base`).
"""

from __future__ import annotations

from typing import Any

from flask import abort, g, render_template, request

from .context import current_store

#: what a Rails form carries to say "update" (Rack::MethodOverride): browsers can only POST
METHOD_FIELD = "_method"


def admin_template(name: str) -> str:
    """The store's dialect's version of an admin template (`web_extras.html` -> `classic/web_extras.html`)."""
    return f"{current_store().markup}/{name}"


def render_admin(name: str, **context: Any) -> str:
    return render_template(admin_template(name), **context)


def require_update_method() -> None:
    """A classic form updates with POST + `_method=patch` (Rails); anything else there is no route for."""
    if current_store().markup == "classic" and request.form.get(METHOD_FIELD, "").lower() not in ("patch", "put"):
        abort(405)


def require_twin(name: str) -> None:
    """The page's JSON twin answers only when the seed leaves it on (`json_twins`); else 404, like a page
    without a `.json` format."""
    if name not in current_store().json_twins:
        abort(404)


def template_context() -> dict[str, Any]:
    """What every template may use: the dialect, and the base a shared admin page extends."""
    store = g.get("store")
    markup = store.markup if store is not None else "aria"
    return {"markup": markup, "admin_base": f"{markup}/base.html"}
