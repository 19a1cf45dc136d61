"""Settings > Web statistics, the storefront's analytics tag and collect endpoint, the early-loading theme."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from mock_backoffice import SeedError, create_app, parse_seed
from mock_backoffice.testing import BackofficeClient, csrf_of

BoFactory = Callable[[str], BackofficeClient]
STATS = "/web_statistics"


def state(client: FlaskClient, store_id: str) -> dict[str, Any]:
    return client.get("/__mock__/state").get_json()["stores"][store_id]


def save(bo: BackofficeClient, measurement_id: str):
    token = csrf_of(bo.client.get(bo.admin + STATS))
    return bo.client.post(bo.admin + STATS, data={"ga4[measurement_id]": measurement_id, "csrf_token": token})


@pytest.mark.parametrize(
    ("store_id", "heading", "label"),
    [("shop-en", "Web statistics", "Measurement ID"), ("shop-nl", "Webstatistieken", "Metings-ID")],
)
def test_page_save_and_state(
    backoffice: BoFactory, client: FlaskClient, store_id: str, heading: str, label: str
) -> None:
    bo = backoffice(store_id)
    bo.login()
    html = bo.client.get(bo.admin + STATS).get_data(as_text=True)
    assert f"<h1>{heading}</h1>" in html and "<h2>GOOGLE ANALYTICS 4</h2>" in html
    assert f'<label for="ga4-measurement-id">{label}</label>' in html
    response = save(bo, "g-abc12345")
    assert response.status_code == 302
    assert state(client, store_id)["analytics"]["measurement_id"] == "G-ABC12345"
    assert 'role="status"' in bo.client.get(bo.admin + STATS).get_data(as_text=True)


def test_invalid_id_is_refused(backoffice: BoFactory, client: FlaskClient) -> None:
    bo = backoffice("shop-en")
    bo.login()
    response = save(bo, "UA-1234-5")
    assert response.status_code == 200 and 'role="alert"' in response.get_data(as_text=True)
    assert state(client, "shop-en")["analytics"]["measurement_id"] == ""


def test_storefront_loads_the_tag_only_with_an_id(seed: dict[str, Any]) -> None:
    seed = copy.deepcopy(seed)
    seed["stores"][1]["analytics"] = {"measurement_id": "G-ABC12345"}
    seed["stores"][2]["theme_loads_analytics_early"] = True
    client = create_app(seed).test_client()
    with_id = client.get("/shop-en/").get_data(as_text=True)
    assert 'data-measurement-id="G-ABC12345"' in with_id and "gtag.js" in with_id and "theme.js" not in with_id
    without = client.get("/shop-nl/").get_data(as_text=True)
    assert "gtag.js" not in without and "theme.js" not in without
    assert "theme.js" in client.get("/shop-totp/").get_data(as_text=True)


def test_collect_endpoint_records_hits(client: FlaskClient) -> None:
    assert client.post("/shop-en/g/collect?v=2&tid=G-ABC12345&en=page_view&gcs=G111&dl=/shop-en/").status_code == 204
    assert state(client, "shop-en")["analytics"]["hits"] == [
        {"tid": "G-ABC12345", "en": "page_view", "gcs": "G111", "dl": "/shop-en/"}
    ]


def test_seed_validation(seed: dict[str, Any]) -> None:
    seed = copy.deepcopy(seed)
    seed["stores"][0]["analytics"] = {"measurement_id": "nope"}
    with pytest.raises(SeedError, match=r"stores\[0\]\.analytics\.measurement_id"):
        parse_seed(seed)
