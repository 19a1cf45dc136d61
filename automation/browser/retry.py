"""Retries for transient faults only, with exponential backoff (tenacity).

Authentication failures and UI mismatches are never retried: an account locks after a few refused
passwords, and a changed page will not match on the next try either.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from automation.outputs.files import storage_error
from ecom_privacy.errors import EcomPrivacyError, TransientError

T = TypeVar("T")

#: Chromium network errors that mean "the connection failed", not "the page is wrong"
NETWORK_MARKERS = ("net::ERR_", "Target page, context or browser has been closed", "Navigation failed")


def as_typed_error(exc: BaseException) -> BaseException:
    """Map Playwright's untyped errors onto ours; anything else passes through unchanged."""
    if isinstance(exc, EcomPrivacyError):
        return exc
    if isinstance(exc, OSError):  # a file of the run (a screenshot's folder, a trace) on a full or broken disk
        return storage_error(exc, exc.filename or "a file of the run")
    if isinstance(exc, PlaywrightTimeoutError):
        return TransientError(f"timed out: {str(exc).splitlines()[0]}")
    if isinstance(exc, PlaywrightError) and any(marker in str(exc) for marker in NETWORK_MARKERS):
        return TransientError(f"connection problem: {str(exc).splitlines()[0]}")
    return exc


async def typed(operation: Callable[[], Awaitable[T]]) -> T:
    try:
        return await operation()
    except Exception as exc:
        mapped = as_typed_error(exc)
        if mapped is exc:
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
