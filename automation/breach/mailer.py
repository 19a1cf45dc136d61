"""SMTP with STARTTLS, settings and credentials from the environment (or the untracked .env file).

Each message is one SMTP transaction. What an error means for the person decides what the register says:
a refusal (the server answered "no") is `failed`, safe to try again later; a connection lost after the
message was handed over is unknown (it may have been delivered), so the caller stops and leaves the
recipient `sending`: at most once.
"""

from __future__ import annotations

import contextlib
import email.policy
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from ecom_privacy.errors import ConfigError, EcomPrivacyError

PREFIX = "ECOM_PRIVACY_SMTP_"
ENV_HELP = {
    "HOST": "the SMTP server (required)",
    "PORT": "its port (default 587)",
    "STARTTLS": "yes (default) or no: no only for a server on this machine",
    "USER": "the login name (optional; with PASSWORD)",
    "PASSWORD": "the login password (never printed or stored)",
    "FROM": "the sender address, e.g. 'Green Teas <privacy@green-teas.example>' (required)",
    "CA_FILE": "a CA certificate file to trust besides the system's (a private server's certificate)",
    "TIMEOUT": "seconds to wait for the server (default 30)",
}


class DeliveryUnknown(EcomPrivacyError):
    """The connection failed while a message was being handed over: it may or may not have been delivered."""


class NotConnected(EcomPrivacyError):
    """No connection to the SMTP server could be made: nothing was handed over."""


class DeliveryRefused(EcomPrivacyError):
    """The server refused this message (the answer is in the text): it was not delivered."""


class _TrackedSMTP(smtplib.SMTP):
    """smtplib's client, telling whether the message itself was handed over: only after the server said 354 to
    DATA and the message was sent can the server hold it. A connection lost before (at MAIL FROM, RCPT TO, the
    DATA command) delivered nothing, so that recipient is `failed` (tried again later), never `uncertain`."""

    handed_over = False

    def data(self, msg: bytes | str) -> tuple[int, bytes]:
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        payload = msg if isinstance(msg, bytes) else smtplib._fix_eols(msg).encode("ascii")  # type: ignore[attr-defined]
        payload = smtplib._quote_periods(payload)  # type: ignore[attr-defined]
        if payload[-2:] != smtplib.bCRLF:
            payload += smtplib.bCRLF
        self.handed_over = True  # from the next byte on the server may end up with the message
        self.send(payload + b"." + smtplib.bCRLF)
        return self.getreply()


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool
    sender: str
    user: str | None
    password: str | None
    ca_file: str | None
    timeout: float

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SmtpSettings:
        def get(name: str) -> str | None:
            return (env.get(PREFIX + name) or "").strip() or None

        missing = [PREFIX + name for name in ("HOST", "FROM") if not get(name)]
        if missing:
            raise ConfigError(f"SMTP: {', '.join(missing)} not set; set them in the environment or the .env file "
                              f"(--env-file); see the README, 'Data breaches'")
        try:
            port, timeout = int(get("PORT") or 587), float(get("TIMEOUT") or 30)
        except ValueError:
            raise ConfigError(f"SMTP: {PREFIX}PORT and {PREFIX}TIMEOUT must be numbers") from None
        if any(char in (get(name) or "") for name in ("FROM", "HOST", "USER") for char in "\r\n"):
            raise ConfigError(f"SMTP: {PREFIX}FROM, {PREFIX}HOST and {PREFIX}USER must be one line each (a line "
                              f"break would end the mail header); fix them in the environment or the .env file")
        starttls = (get("STARTTLS") or "yes").lower()
        if starttls not in ("yes", "no", "true", "false", "1", "0"):
            raise ConfigError(f"SMTP: {PREFIX}STARTTLS must be yes or no, not {starttls!r}")
        host = get("HOST") or ""
        use_tls = starttls in ("yes", "true", "1")
        if not use_tls and host not in ("127.0.0.1", "localhost", "::1"):
            raise ConfigError(f"SMTP: {PREFIX}STARTTLS=no is allowed only for a server on this machine, not {host}: "
                              f"the messages describe a breach and must not cross a network in clear text")
        user, password = get("USER"), env.get(PREFIX + "PASSWORD") or None
        if bool(user) != bool(password):
            raise ConfigError(f"SMTP: set both {PREFIX}USER and {PREFIX}PASSWORD, or neither")
        return cls(host, port, use_tls, get("FROM") or "", user, password, get("CA_FILE"), timeout)


def build_message(sender: str, to: str, subject: str, html: str, text: str, reference: str) -> EmailMessage:
    # No folding of long headers: a subject folded right after "Subject:" reaches some readers with a
    # leading space; 998 is RFC 5322's limit for a line.
    message = EmailMessage(policy=email.policy.default.clone(max_line_length=998))
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip("> ") or None)
    #: lets a person or a script find every message of one incident in a mailbox
    message["X-Ecom-Privacy-Incident"] = reference
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


class Mailer:
    """One SMTP connection, opened on first use."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: _TrackedSMTP | None = None

    def connect(self) -> None:
        """Open the connection (and log in) now: wrong settings fail before any recipient is touched."""
        if self._smtp is None:
            self._smtp = self._connect()

    def _connect(self) -> _TrackedSMTP:
        s = self.settings
        try:
            smtp = _TrackedSMTP(s.host, s.port, timeout=s.timeout)
            smtp.ehlo()
            if s.starttls:
                context = ssl.create_default_context(cafile=s.ca_file) if s.ca_file else ssl.create_default_context()
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.user and s.password:
                smtp.login(s.user, s.password)
        except smtplib.SMTPAuthenticationError as exc:
            raise NotConnected(f"SMTP {s.host}:{s.port}: login refused for {s.user!r} ({exc.smtp_code}); check "
                              f"{PREFIX}USER and {PREFIX}PASSWORD") from None
        except smtplib.SMTPNotSupportedError:
            raise NotConnected(f"SMTP {s.host}:{s.port}: the server offers no STARTTLS; use one that does") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise NotConnected(f"SMTP {s.host}:{s.port}: cannot connect: {type(exc).__name__}: {exc}") from None
        return smtp

    def send(self, message: EmailMessage) -> str:
        """Hand one message over; returns its Message-ID. Raises NotConnected (nothing was handed over),
        DeliveryRefused or DeliveryUnknown (the connection broke after the message was handed over)."""
        self.connect()
        smtp = self._smtp
        assert smtp is not None
        smtp.handed_over = False
        try:
            refused = smtp.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
            raise DeliveryRefused(f"refused by the server: {exc}") from None
        except (OSError, smtplib.SMTPException) as exc:
            self._smtp = None
            if not smtp.handed_over:
                raise NotConnected(f"connection to {self.settings.host} lost before the message was handed over "
                                   f"({type(exc).__name__}: {exc}); nothing was sent to this recipient") from None
            raise DeliveryUnknown(f"connection to {self.settings.host} lost while sending: "
                                  f"{type(exc).__name__}: {exc}") from None
        if refused:
            raise DeliveryRefused(f"refused by the server: {refused}")
        return str(message["Message-ID"])

    def close(self) -> None:
        if self._smtp is not None:
            # The messages are handed over already; a failed goodbye changes nothing.
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
            self._smtp = None


class Pacer:
    """At most `per_minute` messages a minute, evenly spaced (a provider's limit, the store's reputation)."""

    def __init__(self, per_minute: float, clock: Callable[[], float] = time.monotonic,
                 pause: Callable[[float], None] = time.sleep) -> None:
        if per_minute <= 0:
            raise ConfigError(f"--rate must be more than 0 messages a minute, not {per_minute}")
        self.interval = 60.0 / per_minute
        self._clock, self._pause = clock, pause
        self._next: float | None = None

    def wait(self) -> None:
        now = self._clock()
        if self._next is not None and now < self._next:
            self._pause(self._next - now)
            now = self._next
        self._next = now + self.interval
