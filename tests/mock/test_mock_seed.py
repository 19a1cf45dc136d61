"""Seed validation: clear errors naming the key path, default pages, the store generator."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from mock_backoffice import i18n
from mock_backoffice import seed as seed_module
from mock_backoffice.default_pages import DEFAULT_PAGES
from mock_backoffice.i18n import LABELS, LOCALES
from mock_backoffice.seed import (
    SeedError,
    derived_password,
    derived_recovery_codes,
    derived_totp_secret,
    load_default_seed,
    load_seed_file,
    parse_seed,
)
from mock_backoffice.state import World

MINIMAL: dict[str, Any] = {"stores": [{"id": "a", "email": "a@a.test", "password": "pw"}]}


def with_store(**changes: Any) -> dict[str, Any]:
    seed = copy.deepcopy(MINIMAL)
    seed["stores"][0].update(changes)
    return seed


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        ({"stores": [], "colour": 1}, "colour: unknown key"),
        (with_store(colour="red"), "stores[0].colour: unknown key"),
        (with_store(cookie_law={"mode": "confirm", "colour": 1}), "stores[0].cookie_law.colour: unknown key"),
        (with_store(cookie_law={"mode": "loud"}), "stores[0].cookie_law.mode: must be one of"),
        (with_store(locale="it"), "stores[0].locale: must be one of"),
        (with_store(id="Bad_Id"), "stores[0].id: must match [a-z0-9-]+"),
        (with_store(password=123456), "stores[0].password: must be a string"),
        (with_store(email="nobody"), "stores[0].email: not an email address"),
        (with_store(totp_secret="not base32!"), "stores[0].totp_secret: not a valid base32 TOTP secret"),
        (with_store(pages=[{"content": "x"}]), "stores[0].pages[0].title: required key missing"),
        (with_store(pages=[{"title": "x", "visible": "yes"}]), "stores[0].pages[0].visible: must be true or false"),
        (with_store(web_extras={"reviews": {"on": True}}), "stores[0].web_extras.reviews.on: unknown key"),
        ({"stores": [{"id": "a", "password": "pw"}]}, "stores[0].email: required key missing"),
        ({"stores": [MINIMAL["stores"][0], MINIMAL["stores"][0]]}, "stores[1].id: duplicate store id 'a'"),
        ({"stores": []}, "the seed defines no stores"),
        ({"generate": {"count": 0}}, "generate.count: must be an integer"),
        ({"generate": {"count": 2, "locales": ["it"]}}, "generate.locales[0]: must be one of"),
        ({"generate": {"count": 2, "size": 1}}, "generate.size: unknown key"),
        ({"stores": "a"}, "stores: must be a list"),
        (None, "seed: empty"),
    ],
)
def test_invalid_seed_names_the_key(seed: Any, message: str) -> None:
    with pytest.raises(SeedError) as error:
        parse_seed(seed)
    assert message in str(error.value)


def test_defaults_fill_in_name_locale_and_cookie_law() -> None:
    store = parse_seed({"stores": [{"id": "fiets-shop", "email": "a@a.test", "password": "pw"}]}).stores[0]
    assert (store.name, store.locale, store.cookie_law.mode, store.totp_secret) == ("Fiets Shop", "en", "none", None)


def test_default_seed_has_three_stores_one_with_totp() -> None:
    spec = parse_seed(load_default_seed())
    assert sorted(store.locale for store in spec.stores) == ["en", "en", "nl"]
    assert sum(1 for store in spec.stores if store.totp_secret) == 1


def test_seed_file_errors(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="cannot read seed file"):
        load_seed_file(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("stores: [\n", encoding="utf-8")
    with pytest.raises(SeedError, match="not valid YAML"):
        load_seed_file(broken)


def test_generate_is_deterministic_and_cycles_locales() -> None:
    raw = {"generate": {"count": 3, "prefix": "bench", "locales": ["nl", "en"], "cookie_law": {"mode": "notify"}}}
    first, second = parse_seed(raw), parse_seed(raw)
    assert first == second
    assert [(s.id, s.locale) for s in first.stores] == [("bench-001", "nl"), ("bench-002", "en"), ("bench-003", "nl")]
    assert first.stores[0].password == derived_password("bench-001") != first.stores[1].password
    assert all(store.cookie_law.mode == "notify" for store in first.stores)
    fixed = parse_seed({"generate": {"count": 1, "password": "same"}})
    assert fixed.stores[0].id == "store-001" and fixed.stores[0].password == "same"


def test_generated_ids_may_not_collide_with_explicit_stores() -> None:
    raw = {"stores": [{"id": "store-001", "email": "a@a.test", "password": "pw"}], "generate": {"count": 1}}
    with pytest.raises(SeedError, match="duplicate store id 'store-001'"):
        parse_seed(raw)


def test_default_pages_per_locale_and_seed_pages() -> None:
    raw = {
        "stores": [
            {
                "id": "nl",
                "locale": "nl",
                "email": "a@a.test",
                "password": "pw",
                "pages": [
                    {"title": "Privacybeleid", "content": "<p>Volledig.</p>"},
                    {"title": "Over ons", "visible": False},
                    {"title": "Verkoop mijn persoonsgegevens niet", "visible": False},
                    {"title": "Contact"},
                ],
            }
        ]
    }
    store = World(parse_seed(raw)).stores["nl"]
    pages = {page.slug: page for page in store.pages}
    assert list(pages)[:5] == ["about", "privacy-policy", "general-terms-conditions", "shipping-returns", "contact"]
    assert [page.id for page in store.pages] == [1, 2, 3, 4, 5, 6]
    assert pages["privacy-policy"].content == "<p>Volledig.</p>" and pages["privacy-policy"].visible
    assert pages["about"].visible is False and pages["about"].content.startswith("<p>Wij")
    ccpa = pages["verkoop-mijn-persoonsgegevens-niet"]
    assert (ccpa.title, ccpa.visible, ccpa.id) == ("Verkoop mijn persoonsgegevens niet", False, 6)
    assert len(store.pages) == 6  # "Contact" replaced the default contact page instead of adding one


def test_default_privacy_policy_is_incomplete_in_both_locales() -> None:
    for locale, title in (("en", "Privacy policy"), ("nl", "Privacybeleid")):
        raw = {"stores": [{"id": "s", "locale": locale, "email": "a@a.test", "password": "pw"}]}
        page = World(parse_seed(raw)).stores["s"].page_by_slug("privacy-policy")
        assert page is not None and page.title == title and page.visible and "cookie" not in page.content.lower()


def test_added_pages_get_unique_slugs() -> None:
    raw = with_store(pages=[{"title": "Café Info"}, {"title": "Cafe info"}])
    slugs = [page.slug for page in World(parse_seed(raw)).stores["a"].pages[5:]]
    assert slugs == ["cafe-info", "cafe-info-2"]


def test_text_tables_have_the_same_keys_in_every_locale() -> None:
    assert set(LABELS) == set(LOCALES)
    for locale in LOCALES:
        assert set(LABELS[locale]) == set(LABELS["en"]), locale


def test_one_list_of_locales() -> None:
    # The seed accepts exactly the locales that have texts (and default pages): one list, in i18n.
    assert seed_module.LOCALES is LOCALES
    assert set(DEFAULT_PAGES) == set(LOCALES)


def test_a_text_table_with_a_key_given_twice_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "en.yaml").write_text("save: Save\nsave: Store\n", encoding="utf-8")
    monkeypatch.setattr(i18n, "TEXTS_DIR", tmp_path)
    with pytest.raises(Exception, match="'save' is given twice"):
        i18n.load_texts("en")


@pytest.mark.parametrize(
    ("store", "message"),
    [
        ({"subscribers": "x"}, "stores[0].subscribers: must be a list, or a mapping such as {generate: {count: 10}}"),
        ({"subscribers": {"generate": {"count": 5, "passive_before_2018": 9}}},
         "stores[0].subscribers.generate.passive_before_2018: must be an integer from 0 to 5 (got 9)"),
        ({"languages": ["nl", "nl"]}, "stores[0].languages: a language is listed twice (nl, nl)"),
        ({"analytics": {"measurement_id": "UA-1"}}, "stores[0].analytics.measurement_id: must look like G-"),
        ({"web_extras": {"reviews": {"enabled": 1}}}, "stores[0].web_extras.reviews.enabled: must be true or false"),
        ({"name": " "}, "stores[0].name: must not be empty"),
        ({"two_step": "yes"}, "stores[0].two_step: must be true or false (got 'yes')"),
    ],
)
def test_pydantic_errors_are_one_line_naming_the_key(store: dict[str, Any], message: str) -> None:
    with pytest.raises(SeedError) as error:
        parse_seed(with_store(**store))
    assert str(error.value).startswith(message) and "\n" not in str(error.value)


def test_password_and_totp_secret_can_be_derived_so_seed_files_hold_no_secret() -> None:
    spec = parse_seed({"stores": [{"id": "quiet", "email": "o@quiet.test", "two_step": True},
                                  {"id": "plain", "email": "o@plain.test"}]})
    quiet, plain = spec.stores
    assert quiet.password == derived_password("quiet") and len(quiet.password) == 20
    assert quiet.totp_secret == derived_totp_secret("quiet") and len(quiet.totp_secret) == 32
    assert plain.totp_secret is None and plain.password != quiet.password
    with pytest.raises(SeedError, match=r"stores\[0\]\.two_step: give either two_step or totp_secret"):
        parse_seed({"stores": [{"id": "x", "email": "o@x.test", "two_step": True,
                                "totp_secret": "NB2W45DFOIZA4ZLDN5WS24DSNF3GC4TD"}]})


def test_two_step_accounts_get_derived_recovery_codes_and_a_seed_may_give_its_own() -> None:
    (derived,) = parse_seed(with_store(two_step=True)).stores
    assert derived.recovery_codes == derived_recovery_codes("a") and len(derived.recovery_codes) == 10
    assert all(re.fullmatch(r"[0-9a-f]{4}-[0-9a-f]{4}", code) for code in derived.recovery_codes)
    (given,) = parse_seed(with_store(two_step=True, recovery_codes=["AAAA-1111", "bbbb2222"])).stores
    assert given.recovery_codes == ("AAAA-1111", "bbbb2222")
    (plain,) = parse_seed(MINIMAL).stores
    assert plain.recovery_codes == () and plain.bot_challenge is False


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"recovery_codes": ["abcd-1234"]}, "stores[0].recovery_codes: only for an account with two-step"),
        ({"two_step": True, "recovery_codes": []}, "stores[0].recovery_codes: must be a non-empty list"),
        ({"two_step": True, "recovery_codes": ["ab,cd-1234"]}, "stores[0].recovery_codes[0]: 6 to 32 letters"),
        ({"two_step": True, "recovery_codes": ["abcd-1234", "ABCD1234"]}, "recovery_codes[1]: 'ABCD1234' is listed"),
        ({"bot_challenge": "yes"}, "stores[0].bot_challenge: must be true or false"),
    ],
)
def test_invalid_recovery_codes_and_bot_challenge(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(SeedError) as excinfo:
        parse_seed(with_store(**changes))
    assert message in str(excinfo.value)


def test_stores_with_one_email_share_one_account() -> None:
    seed = {"stores": [{"id": "a", "email": "Agency@x.test", "two_step": True},
                       {"id": "b", "email": "agency@x.test"},
                       {"id": "c", "email": "c@x.test"}]}
    a, b, c = parse_seed(seed).stores
    assert a.password == b.password == derived_password("a") != c.password
    assert a.totp_secret == b.totp_secret == derived_totp_secret("a") and c.totp_secret is None
    assert a.recovery_codes == b.recovery_codes == derived_recovery_codes("a")
    world = World(parse_seed(seed))
    assert world.stores["a"].account is world.stores["b"].account
    assert world.stores["a"].account.store_ids == ["a", "b"]
    assert set(world.identity.accounts) == {"agency@x.test", "c@x.test"}


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ({"password": "other"}, "stores[1].password: differs from stores[0].password, a store with the same email"),
        ({"totp_secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"}, "stores[1].totp_secret: differs from stores[0]"),
    ],
)
def test_stores_sharing_an_account_must_agree(second: dict[str, Any], message: str) -> None:
    first = {"id": "a", "email": "a@x.test", "password": "pw", "totp_secret": "NB2W45DFOIZA4ZLDN5WS24DSNF3GC4TD"}
    seed = {"stores": [first, {"id": "b", "email": "A@x.test", **second}]}
    with pytest.raises(SeedError) as excinfo:
        parse_seed(seed)
    assert message in str(excinfo.value)
