"""Real local alert receivers: an HTTP server for Apprise's json:// and an SMTP server (aiosmtpd) for mailto://."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class JsonReceiver:
    port: int
    messages: list[dict[str, Any]] = field(default_factory=list)

    def url(self, path: str = "hooks/ecom") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"


@contextmanager
def json_receiver() -> Iterator[JsonReceiver]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # the name http.server calls
            length = int(self.headers.get("Content-Length", 0))
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield JsonReceiver(server.server_address[1], received)
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SmtpReceiver:
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    def url(self, to: str = "ops@agency.test") -> str:
        return f"mailto://127.0.0.1:{self.port}?from=alerts@agency.test&to={to}&secure=no"


@contextmanager
def smtp_receiver() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver(free_port())

    class Handler:
        async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # the name aiosmtpd calls
            receiver.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=receiver.port)
    controller.start()
    try:
        yield receiver
    finally:
        controller.stop()
