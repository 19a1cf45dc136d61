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
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from automation.fleet.breach_mail import check_address
from ecom_privacy.clock import SYSTEM_CLOCK, Clock
from ecom_privacy.errors import ConfigError, EcomPrivacyError

PREFIX = "ECOM_PRIVACY_SMTP_"
ENV_HELP = {
    "HOST": "the SMTP server (required)",
    "PORT": "its port (default 587)",
    "STARTTLS": "yes (default) or no: no only for a server on this machine",
    "USER": "the login name (optional; with PASSWORD)",
    "PASSWORD": "the login password (never printed or stored)",
    "FROM": "the sender address, e.g. 'Green Teas <privacy@green-teas.example>' (required for a store whose "
            "fleet entry has no breach_mail.from)",
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
    #: ECOM_PRIVACY_SMTP_FROM: the sender of a store without its own (the fleet file's breach_mail.from)
    sender: str | None
    user: str | None
    password: str | None
    ca_file: str | None
    timeout: float

    @classmethod
    def from_env(cls, env: Mapping[str, str], without_sender: tuple[str, ...] | None = None) -> SmtpSettings:
        """`without_sender`: the stores whose fleet entry names no sender (breach_mail.from), which need
        ECOM_PRIVACY_SMTP_FROM; None: it is needed (no store is known to have its own)."""
        def get(name: str) -> str | None:
            return (env.get(PREFIX + name) or "").strip() or None

        needs_from = without_sender is None or bool(without_sender)
        missing = [PREFIX + name for name in ("HOST", "FROM") if not get(name) and (name == "HOST" or needs_from)]
        if missing:
            stores = list(without_sender or ())
            why = (f" (store{'s' if len(stores) > 1 else ''} {', '.join(stores)} ha{'ve' if len(stores) > 1 else 's'} "
                   f"no breach_mail.from in the fleet file)" if stores and PREFIX + "FROM" in missing else "")
            raise ConfigError(f"SMTP: {', '.join(missing)} not set{why}; set them in the environment or the .env file "
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
        sender = get("FROM")
        if sender is not None:
            try:
                check_address(sender)
            except ValueError as exc:
                raise ConfigError(f"SMTP: {PREFIX}FROM: {exc}") from None
        return cls(host, port, use_tls, sender, user, password, get("CA_FILE"), timeout)


@dataclass(frozen=True)
class Letterhead:
    """Whom one store's letters come from and where replies go (fleet breach_mail, else ECOM_PRIVACY_SMTP_FROM)."""

    sender: str
    reply_to: tuple[str, ...] = ()


def build_message(sender: str, to: str, subject: str, html: str, text: str, reference: str,
                  date: datetime, reply_to: tuple[str, ...] = ()) -> EmailMessage:
    # No folding of long headers: a subject folded right after "Subject:" reaches some readers with a
    # leading space; 998 is RFC 5322's limit for a line.
    message = EmailMessage(policy=email.policy.default.clone(max_line_length=998))
    message["From"], message["To"], message["Subject"] = sender, to, subject
    if reply_to:
        message["Reply-To"] = ", ".join(reply_to)
    message["Date"] = format_datetime(date)  # the run's clock (aware, UTC), as the register records the sending
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip("> ") or None)
    #: lets a person or a script find every message of one incident in a mailbox
    message["X-Ecom-Privacy-Incident"] = reference
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def connect_problem(exc: BaseException, step: str, s: SmtpSettings) -> str:
    """What went wrong opening the connection, and which setting to change: one line."""
    host_port = f"check {PREFIX}HOST and {PREFIX}PORT"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"login refused for {s.user!r} ({exc.smtp_code}); check {PREFIX}USER and {PREFIX}PASSWORD"
    if isinstance(exc, smtplib.SMTPNotSupportedError) and step == "starttls":
        return (f"the server offers no STARTTLS; use a server (or port) that does, e.g. 587 ({PREFIX}HOST, "
                f"{PREFIX}PORT), or, only for a server on this machine, set {PREFIX}STARTTLS=no")
    if isinstance(exc, smtplib.SMTPNotSupportedError) and step == "login":
        return (f"the server offers no login (AUTH){'' if s.starttls else ' without STARTTLS'}; "
                + (f"set {PREFIX}STARTTLS=yes (most servers offer AUTH only after it), or " if not s.starttls else "")
                + f"leave {PREFIX}USER and {PREFIX}PASSWORD unset")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"its certificate is not trusted ({exc.verify_message}); set {PREFIX}CA_FILE to the CA certificate "
                f"that signed it, or check {PREFIX}HOST (the name must match the certificate)")
    if isinstance(exc, ssl.SSLError):
        return (f"the TLS handshake failed ({exc.reason or exc}); port 465 speaks TLS from the first byte, which this "
                f"tool does not: use the STARTTLS port, usually 587 ({PREFIX}PORT)")
    if isinstance(exc, TimeoutError):  # socket.timeout too
        return f"no answer within {s.timeout:g} s; {host_port} (a firewall?), or raise {PREFIX}TIMEOUT"
    if isinstance(exc, socket.gaierror):
        return f"the host name {s.host!r} cannot be resolved; check {PREFIX}HOST"
    if isinstance(exc, ConnectionRefusedError):
        return f"nothing accepts connections there; {host_port}"
    if isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionResetError):
        return f"the server closed the connection during {step}; {host_port} (is it an SMTP server?)"
    return f"cannot {step}: {type(exc).__name__}: {exc}; {host_port}"


def sender_hint(code: int, s: SmtpSettings) -> str:
    if code == 530 or (code in (550, 553, 554) and not s.user):
        return f"the server may want a login first: set {PREFIX}USER and {PREFIX}PASSWORD"
    return (f"use a sender this account may send as: the fleet file's breach_mail.from for the store, or "
            f"{PREFIX}FROM")


class Mailer:
    """One SMTP connection, opened on first use; the letters of one store (its letterhead)."""

    def __init__(self, settings: SmtpSettings, letterhead: Letterhead | None = None) -> None:
        self.settings = settings
        self.letterhead = letterhead or Letterhead(settings.sender or "")
        self._smtp: _TrackedSMTP | None = None

    @property
    def sender(self) -> str:
        return self.letterhead.sender

    @property
    def reply_to(self) -> tuple[str, ...]:
        return self.letterhead.reply_to

    def connect(self) -> None:
        """Open the connection (and log in) now: wrong settings fail before any recipient is touched."""
        if self._smtp is None:
            self._smtp = self._connect()

    def _connect(self) -> _TrackedSMTP:
        s = self.settings
        where = f"SMTP {s.host}:{s.port}"
        try:
            context = ssl.create_default_context(cafile=s.ca_file) if s.ca_file else ssl.create_default_context()
        except (OSError, ssl.SSLError) as exc:
            raise NotConnected(f"{where}: {PREFIX}CA_FILE {s.ca_file}: cannot be read as a CA certificate "
                               f"({exc.strerror or exc}); point it to the server's CA certificate (PEM)") from None
        smtp: smtplib.SMTP | None = None
        step = "connect"
        try:
            smtp = _TrackedSMTP(s.host, s.port, timeout=s.timeout)
            smtp.ehlo()
            if s.starttls:
                step = "starttls"
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.user and s.password:
                step = "login"
                smtp.login(s.user, s.password)
        except Exception as exc:
            if smtp is not None:
                with contextlib.suppress(Exception):
                    smtp.close()
            raise NotConnected(f"{where}: {connect_problem(exc, step, s)}") from None
        return smtp

    def check_sender(self, sender: str) -> None:
        """Ask the server whether it takes letters from `sender` (MAIL FROM, then RSET: nothing is sent)."""
        self.connect()
        assert self._smtp is not None
        try:
            code, answer = self._smtp.mail(parseaddr(sender)[1])
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.rset()
        except (OSError, smtplib.SMTPException) as exc:
            raise NotConnected(f"SMTP {self.settings.host}:{self.settings.port}: the connection failed while "
                               f"checking the sender {sender!r}: {type(exc).__name__}: {exc}") from None
        if code >= 400:
            text = answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)
            raise NotConnected(f"SMTP {self.settings.host}:{self.settings.port}: refuses letters from {sender!r} "
                               f"({code} {text}); {sender_hint(code, self.settings)}")

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


def check_smtp(settings: SmtpSettings, senders: list[str]) -> None:
    """Before any store is opened: connect, STARTTLS, log in, and ask whether each sender is taken (nothing is
    sent). A wrong setting is one error naming the variable to change, before a backoffice is logged in to."""
    mailer = Mailer(settings)
    try:
        mailer.connect()
        for sender in dict.fromkeys(senders):
            mailer.check_sender(sender)
    finally:
        mailer.close()


class Pacer:
    """At most `per_minute` messages a minute, evenly spaced (a provider's limit, the store's reputation)."""

    def __init__(self, per_minute: float, clock: Clock = SYSTEM_CLOCK,
                 pause: Callable[[float], None] = time.sleep) -> None:
        if per_minute <= 0:
            raise ConfigError(f"--rate must be more than 0 messages a minute, not {per_minute}")
        self.interval = 60.0 / per_minute
        self._clock, self._pause = clock, pause
        self._next: float | None = None

    def wait(self) -> None:
        now = self._clock.monotonic()
        if self._next is not None and now < self._next:
            self._pause(self._next - now)
            now = self._next
        self._next = now + self.interval
