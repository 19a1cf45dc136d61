"""Settings > Web extras: one form with several sections, among them COOKIE LAW.

The mode options carry opaque numeric values like the real select does, so a client has to pick an
option by its visible, localised text.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from ..context import current_store, mock
from ..sessions import flash, pop_flashes
from ..state import Store
from ..storebp import admin_blueprint

bp = admin_blueprint("extras", __name__)

MODE_VALUES: dict[str, str] = {"none": "0", "notify": "1", "confirm": "2", "custom": "3"}
MODES_BY_VALUE: dict[str, str] = {value: mode for mode, value in MODE_VALUES.items()}


@dataclass
class ExtrasForm:
    reviews_enabled: bool
    compare_enabled: bool
    mode: str
    message: str

    @classmethod
    def from_store(cls, store: Store) -> ExtrasForm:
        return cls(
            reviews_enabled=store.web_extras.reviews_enabled,
            compare_enabled=store.web_extras.compare_enabled,
            mode=store.cookie_law.mode,
            message=store.cookie_law.message,
        )

    def update_from(self, form: MultiDict[str, str]) -> str | None:
        """Apply submitted fields; a field that was not submitted keeps its value. Returns an error key."""
        self.reviews_enabled = _checkbox(form, "reviews[enabled]", self.reviews_enabled)
        self.compare_enabled = _checkbox(form, "compare[enabled]", self.compare_enabled)
        if "cookielaw[message]" in form:
            # Browsers submit textareas with CRLF line breaks; store what the user sees.
            self.message = form["cookielaw[message]"].replace("\r\n", "\n").strip()
        if "cookielaw[mode]" in form:
            mode = MODES_BY_VALUE.get(form["cookielaw[mode]"])
            if mode is None:
                return "invalid_choice"
            self.mode = mode
        if self.mode == "custom" and not self.message:
            return "custom_empty"
        return None

    def save_to(self, store: Store) -> None:
        store.web_extras.reviews_enabled = self.reviews_enabled
        store.web_extras.compare_enabled = self.compare_enabled
        store.cookie_law.mode = self.mode
        store.cookie_law.message = self.message


def _checkbox(form: MultiDict[str, str], name: str, current: bool) -> bool:
    # The template sends a hidden "0" before each checkbox, so an unticked box still arrives; only a
    # client that leaves the field out entirely keeps the stored value.
    values = form.getlist(name)
    return values[-1] == "1" if values else current


def _render(form: ExtrasForm, *, error: str | None = None, saved: bool = False) -> str:
    return render_template(
        "admin/extras.html",
        form=form,
        mode_values=MODE_VALUES,
        error=error,
        saved=saved,
        active="settings",
    )


@bp.route("/settings/extras", methods=["GET", "POST"])
def web_extras() -> Response | str:
    store = current_store()
    if request.method == "GET":
        with mock().world.lock:
            form = ExtrasForm.from_store(store)
        return _render(form, saved="saved" in pop_flashes())

    with mock().world.lock:
        form = ExtrasForm.from_store(store)
        error = form.update_from(request.form)
        if error is None:
            form.save_to(store)
    if error is not None:
        return _render(form, error=error)
    flash("saved")
    return redirect(url_for("extras.web_extras"))
