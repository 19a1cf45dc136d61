"""Run the mock in background threads, for tests and benchmarks of the whole project: the stores on one
port and the identity service on another (its own origin)."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, get_sockaddr, make_server, select_address_family

from .app import create_app
from .context import context_of, identity_app_of, world_of
from .seed import SeedSpec
from .state import World

#: query parameters whose values are secrets of the login chain (one-time tokens, codes, login state)
_SECRET_PARAMS = re.compile(r"(?i)([?&](?:token|code|state|ticket|password)=)[^&\s\"]*")


def redact_line(line: str) -> str:
    """An access or error log line without the values of the chain's secret query parameters."""
    return _SECRET_PARAMS.sub(r"\1***", line)


class RedactingRequestHandler(WSGIRequestHandler):
    """werkzeug's request log, minus one-time tokens and codes in URLs (the request line is logged as sent)."""

    def log(self, type: str, message: str, *args: object) -> None:
        super().log(type, "%s", redact_line(message % args if args else message))


class QuietRequestHandler(RedactingRequestHandler):
    """No access log line per request: it would drown test output. Errors are still logged (redacted)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


def url_host(host: str) -> str:
    """The host to put in URLs: a wildcard bind is reached over loopback; IPv6 needs brackets."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def base_url(host: str, port: int) -> str:
    return f"http://{url_host(host)}:{port}"


def listen(host: str, port: int, app: Flask, handler: type[WSGIRequestHandler] | None) -> BaseWSGIServer:
    """werkzeug's threaded server, bound and listening; a port that cannot be bound raises OSError (werkzeug
    itself would print a message and exit the process)."""
    try:
        return make_server(host, port, app, threaded=True, request_handler=handler)
    except SystemExit as exc:
        raise OSError(f"cannot listen on {host}:{port}") from exc


def port_is_free(host: str, port: int) -> bool:
    """Whether `port` can be bound now (as werkzeug binds: SO_REUSEADDR, so only a listener blocks it)."""
    family = select_address_family(host, port)
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(get_sockaddr(host, port, family))
        except OSError:
            return False
    return True


def bind_identity(host: str, port: int | None, store_port: int, app: Flask,
                  handler: type[WSGIRequestHandler] | None) -> BaseWSGIServer:
    """Bind the identity service: on `port`, or (None) on the first free port after the stores' port."""
    if port is not None:
        return listen(host, port, app, handler)
    candidates = range(store_port + 1, min(store_port + 101, 65536))
    free = next((candidate for candidate in candidates if port_is_free(host, candidate)), 0)
    return listen(host, free, app, handler)


def publish_urls(app: Flask, stores: BaseWSGIServer, identity: BaseWSGIServer, host: str) -> None:
    """Tell both apps where the two origins really are (known only after binding, e.g. port 0)."""
    urls = context_of(app).urls
    urls.stores = base_url(host, stores.server_port)
    urls.identity = base_url(host, identity.server_port)


class MockServer:
    """`with MockServer(seed) as server: ... server.url, server.id_url ...`; port 0 picks a free port.

    It serves the stores on `port` and the identity service on `id_port` (default: any free port).
    """

    def __init__(
        self,
        seed: Mapping[str, Any] | SeedSpec | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        id_port: int = 0,
        quiet: bool = True,
    ) -> None:
        self.app: Flask = create_app(seed)
        self.identity_app: Flask = identity_app_of(self.app)
        self.host = host
        self.port = port
        self.id_port = id_port
        self._quiet = quiet
        self._server: BaseWSGIServer | None = None
        self._id_server: BaseWSGIServer | None = None
        self._threads: list[threading.Thread] = []

    @property
    def world(self) -> World:
        return world_of(self.app)

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("MockServer is not running; call start() first")
        return base_url(self.host, self._server.server_port)

    @property
    def id_url(self) -> str:
        """The identity service's base URL (its login page is `<id_url>/auth/login`)."""
        if self._id_server is None:
            raise RuntimeError("MockServer is not running; call start() first")
        return base_url(self.host, self._id_server.server_port)

    def start(self) -> MockServer:
        if self._server is not None:
            return self
        handler = QuietRequestHandler if self._quiet else RedactingRequestHandler
        # make_server binds immediately, so the URLs are valid (the ports known) as soon as start() returns.
        self._server = listen(self.host, self.port, self.app, handler)
        try:
            self._id_server = listen(self.host, self.id_port, self.identity_app, handler)
        except OSError:
            self._server.server_close()
            self._server = None
            raise
        publish_urls(self.app, self._server, self._id_server, self.host)
        for server, name in ((self._server, "mock-backoffice"), (self._id_server, "mock-identity")):
            thread = threading.Thread(target=server.serve_forever, name=f"{name}:{server.server_port}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop_identity(self) -> None:
        """Close the identity service's port (the stores keep running): for tests of an unreachable login."""
        if self._id_server is not None:
            self._id_server.shutdown()
            self._id_server.server_close()

    def stop(self) -> None:
        servers = [s for s in (self._server, self._id_server) if s is not None]
        threads, self._threads = self._threads, []
        self._server = self._id_server = None
        for server in servers:
            server.shutdown()
            server.server_close()
        for thread in threads:
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
