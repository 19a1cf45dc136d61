"""Where a running app keeps its world and fault registry, and how request code reaches them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, abort, current_app, g

from .faults import FaultRegistry
from .state import Store, World

EXTENSION_KEY = "mock_backoffice"


@dataclass
class MockContext:
    world: World
    faults: FaultRegistry


def context_of(app: Flask) -> MockContext:
    return app.extensions[EXTENSION_KEY]


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
