"""A storefront's own word on its languages (`?format=json`: shop.languages) against the fleet file's."""

from __future__ import annotations

from flows.storefront.shop_facts import ShopFacts, languages_of, shop_languages_result


def test_the_languages_default_first_from_a_mapping_or_a_list() -> None:
    mapping = {"shop": {"languages": {"de": {"code": "de"}, "nl": {"code": "nl", "default": True}}}}
    assert languages_of(mapping) == ("nl", "de")
    assert languages_of({"shop": {"languages": [{"code": "en"}, {"code": "fr"}]}}) == ("en", "fr")
    assert languages_of({"shop": {"languages": {"nl": {}, "en": {}}}}) == ("nl", "en")  # codes as keys only
    assert languages_of({"shop": {}}) == () and languages_of(None) == ()


def test_a_difference_with_the_fleet_file_is_a_warning() -> None:
    same = shop_languages_result(ShopFacts(("nl", "en"), "eu1"), ("nl", "en"))
    assert (same.status, same.message) == ("pass", "the shop's languages are the fleet file's: nl, en (cluster eu1)")
    more = shop_languages_result(ShopFacts(("nl", "en", "de")), ("nl", "en"))
    assert more.status == "warn" and "not managed: de" in more.message
    moved = shop_languages_result(ShopFacts(("en", "nl")), ("nl", "en"))
    assert moved.status == "warn" and "the default language differs" in moved.message
    assert shop_languages_result(None, ("nl",)).status == "skip"
