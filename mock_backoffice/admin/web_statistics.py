"""Settings > Web statistics (Webstatistieken): the Google Analytics 4 Measurement ID.

As on the real platform there is no switch for consent: consent mode is always on, with analytics storage
denied until the visitor accepts cookies. The page says so in a note.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..context import current_store, mock
from ..seed import MEASUREMENT_ID_PATTERN
from ..sessions import flash, pop_flashes
from ..storebp import admin_blueprint

bp = admin_blueprint("statistics", __name__)
SAVED_FLASH = "statistics_saved"


def _render(measurement_id: str, *, error: str | None = None, saved: bool = False) -> str:
    return render_template("admin/statistics.html", measurement_id=measurement_id, error=error, saved=saved,
                           active="settings")


@bp.get("/settings/statistics")
def show() -> str:
    store = current_store()
    with mock().world.lock:
        measurement_id = store.analytics.measurement_id
    return _render(measurement_id, saved=SAVED_FLASH in pop_flashes())


@bp.post("/settings/statistics")
def save() -> Response | str:
    store = current_store()
    submitted = request.form.get("ga4[measurement_id]", "").strip().upper()
    if submitted and not MEASUREMENT_ID_PATTERN.match(submitted):
        return _render(submitted, error="ga4_invalid")
    with mock().world.lock:
        store.analytics.measurement_id = submitted
    flash(SAVED_FLASH)
    return redirect(url_for(".show"))
