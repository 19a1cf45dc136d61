"""Marketing > Newsletter (`/admin/newsletter_subscriptions`; Marketing > Nieuwsbrief): the subscriber list and
archiving, and the JSON twin `newsletter_subscriptions.json`.

Like the real list: active subscribers newest first, 25 per page, a checkbox per row (its value is the
record id, which is never shown) and one in the header that selects the rows of the page. Ticking rows
shows an "N items selected" menu with "Archive selected newsletter subscribers", confirmed with OK (classic:
the browser's own confirm(), as Rails' `data-confirm` does; aria: a `<dialog>`). Archived subscribers move to
the Archived view; nothing can bring them back. The list has no Source column unless the seed says
`newsletter_source_column: true`: neither the REST API nor any public UI shows how a subscriber was added.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from flask import g, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response

from ..context import current_store, mock
from ..i18n import label
from ..markup import render_admin, require_twin
from ..sessions import flash, pop_flashes
from ..state import Subscriber
from ..storebp import admin_blueprint

bp = admin_blueprint("newsletter", __name__)

PAGE_SIZE = 25
#: the JSON twin's page size: `?limit=` up to this (customers.json's public limit)
MAX_LIMIT = 250
#: the ticked rows' field per dialect (classic: Rails' array parameter)
IDS_FIELD = {"classic": "ids[]", "aria": "subscriber_ids"}
VIEWS = ("active", "archived")
_ARCHIVED_FLASH = "archived:"
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def display_date(day: dt.date, locale: str) -> str:
    """The date as the backoffice shows it; the machine-readable date is in the <time> element."""
    if locale == "nl":
        return day.strftime("%d-%m-%Y")
    if locale == "de":
        return day.strftime("%d.%m.%Y")
    if locale == "fr":
        return day.strftime("%d/%m/%Y")
    return f"{_MONTHS_EN[day.month - 1]} {day.day}, {day.year}"


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or "1"))
    except ValueError:
        return 1


def _messages(flashes: list[str]) -> tuple[list[str], str | None]:
    done = [key.removeprefix(_ARCHIVED_FLASH) for key in flashes if key.startswith(_ARCHIVED_FLASH)]
    messages = [label(g.locale, "archived_done").replace("{count}", count) for count in done]
    error = "nothing_selected" if "nothing_selected" in flashes else None
    return messages, error


@bp.get("/newsletter_subscriptions")
def subscribers() -> str:
    store = current_store()
    view = request.args.get("view", "active")
    if view not in VIEWS:
        view = "active"
    page = _page_number(request.args.get("page"))
    with mock().world.lock:
        active = store.active_subscribers()
        archived = store.archived_subscribers()
        listed: list[Subscriber] = active if view == "active" else archived
        pages = max(1, math.ceil(len(listed) / PAGE_SIZE))
        # A page past the end (after its last rows were archived) is simply empty, like a real list.
        rows = listed[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        counts = {"active": len(active), "archived": len(archived)}
    messages, error = _messages(pop_flashes())
    return render_admin(
        "newsletter.html",
        active="marketing",
        source_column=store.newsletter_source_column,
        ids_field=IDS_FIELD[store.markup],
        view=view,
        rows=rows,
        page=page,
        pages=pages,
        total=len(listed),
        counts=counts,
        messages=messages,
        error=error,
        display_date=display_date,
    )


@bp.post("/newsletter_subscriptions/archive")
def archive() -> Response:
    store = current_store()
    ids = {int(value) for value in request.form.getlist(IDS_FIELD[store.markup]) if value.isdigit()}
    page = _page_number(request.form.get("page"))
    if not ids:
        flash("nothing_selected")
    else:
        world = mock().world
        with world.lock:
            count = store.archive_subscribers(ids, world.clock())
            # Naming a subscriber archived already: a rewrite that did not read what the last write did.
            store.count_write("newsletter archive", changed=count == len(ids))
        flash(f"{_ARCHIVED_FLASH}{count}")
    # Back to the same page (PRG): the rows after the archived ones have moved up into it.
    return redirect(url_for("newsletter.subscribers", **({"page": page} if page > 1 else {})))


def _split_name(name: str) -> tuple[str, str]:
    """The REST API keeps `firstname` and `lastname`; the list shows them as one name."""
    first, _, last = name.strip().partition(" ")
    return first, last


def _subscriber_json(subscriber: Subscriber, with_source: bool) -> dict[str, Any]:
    firstname, lastname = _split_name(subscriber.name)
    data: dict[str, Any] = {
        # email, firstname, lastname, language: the REST API's subscription fields; `created_at` (the date
        # subscribed, REST's createdAt) and the rest are the mock's guess of the admin twin's names
        "id": subscriber.id, "email": subscriber.email, "firstname": firstname, "lastname": lastname,
        "created_at": f"{subscriber.subscribed_at.isoformat()}T12:00:00+00:00", "is_confirmed": True,
    }
    if with_source:  # like the list: only a store that shows the column says how someone was added
        data["source"] = subscriber.source
    return data


def _limit(raw: str | None) -> int:
    try:
        return min(MAX_LIMIT, max(1, int(raw or PAGE_SIZE)))
    except ValueError:
        return PAGE_SIZE


@bp.get("/newsletter_subscriptions.json")
def subscribers_json() -> Response:
    """The list as data, paged like customers.json (`?page=N`, `limit` up to 250, `links.pages`)."""
    require_twin("newsletter_subscriptions")
    store = current_store()
    view = request.args.get("view", "active")
    page, limit = _page_number(request.args.get("page")), _limit(request.args.get("limit"))
    with mock().world.lock:
        listed = store.archived_subscribers() if view == "archived" else store.active_subscribers()
        rows = [_subscriber_json(s, store.newsletter_source_column) for s in listed[(page - 1) * limit:page * limit]]
    pages = max(1, math.ceil(len(listed) / limit))
    return jsonify({"newsletter_subscriptions": rows,
                    "links": {"pages": pages, "page": page, "limit": limit, "count": len(listed)}})
