"""Where a running app keeps its world and fault registry, and how request code reaches them."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, abort, current_app, g

from .faults import FaultRegistry
from .state import Store, World

EXTENSION_KEY = "mock_backoffice"


@dataclass
class MockUrls:
    """Where the two origins are reached; a server sets them once it has bound its ports.

    The defaults suit Flask's test client (whose requests go to http://localhost/); tests that use the
    test client send identity requests to the `identity` base (see `testing.BackofficeClient`).
    """

    stores: str = "http://localhost"
    identity: str = "http://identity.localhost"


@dataclass
class MockContext:
    world: World
    faults: FaultRegistry
    urls: MockUrls = field(default_factory=MockUrls)
    #: the identity service's own Flask app (another origin), sharing this world
    identity_app: Flask | None = None


def context_of(app: Flask) -> MockContext:
    return app.extensions[EXTENSION_KEY]


def identity_app_of(app: Flask) -> Flask:
    """The identity service app that belongs to a store app made by `create_app`."""
    identity = context_of(app).identity_app
    assert identity is not None, "create_app builds the identity app with the store app"
    return identity


def world_of(app: Flask) -> World:
    """The world of an app made by `create_app`, for tests that want to inspect or tweak it."""
    return context_of(app).world


def mock() -> MockContext:
    return context_of(current_app)


def current_store() -> Store:
    """The store of the current request (set by the store blueprints before any view runs)."""
    store: Store | None = g.get("store")
    if store is None:
        abort(404)
    return store
