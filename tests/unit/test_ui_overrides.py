"""A user's ui_overrides file: merged over the shipped label tables and page paths, strict about its keys."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ecom_privacy.errors import ConfigError
from flows.labels import labels_for
from flows.labels.overrides import load_ui_overrides
from flows.pages.content_pages import page_id_of
from flows.registry import lightspeed_ecom


def overrides_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ui-overrides.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_label_and_a_path_are_corrected_the_rest_stays_shipped(tmp_path: Path) -> None:
    path = overrides_file(tmp_path, "en:\n  cookie_law:\n    section: COOKIE CONSENT\n"
                                    "    modes: {confirm: Consent required}\n"
                                    "paths:\n  web_extras: settings/web-extras\n  page_editor: cms/pages/{id}/edit\n")
    driver = lightspeed_ecom(load_ui_overrides(path))
    en = driver.labels_for("en")
    assert en["cookie_law.section"] == "COOKIE CONSENT"
    assert en.mapping("cookie_law.modes")["confirm"] == "Consent required"
    assert en["cookie_law.modes.custom"] == labels_for("en")["cookie_law.modes.custom"]  # a group merges key by key
    assert en.path("web_extras") == "settings/web-extras" and en.path("newsletter") == "newsletter_subscriptions"
    assert en.origin("cookie_law.section") == path and en.origin("cookie_law.mode") == labels_for("en").source
    assert en.origin("paths.web_extras") == path
    # Another locale gets the paths, not the English labels; the shipped tables are untouched.
    nl = driver.labels_for("nl")
    assert nl["cookie_law.section"] == "COOKIEWET" and nl.path("web_extras") == "settings/web-extras"
    assert labels_for("en")["cookie_law.section"] == "COOKIE LAW"
    assert labels_for("en").path("web_extras") == "settings/web_extras"
    assert lightspeed_ecom().labels_for("en")["cookie_law.section"] == "COOKIE LAW"
    # The moved editor's address is still read back as a page id.
    assert page_id_of("https://shop.test/admin/cms/pages/42/edit", en.path("page_editor")) == 42
    assert page_id_of("https://shop.test/admin/pages/42", en.path("page_editor")) is None


def test_a_twin_entry_is_corrected_the_rest_stays_shipped(tmp_path: Path) -> None:
    path = overrides_file(tmp_path, "twins:\n  web_extras:\n    cookie_law_mode: settings.cookielaw.type\n"
                                    "    cookie_law_modes: {confirm: required}\n"
                                    "paths:\n  web_extras_json: settings/web_extras/data.json\n")
    en = lightspeed_ecom(load_ui_overrides(path)).labels_for("en")
    assert en.twin("web_extras")["cookie_law_mode"] == "settings.cookielaw.type"
    assert en.twin("web_extras")["cookie_law_modes"] == {"none": "none", "notify": "notify", "confirm": "required",
                                                         "custom": "custom"}
    assert en.twin("web_statistics") == labels_for("en").twin("web_statistics")
    assert en.path("web_extras_json") == "settings/web_extras/data.json"
    assert en.origin("twins.web_extras.cookie_law_mode") == path
    assert labels_for("en").twin("web_extras")["cookie_law_mode"] == "settings.cookie_law.mode"


@pytest.mark.parametrize(("text", "message"), [
    ("twins:\n  web_extra: {}\n", "twins.web_extra: unknown twin; did you mean 'web_extras'?"),
    ("twins:\n  web_extras:\n    cookie_mode: a.b\n", "twins.web_extras.cookie_mode: unknown entry"),
    ("twins:\n  web_extras:\n    cookie_law_mode: 'a b'\n", "'a b' is not a dotted path into the answer"),
    ("twins:\n  web_extras:\n    cookie_law_modes: {loud: x}\n", "must map some of none, notify, confirm, custom"),
    ("paths:\n  page_json: pages.json\n", "paths.page_json: 'pages.json' must contain {id} once"),
])
def test_a_wrong_twin_entry_is_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_ui_overrides(overrides_file(tmp_path, text))


def test_a_shop_language_may_be_named_on_the_editor_tabs(tmp_path: Path) -> None:
    path = overrides_file(tmp_path, "nl:\n  content_pages:\n    languages: {es: Español}\n")
    assert load_ui_overrides(path).labels_for("nl").mapping("content_pages.languages")["es"] == "Español"


@pytest.mark.parametrize(("text", "message"), [
    ("en:\n  cookie_law:\n    sectoin: X\n",
     "en.cookie_law.sectoin: unknown label; did you mean 'en.cookie_law.section'?"),
    ("en:\n  section: X\n", "en.section: unknown label; did you mean 'en.cookie_law.section'?"),
    ("ne:\n  cookie_law: {section: X}\n", "ne: unknown key; did you mean 'nl'?"),
    ("es: {}\n", "es: unknown key;"),
    ("paths:\n  web_extra: settings/x\n", "paths.web_extra: unknown page; did you mean 'paths.web_extras'?"),
    ("paths:\n  newsletter: ../../outside\n", "paths.newsletter: '../../outside' is not a path below the backoffice"),
    ("paths:\n  newsletter: https://evil.test/x\n", "paths.newsletter: 'https://evil.test/x' is not a path"),
    ("paths:\n  page_editor: content/pages\n", "paths.page_editor: 'content/pages' must contain {id} once"),
    ("paths:\n  newsletter: news/{id}\n", "paths.newsletter: 'news/{id}' takes no {placeholder}"),
    ("en:\n  cookie_law:\n    modes: Geen\n", "en.cookie_law.modes: must be a group of labels"),
    ("en:\n  cookie_law:\n    section: {a: b}\n", "en.cookie_law.section: must be a non-empty text"),
    ("en:\n  cookie_law:\n    section: ''\n", "en.cookie_law.section: must be a non-empty text"),
    ("- en\n", "must be a mapping of backoffice locales"),
    ("en:\n  cookie_law:\n    section: A\n    section: B\n", "duplicate key 'section'"),
])
def test_bad_overrides_are_one_line_naming_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = overrides_file(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_ui_overrides(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = overrides_file(tmp_path, "en:\n  cookie_law: {sectoin: X}\nparts: {}\n")
    with pytest.raises(ConfigError) as caught:
        load_ui_overrides(path)
    lines = str(caught.value).splitlines()
    assert len(lines) == 2 and "did you mean 'paths'?" in lines[1]


def test_an_empty_file_changes_nothing(tmp_path: Path) -> None:
    overrides = load_ui_overrides(overrides_file(tmp_path, "# nothing to correct yet\n"))
    assert overrides.labels_for("fr")["common.save"] == labels_for("fr")["common.save"]
