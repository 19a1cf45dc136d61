"""Retries for transient faults only, with exponential backoff (tenacity).

Authentication failures and UI mismatches are never retried: an account locks after a few refused
passwords, and a changed page will not match on the next try either.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

from playwright._impl._errors import TargetClosedError  # public since 1.40, not re-exported by async_api
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from automation.outputs.files import storage_error
from ecom_privacy.errors import EcomPrivacyError, TransientError, UnexpectedError

T = TypeVar("T")

#: Chromium's network error codes (`net::ERR_CONNECTION_REFUSED`, ...) and a crashed or aborted navigation, as
#: Playwright words them: it has no type for these, so this table is the one place its messages are read
CONNECTION_FAILED = re.compile(r"net::ERR_[A-Z_]+|Navigation failed")


def _first_line(exc: PlaywrightError) -> str:
    return (exc.message.splitlines() or [""])[0]


def _playwright_error(exc: PlaywrightError) -> EcomPrivacyError | None:
    """The one translation of Playwright's errors into ours, most specific first (httpx's `map_exceptions`):
    a timeout, a closed target and a failed connection are transient; any other is not ours to type (None)."""
    if isinstance(exc, PlaywrightTimeoutError):
        return TransientError(f"timed out: {_first_line(exc)}")
    if isinstance(exc, TargetClosedError):  # the page, context or browser went away under an action
        return TransientError(f"connection problem: {_first_line(exc)}")
    if CONNECTION_FAILED.search(exc.message):
        return TransientError(f"connection problem: {_first_line(exc)}")
    return None


def translated(exc: BaseException) -> EcomPrivacyError | None:
    """`exc` as one of ours when it has a meaning here (one of Playwright's, a file of the run that failed); None
    otherwise."""
    if isinstance(exc, EcomPrivacyError):
        return exc
    if isinstance(exc, OSError):  # a file of the run (a screenshot's folder, a trace) on a full or broken disk
        return storage_error(exc, exc.filename or "a file of the run")
    if isinstance(exc, PlaywrightError):
        return _playwright_error(exc)
    return None


def as_typed_error(exc: BaseException) -> EcomPrivacyError:
    """Any error as ours, for a result that records its kind: translated, else `UnexpectedError` (its kind
    `unexpected`, its message naming the Python type): every kind is typed, none is read off an object."""
    return translated(exc) or UnexpectedError(exc)


async def typed(operation: Callable[[], Awaitable[T]]) -> T:
    """Run `operation`; Playwright's errors that have a meaning here are raised as ours (a timeout as transient,
    so it is retried), anything else as it is (an interrupt, a bug: not retried)."""
    try:
        return await operation()
    except Exception as exc:
        mapped = translated(exc)
        if mapped is None or mapped is exc:
            raise
        raise mapped from exc


async def retry_transient(operation: Callable[[], Awaitable[T]], attempts: int,
                          before_retry: Callable[[BaseException], Awaitable[None]] | None = None,
                          max_wait_s: float = 4.0) -> T:
    """Run `operation`, retrying TransientError up to `attempts` times in all.

    `before_retry` runs between attempts (for example: log in again after the session expired).
    """
    retrying = AsyncRetrying(
        stop=stop_after_attempt(max(1, attempts)),
        # Jitter: many stores of one platform failing together must not all come back in the same instant.
        wait=wait_exponential_jitter(multiplier=0.25, max=max_wait_s, jitter=0.25),
        retry=retry_if_exception_type(TransientError),
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            try:
                return await typed(operation)
            except TransientError as exc:
                if before_retry is not None and attempt.retry_state.attempt_number < max(1, attempts):
                    await typed(lambda exc=exc: before_retry(exc))
                raise
    raise AssertionError("unreachable: tenacity re-raises the last error")
