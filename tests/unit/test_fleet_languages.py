"""Fleet file: shop `languages` and `backoffice_locale` (layered defaults < groups < store), the deprecated
`locale`, and the validation errors that name the store and the language."""

from __future__ import annotations

from pathlib import Path

import pytest

from automation.fleet.composition import read_fleet
from ecom_privacy.errors import ConfigError

HEAD = """
  - id: {id}
    backoffice_url: http://127.0.0.1:9/{id}/admin
    storefront_url: http://127.0.0.1:9/{id}/
    credentials: {{email_env: E, password_env: P}}
"""


def fleet(tmp_path: Path, body: str, stores: dict[str, str]) -> Path:
    text = body + "stores:" + "".join(HEAD.format(id=sid) + extra for sid, extra in stores.items())
    path = tmp_path / "fleet.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_languages_layer_defaults_then_groups_then_store(tmp_path: Path) -> None:
    body = """
defaults: {languages: [nl, en], backoffice_locale: nl, cookie_law: {mode: confirm}}
groups:
  belgium: {languages: [nl, fr]}
  german-office: {backoffice_locale: de}
"""
    loaded = read_fleet(fleet(tmp_path, body, {
        "plain": "",
        "be": "    groups: [belgium, german-office]\n",
        "own": "    groups: [belgium]\n    languages: [de, en]\n    backoffice_locale: en\n",
        "legacy": "    locale: en\n",
    }))
    stores = {store.id: store for store in loaded.stores}
    assert (stores["plain"].locale, stores["plain"].shop_languages) == ("nl", ("nl", "en"))
    assert (stores["be"].backoffice_locale, stores["be"].shop_languages) == ("de", ("nl", "fr"))
    assert (stores["own"].locale, stores["own"].shop_languages) == ("en", ("de", "en"))
    # the deprecated `locale` on a store is both its backoffice language and its one shop language
    assert (stores["legacy"].locale, stores["legacy"].shop_languages) == ("en", ("en",))
    assert set(stores["plain"].desired) == {"cookie_law"}  # store facts are not settings


def test_a_store_without_languages_speaks_its_backoffice_language(tmp_path: Path) -> None:
    [store] = read_fleet(fleet(tmp_path, "", {"de-shop": "    backoffice_locale: de\n"})).stores
    assert store.shop_languages == ("de",)


@pytest.mark.parametrize(("extra", "expected"), [
    ("    backoffice_locale: es\n", "backoffice_locale (store shop): 'es' has no label table "
                                    "(flows/labels/es.yaml)"),
    ("    locale: xx\n", "locale (store shop): 'xx' has no label table"),
    ("    backoffice_locale: nl\n    languages: [nl, deutsch]\n", "'deutsch' is not a two-letter language code"),
    ("    backoffice_locale: nl\n    languages: [nl, en, nl]\n", "a language is listed twice"),
    ("    locale: nl\n    backoffice_locale: en\n", "the deprecated 'locale' (nl) contradicts backoffice_locale"),
    ("", "backoffice_locale: required"),
    ("    locale: nl\n    overrides: {languages: [nl]}\n", "a store fact, not a setting"),
])
def test_bad_languages_are_errors_naming_the_store(tmp_path: Path, extra: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        read_fleet(fleet(tmp_path, "", {"shop": extra}))
    assert expected in str(info.value) and "shop" in str(info.value)


def test_a_group_backoffice_locale_without_a_table_is_an_error(tmp_path: Path) -> None:
    body = "groups:\n  spain: {backoffice_locale: es}\n"
    with pytest.raises(ConfigError, match=r"stores\[0\] \(store shop\)\.backoffice_locale: 'es' has no label table"):
        read_fleet(fleet(tmp_path, body, {"shop": "    groups: [spain]\n"}))
