"""Marketing > Newsletter (Marketing > Nieuwsbrief): the subscriber list and archiving.

Like the real list: active subscribers newest first, 25 per page, a checkbox per row (its value is the
record id, which is never shown) and one in the header that selects the rows of the page. Ticking rows
shows an "N items selected" menu with "Archive selected newsletter subscribers", confirmed with OK in a
dialog. Archived subscribers move to the Archived view; nothing can bring them back.
"""

from __future__ import annotations

import datetime as dt
import math

from flask import g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..context import current_store, mock
from ..i18n import label
from ..sessions import flash, pop_flashes
from ..state import Subscriber
from ..storebp import admin_blueprint

bp = admin_blueprint("newsletter", __name__)

PAGE_SIZE = 25
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


@bp.get("/marketing/newsletter")
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
    return render_template(
        "admin/newsletter.html",
        active="marketing",
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


@bp.post("/marketing/newsletter/archive")
def archive() -> Response:
    store = current_store()
    ids = {int(value) for value in request.form.getlist("subscriber_ids") if value.isdigit()}
    page = _page_number(request.form.get("page"))
    if not ids:
        flash("nothing_selected")
    else:
        world = mock().world
        with world.lock:
            count = store.archive_subscribers(ids, world.clock())
        flash(f"{_ARCHIVED_FLASH}{count}")
    # Back to the same page (PRG): the rows after the archived ones have moved up into it.
    return redirect(url_for("newsletter.subscribers", **({"page": page} if page > 1 else {})))
