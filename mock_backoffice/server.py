"""Run the mock in a background thread, for tests and benchmarks of the whole project."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import create_app
from .context import world_of
from .seed import SeedSpec
from .state import World


class QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request: it would drown test output. Errors are still logged."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


def url_host(host: str) -> str:
    """The host to put in URLs: a wildcard bind is reached over loopback; IPv6 needs brackets."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


class MockServer:
    """`with MockServer(seed) as server: ... server.url ...`; port 0 picks a free port."""

    def __init__(
        self,
        seed: Mapping[str, Any] | SeedSpec | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        quiet: bool = True,
    ) -> None:
        self.app: Flask = create_app(seed)
        self.host = host
        self.port = port
        self._quiet = quiet
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def world(self) -> World:
        return world_of(self.app)

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("MockServer is not running; call start() first")
        return f"http://{url_host(self.host)}:{self._server.server_port}"

    def start(self) -> MockServer:
        if self._server is not None:
            return self
        handler = QuietRequestHandler if self._quiet else None
        # make_server binds immediately, so `url` is valid (and the port known) as soon as start() returns.
        self._server = make_server(self.host, self.port, self.app, threaded=True, request_handler=handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"mock-backoffice:{self._server.server_port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
