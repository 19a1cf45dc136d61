"""Logging through structlog, configured once at the edge (the CLI).

Readable lines on a terminal, JSON lines otherwise (cron, CI) or with --log-format json. The last processor
before rendering redacts every known secret, whatever field it hides in.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, MutableMapping
from typing import Any, TextIO

import structlog

from ecom_privacy.terminal_text import printable

SENSITIVE_KEYS = {"password", "totp_secret", "totp", "secret", "cookie", "cookies", "set-cookie", "session_id",
                  "backend_session_id", "storage_state", "authorization", "csrf_token"}


def _redact_value(value: Any, redact: Callable[[str], str]) -> Any:
    """Redact inside nested data too, keeping its shape (a dict stays a dict in the JSON line)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {str(k): "***" if str(k).lower() in SENSITIVE_KEYS else _redact_value(v, redact)
                for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_redact_value(item, redact) for item in value]
    return redact(str(value))


def _redaction_processor(redact: Callable[[str], str]) -> Callable[..., MutableMapping[str, Any]]:
    def process(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        for key, value in list(event.items()):
            event[key] = "***" if key.lower() in SENSITIVE_KEYS else _redact_value(value, redact)
        return event

    return process


def _printable_processor(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Console lines quote store data (errors naming a subscriber or a page's text): no terminal controls.
    JSON lines need nothing: the renderer escapes every control and non-ASCII character."""
    for key, value in list(event.items()):
        if isinstance(value, str):
            event[key] = printable(value)
    return event


class _CurrentStderr:
    """Writes to whatever `sys.stderr` is at the time of each line, not the one seen when logging was set up:
    a caller that swaps stderr (a progress bar, an embedding program, pytest's capture) never leaves the
    logger writing into a closed stream."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


def configure_logging(log_format: str | None, redact: Callable[[str], str], verbose: bool = False,
                      stream: TextIO | None = None, colour: bool = True) -> None:
    """log_format: "console", "json" or None (console on a terminal, JSON otherwise). Console lines are in
    colour on a terminal unless `colour` is False (NO_COLOR, --no-color)."""
    stream = stream or _CurrentStderr()  # type: ignore[assignment]
    if log_format is None:
        log_format = "console" if stream.isatty() else "json"
    renderer: Any = (structlog.dev.ConsoleRenderer(colors=colour and stream.isatty()) if log_format == "console"
                     else structlog.processors.JSONRenderer())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            _redaction_processor(redact),
            *([_printable_processor] if log_format == "console" else []),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG if verbose else logging.INFO),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )


def get_logger(**context: Any) -> Any:
    return structlog.get_logger("ecom_privacy").bind(**context)
