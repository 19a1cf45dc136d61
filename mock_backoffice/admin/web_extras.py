"""Settings > Web extras (`/admin/settings/web_extras`): one form with several sections, among them COOKIE LAW,
and its JSON twin `settings/web_extras.json`.

The mode options carry opaque numeric values like the real select does, so a client has to pick an option by its
visible, localised text. The custom message is kept per shop language (one box per language, shown only in
the custom-message mode), with a switch for the storefront's "Manage cookies" control (a guess: the help
article shows the control, not how it is switched).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import jsonify, redirect, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from ..context import current_store, mock
from ..markup import render_admin, require_twin, require_update_method
from ..sessions import flash, pop_flashes
from ..state import Store
from ..storebp import admin_blueprint

bp = admin_blueprint("extras", __name__)

MODE_VALUES: dict[str, str] = {"none": "0", "notify": "1", "confirm": "2", "custom": "3"}
MODES_BY_VALUE: dict[str, str] = {value: mode for mode, value in MODE_VALUES.items()}


@dataclass(frozen=True)
class FieldNames:
    """The form's field names in one dialect (`{language}`: a shop language)."""

    mode: str
    message: str
    manage: str
    reviews: str
    compare: str


#: classic: Rails' `settings[shop_setting][<name>]` (public code shows that shape; the names are the mock's)
FIELDS: dict[str, FieldNames] = {
    "classic": FieldNames(mode="settings[shop_setting][cookielaw_mode]",
                          message="settings[shop_setting][cookielaw_message_{language}]",
                          manage="settings[shop_setting][cookielaw_manage_cookies]",
                          reviews="settings[shop_setting][reviews_enabled]",
                          compare="settings[shop_setting][compare_enabled]"),
    "aria": FieldNames(mode="cookielaw[mode]", message="cookielaw[message][{language}]",
                       manage="cookielaw[manage_cookies]", reviews="reviews[enabled]", compare="compare[enabled]"),
}


@dataclass
class ExtrasForm:
    languages: tuple[str, ...]
    reviews_enabled: bool
    compare_enabled: bool
    mode: str
    messages: dict[str, str] = field(default_factory=dict)
    manage_cookies: bool = True

    @classmethod
    def from_store(cls, store: Store) -> ExtrasForm:
        return cls(
            languages=store.shop_languages,
            reviews_enabled=store.web_extras.reviews_enabled,
            compare_enabled=store.web_extras.compare_enabled,
            mode=store.cookie_law.mode,
            messages={language: store.cookie_law.message(language) for language in store.shop_languages},
            manage_cookies=store.cookie_law.manage_cookies,
        )

    def update_from(self, form: MultiDict[str, str], names: FieldNames) -> str | None:
        """Apply submitted fields; a field that was not submitted keeps its value. Returns an error key."""
        self.reviews_enabled = _checkbox(form, names.reviews, self.reviews_enabled)
        self.compare_enabled = _checkbox(form, names.compare, self.compare_enabled)
        self.manage_cookies = _checkbox(form, names.manage, self.manage_cookies)
        for language in self.languages:
            name = names.message.format(language=language)
            if name in form:
                # Browsers submit textareas with CRLF line breaks; store what the user sees.
                self.messages[language] = form[name].replace("\r\n", "\n").strip()
        if names.mode in form:
            mode = MODES_BY_VALUE.get(form[names.mode])
            if mode is None:
                return "invalid_choice"
            self.mode = mode
        # The shop's default language needs a message; other languages fall back to it on the storefront.
        if self.mode == "custom" and not self.messages.get(self.languages[0]):
            return "custom_empty"
        return None

    def save_to(self, store: Store) -> None:
        store.web_extras.reviews_enabled = self.reviews_enabled
        store.web_extras.compare_enabled = self.compare_enabled
        store.cookie_law.mode = self.mode
        store.cookie_law.messages = dict(self.messages)
        store.cookie_law.manage_cookies = self.manage_cookies


def _checkbox(form: MultiDict[str, str], name: str, current: bool) -> bool:
    # The template sends a hidden "0" before each checkbox, so an unticked box still arrives; only a
    # client that leaves the field out entirely keeps the stored value.
    values = form.getlist(name)
    return values[-1] == "1" if values else current


def _render(form: ExtrasForm, *, error: str | None = None, saved: bool = False) -> str:
    return render_admin("web_extras.html", form=form, names=FIELDS[current_store().markup], mode_values=MODE_VALUES,
                        error=error, saved=saved, active="settings")


@bp.get("/settings/web_extras")
def web_extras() -> str:
    store = current_store()
    with mock().world.lock:
        form = ExtrasForm.from_store(store)
    return _render(form, saved="saved" in pop_flashes())


@bp.route("/settings/web_extras", methods=["POST", "PATCH"])
def save() -> Response | str:
    store = current_store()
    require_update_method()
    with mock().world.lock:
        form = ExtrasForm.from_store(store)
        error = form.update_from(request.form, FIELDS[store.markup])
        if error is None:
            store.count_write("web_extras", changed=form != ExtrasForm.from_store(store))
            form.save_to(store)
    if error is not None:
        return _render(form, error=error)
    flash("saved")
    return redirect(url_for("extras.web_extras"))


def twin(store: Store) -> dict[str, Any]:
    """The page as JSON. `settings.google_search_console.meta_tags` is public (userscripts read it); that the
    same `settings` object holds the page's other sections, and every name below, is the mock's guess."""
    languages = store.shop_languages
    settings: dict[str, Any] = {
        "google_search_console": {"meta_tags": ""},
        "reviews": {"enabled": store.web_extras.reviews_enabled},  # guess
        "compare": {"enabled": store.web_extras.compare_enabled},  # guess
    }
    if "cookie_law_section" not in store.break_ui:  # a backoffice without the section has no data for it either
        settings["cookie_law"] = {  # guess: names, and the mode as a word rather than the select's number
            "mode": store.cookie_law.mode,
            "message": {language: store.cookie_law.message(language) for language in languages},
            "manage_cookies": store.cookie_law.manage_cookies,
        }
    return {"settings": settings}


@bp.get("/settings/web_extras.json")
def web_extras_json() -> Response:
    require_twin("web_extras")
    store = current_store()
    with mock().world.lock:
        return jsonify(twin(store))
