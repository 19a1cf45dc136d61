"""Injected faults: latency, random HTTP 500s and short session lifetimes, globally or per store.

A store-specific configuration replaces the global one for that store (it is not merged key by key), so
`{"store": "a", "latency_ms": 0}` exempts one store from a global slowdown. Faults reach every request of a
store, its static CSS and JS included; `path` aims them at some requests only (`static/editor.js`: the
page editor's script), and `max_errors` stops the HTTP 500s after that many (a fault that heals).
`lose_answer: true` makes the HTTP 500s of writes come after the backoffice carried them out (reads fail as
before): the change is made, its answer is lost (a proxy that times out on a slow save), so a client that
writes again without reading first makes the change twice (`GET /__mock__/writes` counts it).
"""

from __future__ import annotations

import fnmatch
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Response

CONTROL_PREFIX = "/__mock__"

_NUMBER_KEYS = ("latency_ms", "error_rate", "session_ttl_s")
_ALLOWED_KEYS = (*_NUMBER_KEYS, "store", "seed", "path", "max_errors", "lose_answer")
#: the requests that change something: the only ones a `lose_answer` fault answers with HTTP 500
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class FaultError(ValueError):
    """An invalid fault request; the message names the key."""


@dataclass
class FaultConfig:
    latency_ms: float = 0
    error_rate: float = 0
    session_ttl_s: float | None = None
    seed: int | None = None
    #: glob over the path after the store id (`static/editor.js`, `static/*`, `admin/content/*`); None: all
    path: str | None = None
    #: no more HTTP 500s once this many were injected; None: no limit
    max_errors: int | None = None
    #: fail writes after carrying them out (the answer lost) rather than before handling them
    lose_answer: bool = False
    errors_injected: int = 0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def applies_to(self, store_path: str) -> bool:
        return self.path is None or fnmatch.fnmatchcase(store_path, self.path)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"latency_ms": self.latency_ms, "error_rate": self.error_rate,
                                "errors_injected": self.errors_injected}
        for key in ("session_ttl_s", "seed", "path", "max_errors"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.lose_answer:
            data["lose_answer"] = True
        return data


def parse_fault_request(body: Any, known_stores: set[str]) -> tuple[str | None, FaultConfig | None]:
    """Return (store or None for global, config or None to clear)."""
    if not isinstance(body, Mapping):
        raise FaultError("body: must be a JSON object")
    for key in body:
        if key not in _ALLOWED_KEYS:
            raise FaultError(f"{key}: unknown key (allowed: {', '.join(_ALLOWED_KEYS)})")
    store = body.get("store")
    if store is not None and store not in known_stores:
        raise FaultError(f"store: unknown store {store!r}")
    settings = {key: body[key] for key in _NUMBER_KEYS if key in body}
    for key, value in settings.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise FaultError(f"{key}: must be a number >= 0 (got {value!r})")
    if settings.get("error_rate", 0) > 1:
        raise FaultError(f"error_rate: must be between 0 and 1 (got {settings['error_rate']!r})")
    seed = body.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise FaultError(f"seed: must be an integer (got {seed!r})")
    path = body.get("path")
    if path is not None and (not isinstance(path, str) or not path.strip("/")):
        raise FaultError(f"path: must be a non-empty path glob such as 'static/editor.js' (got {path!r})")
    max_errors = body.get("max_errors")
    if max_errors is not None and (isinstance(max_errors, bool) or not isinstance(max_errors, int)
                                   or max_errors < 0):
        raise FaultError(f"max_errors: must be an integer >= 0 (got {max_errors!r})")
    lose_answer = body.get("lose_answer", False)
    if not isinstance(lose_answer, bool):
        raise FaultError(f"lose_answer: must be true or false (got {lose_answer!r})")
    if not settings:
        return store, None
    config = FaultConfig(
        latency_ms=settings.get("latency_ms", 0),
        error_rate=settings.get("error_rate", 0),
        session_ttl_s=settings.get("session_ttl_s"),
        seed=seed,
        path=path.strip("/") if path is not None else None,
        max_errors=max_errors,
        lose_answer=lose_answer,
        rng=random.Random(seed),
    )
    return store, config


class FaultRegistry:
    """Current fault settings. `sleep` is an attribute so tests can observe latency without waiting."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep) -> None:
        self.sleep = sleep
        self._lock = threading.Lock()
        self._global: FaultConfig | None = None
        self._per_store: dict[str, FaultConfig] = {}

    def set(self, store: str | None, config: FaultConfig | None) -> None:
        with self._lock:
            if store is None:
                self._global = config
            elif config is None:
                self._per_store.pop(store, None)
            else:
                self._per_store[store] = config

    def clear(self) -> None:
        with self._lock:
            self._global = None
            self._per_store.clear()

    def for_store(self, store_id: str | None) -> FaultConfig | None:
        with self._lock:
            if store_id is not None and store_id in self._per_store:
                return self._per_store[store_id]
            return self._global

    def session_ttl(self, store_id: str) -> float | None:
        config = self.for_store(store_id)
        return config.session_ttl_s if config is not None else None

    def should_fail(self, config: FaultConfig) -> bool:
        if config.error_rate <= 0:
            return False
        # One lock around the shared RNG keeps a seeded sequence reproducible under the threaded server.
        with self._lock:
            if config.max_errors is not None and config.errors_injected >= config.max_errors:
                return False
            failing = config.rng.random() < config.error_rate
            config.errors_injected += failing
            return failing

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "global": self._global.to_json() if self._global else {},
                "stores": {store: config.to_json() for store, config in self._per_store.items()},
            }


def is_control_path(path: str) -> bool:
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


def store_id_from_path(path: str) -> str | None:
    """Every store URL starts with `/<store id>/`, static files included."""
    first = path.lstrip("/").split("/", 1)[0]
    return first or None


def path_in_store(path: str) -> str:
    """`/shop/static/editor.js` -> `static/editor.js`."""
    parts = path.lstrip("/").split("/", 1)
    return parts[1] if len(parts) > 1 else ""


def fault_response(registry: FaultRegistry, path: str, method: str = "GET") -> Response | None:
    """Delay and/or fail a request as configured; None lets it through. Control URLs are exempt."""
    if is_control_path(path):
        return None
    config = registry.for_store(store_id_from_path(path))
    if config is None or not config.applies_to(path_in_store(path)):
        return None
    if config.latency_ms > 0:
        registry.sleep(config.latency_ms / 1000)
    if not (config.lose_answer and method in WRITE_METHODS) and registry.should_fail(config):
        return _error_500()
    return None


def lost_answer(registry: FaultRegistry, path: str, method: str) -> Response | None:
    """After a request was handled: the HTTP 500 that replaces a write's answer under `lose_answer`; else None."""
    if is_control_path(path) or method not in WRITE_METHODS:
        return None
    config = registry.for_store(store_id_from_path(path))
    if config is None or not config.lose_answer or not config.applies_to(path_in_store(path)):
        return None
    return _error_500() if registry.should_fail(config) else None


def _error_500() -> Response:
    return Response(
        "<!doctype html><title>500 Internal Server Error</title>"
        "<h1>Internal Server Error</h1><p>The server encountered an internal error.</p>",
        status=500,
        mimetype="text/html",
    )


def identity_fault_response(registry: FaultRegistry, path: str) -> Response | None:
    """The identity service is no store: only the global faults reach it (`path` globs match its own
    paths, e.g. `auth/login`), so a fleet-wide outage slows and fails the login too."""
    config = registry.for_store(None)
    if config is None or not config.applies_to(path.lstrip("/")):
        return None
    if config.latency_ms > 0:
        registry.sleep(config.latency_ms / 1000)
    if registry.should_fail(config):
        return _error_500()
    return None
