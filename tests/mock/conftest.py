"""Fixtures for the mock backoffice's own tests (Flask test client, no browser)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_backoffice import create_app, world_of
from mock_backoffice.state import World
from mock_backoffice.testing import BackofficeClient

TOTP_SECRET = "NB2W45DFOIZA4ZLDN5WS24DSNF3GC4TD"

# The mock's own HTML-level tests were written against the `aria` markup and keep it (its field names and roles);
# the `classic` markup (the default) has tests of its own (test_mock_markup.py).
SEED: dict[str, Any] = {
    "stores": [
        {"id": "shop-nl", "name": "Winkel NL", "locale": "nl", "email": "nl@shop.test", "password": "geheim-nl",
         "markup": "aria"},
        {
            "id": "shop-en",
            "locale": "en",
            "email": "en@shop.test",
            "password": "secret-en",
            "markup": "aria",
            "cookie_law": {"mode": "confirm"},
        },
        {
            "id": "shop-totp",
            "locale": "en",
            "email": "totp@shop.test",
            "password": "secret-totp",
            "markup": "aria",
            "totp_secret": TOTP_SECRET,
        },
        {
            "id": "shop-custom",
            "locale": "en",
            "email": "custom@shop.test",
            "password": "secret-custom",
            "markup": "aria",
            "cookie_law": {"mode": "custom", "message": "We use <b>cookies</b> & more."},
        },
    ]
}


@pytest.fixture
def seed() -> dict[str, Any]:
    return copy.deepcopy(SEED)


@pytest.fixture
def app(seed: dict[str, Any]) -> Flask:
    return create_app(seed)


@pytest.fixture
def world(app: Flask) -> World:
    return world_of(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def backoffice(client: FlaskClient) -> Callable[[str], BackofficeClient]:
    return lambda store_id: BackofficeClient(client, store_id)


@pytest.fixture
def fake_clock(world: World) -> list[float]:
    """Replace the world's clock; tests move time by editing `fake_clock[0]` instead of sleeping."""
    now = [1_700_000_000.0]
    world.clock = lambda: now[0]
    return now
