"""A real local SMTP server for the breach tests and the demo: STARTTLS with a self-signed certificate,
AUTH (one user), every accepted message kept in memory and, optionally, written to a folder as .eml.

It stands in for the agency's mail provider the way the mock backoffice stands in for the stores.
Run it: `python -m mock_backoffice.smtp_sink --port 8825 --dir demo/smtp` (prints the settings to use).
Needs aiosmtpd (in the dev extra) and the openssl command (for the certificate).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email
import email.policy
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (the client trusts it through its CA file)."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    # A certificate kept in the folder from an earlier start is reused only while it is valid for another day:
    # a folder that outlives the 30 days (a demo folder kept around) must not make the server fail later.
    if not cert.exists() or subprocess.run(["openssl", "x509", "-checkend", "86400", "-noout", "-in", str(cert)],
                                           capture_output=True).returncode != 0:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                        str(cert), "-days", "30", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                       check=True, capture_output=True)
    return cert, key


@dataclass
class SmtpSink:
    cert_dir: Path
    user: str = "agency"
    password: str = "Smtp-Secret-2026!"
    port: int = 0
    folder: Path | None = None
    received: list[Received] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)
    #: addresses answered with "550 mailbox unavailable" (a refusal the tool must record as failed)
    refuse: set[str] = field(default_factory=set)
    #: keep the answer to the Nth message (1-based) back until `release` is set: the message is received but
    #: the client has no "250" yet, the window where a killed sender cannot know whether it was delivered
    hold_at: int | None = None
    release: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.port = self.port or free_port()
        self._changed = threading.Condition()
        self._controller: Any = None

    @property
    def ca_file(self) -> Path:
        return self.cert_dir / "smtp-cert.pem"

    def env(self, sender: str = "Privacy desk <privacy@agency.test>") -> dict[str, str]:
        """The tool's SMTP settings for this server."""
        return {"ECOM_PRIVACY_SMTP_HOST": "127.0.0.1", "ECOM_PRIVACY_SMTP_PORT": str(self.port),
                "ECOM_PRIVACY_SMTP_USER": self.user, "ECOM_PRIVACY_SMTP_PASSWORD": self.password,
                "ECOM_PRIVACY_SMTP_FROM": sender, "ECOM_PRIVACY_SMTP_CA_FILE": str(self.ca_file)}

    # -- aiosmtpd hooks --------------------------------------------------------------------------------
    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address.casefold() in {a.casefold() for a in self.refuse}:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._changed:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
            if self.folder is not None:
                self.folder.mkdir(parents=True, exist_ok=True)
                (self.folder / f"{len(self.received):05d}.eml").write_bytes(envelope.content)
            self._changed.notify_all()
            hold = self.hold_at == len(self.received)
        if hold:
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
        return "250 Message accepted for delivery"

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == self.user
              and auth_data.password.decode() == self.password)
        self.logins.append((mechanism, ok))
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    # -- life cycle ------------------------------------------------------------------------------------
    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        cert, key = make_certificate(self.cert_dir)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(cert), str(key))
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, tls_context=context,
                                      require_starttls=True, authenticator=self._authenticate, auth_required=True,
                                      auth_require_tls=True,
                                      # smtplib retries a refused PLAIN with an initial-response LOGIN that
                                      # aiosmtpd 1.4 does not answer: offer PLAIN only.
                                      auth_exclude_mechanism=["LOGIN"])
        self._controller.start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._controller is not None:
            with contextlib.suppress(Exception):
                self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 30.0) -> bool:
        """Block until `count` messages have arrived (a condition, not a sleep); False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self.received) >= count, timeout=timeout)

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description="A local SMTP server (STARTTLS, AUTH) that keeps every message")
    parser.add_argument("--port", type=int, default=8825)
    parser.add_argument("--dir", type=Path, required=True, help="folder for the certificate and received .eml files")
    parser.add_argument("--env-out", type=Path, required=True,
                        help="append the tool's ECOM_PRIVACY_SMTP_* settings (password included) to this .env file")
    args = parser.parse_args()
    sink = SmtpSink(cert_dir=args.dir, port=args.port, folder=args.dir / "received").start()
    with args.env_out.open("a", encoding="utf-8") as handle:
        handle.writelines(f"{name}={value}\n" for name, value in sink.env().items())
    print(f"SMTP server on 127.0.0.1:{sink.port} (STARTTLS, AUTH); settings in {args.env_out}; "
          f"messages in {sink.folder}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sink.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
