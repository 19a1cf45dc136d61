"""Seed `break_ui`: a store whose backoffice lacks a part, for tests of how the tool reports a changed UI."""

from __future__ import annotations

import copy

import pytest
from flask.testing import FlaskClient

from mock_backoffice import create_app
from mock_backoffice.seed import SeedError, parse_seed
from mock_backoffice.testing import BackofficeClient
from tests.mock.conftest import SEED


def broken_client() -> FlaskClient:
    seed = copy.deepcopy(SEED)
    seed["stores"][1]["break_ui"] = ["cookie_law_section"]  # shop-en
    return create_app(seed).test_client()


def test_broken_store_has_no_cookie_law_section_and_others_are_intact() -> None:
    client = broken_client()
    broken, intact = BackofficeClient(client, "shop-en"), BackofficeClient(client, "shop-nl")
    broken.login()
    intact.login()
    html = client.get(broken.admin + "/settings/web_extras").get_data(as_text=True)
    assert "PRODUCT REVIEWS" in html and "COOKIE LAW" not in html and "cookielaw[mode]" not in html
    assert "COOKIEWET" in client.get(intact.admin + "/settings/web_extras").get_data(as_text=True)


def test_the_rest_of_the_broken_form_still_saves_and_keeps_the_cookie_law() -> None:
    client = broken_client()
    bo = BackofficeClient(client, "shop-en")
    bo.login()
    assert bo.post("/settings/web_extras", {"reviews[enabled]": "0"}).status_code == 302
    store = client.get("/__mock__/state").get_json()["stores"]["shop-en"]
    assert store["web_extras"]["reviews"]["enabled"] is False
    assert store["cookie_law"]["mode"] == "confirm"


def test_unknown_part_is_a_seed_error() -> None:
    seed = copy.deepcopy(SEED)
    seed["stores"][0]["break_ui"] = ["footer"]
    with pytest.raises(SeedError, match=r"stores\[0\]\.break_ui\[0\]: must be one of cookie_law_section"):
        parse_seed(seed)


def test_renamed_heading_keeps_the_section_working() -> None:
    seed = copy.deepcopy(SEED)
    seed["stores"][0]["break_ui"] = ["cookie_law_renamed"]  # shop-nl
    client = create_app(seed).test_client()
    bo = BackofficeClient(client, "shop-nl")
    bo.login()
    html = client.get(bo.admin + "/settings/web_extras").get_data(as_text=True)
    assert "<h2>COOKIEWET (GDPR)</h2>" in html and "cookielaw[mode]" in html
