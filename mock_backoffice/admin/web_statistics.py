"""Settings > Web Statistics (`/admin/web_statistics`; Webstatistieken): the Google Analytics 4 Measurement ID,
and its JSON twin `web_statistics.json`.

As on the real platform there is no switch for consent: consent mode is always on, with analytics storage
denied until the visitor accepts cookies. The page says so in a note, the JSON twin in its consent fields.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, redirect, request, url_for
from werkzeug.wrappers import Response

from ..context import current_store, mock
from ..markup import render_admin, require_twin, require_update_method
from ..seed import MEASUREMENT_ID_PATTERN
from ..sessions import flash, pop_flashes
from ..state import Store
from ..storebp import admin_blueprint

bp = admin_blueprint("statistics", __name__)
SAVED_FLASH = "statistics_saved"
#: the Measurement ID field per dialect (classic: Rails' nested name, the mock's guess of it)
FIELD = {"classic": "web_statistics[stats_google_analytics][tracking_id]", "aria": "ga4[measurement_id]"}


def _render(measurement_id: str, *, error: str | None = None, saved: bool = False) -> str:
    return render_admin("web_statistics.html", measurement_id=measurement_id, field=FIELD[current_store().markup],
                        error=error, saved=saved, active="settings")


@bp.get("/web_statistics")
def show() -> str:
    store = current_store()
    with mock().world.lock:
        measurement_id = store.analytics.measurement_id
    return _render(measurement_id, saved=SAVED_FLASH in pop_flashes())


@bp.route("/web_statistics", methods=["POST", "PATCH"])
def save() -> Response | str:
    store = current_store()
    require_update_method()
    submitted = request.form.get(FIELD[store.markup], "").strip().upper()
    if submitted and not MEASUREMENT_ID_PATTERN.match(submitted):
        return _render(submitted, error="ga4_invalid")
    with mock().world.lock:
        store.count_write("web_statistics", changed=submitted != store.analytics.measurement_id)
        store.analytics.measurement_id = submitted
    flash(SAVED_FLASH)
    return redirect(url_for(".show"))


def twin(store: Store) -> dict[str, Any]:
    """`web_statistics.stats_google_analytics.tracking_id` is public (userscripts read it); the consent fields
    beside it are the mock's guess of how the platform's always-on consent mode would show."""
    return {"web_statistics": {"stats_google_analytics": {
        "tracking_id": store.analytics.measurement_id,
        "consent_mode": True,  # guess
        "default_analytics_storage": "denied",  # guess
    }}}


@bp.get("/web_statistics.json")
def show_json() -> Response:
    require_twin("web_statistics")
    store = current_store()
    with mock().world.lock:
        return jsonify(twin(store))
