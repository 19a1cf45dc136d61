"""Retries for transient faults only, with exponential backoff; expired sessions on a budget of their own.

Authentication failures and UI mismatches are never retried: an account locks after a few refused
passwords, and a changed page will not match on the next try either.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

from playwright._impl._errors import TargetClosedError  # public since 1.40, not re-exported by async_api
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from automation.outputs.files import storage_error
from ecom_privacy.clock import Clock
from ecom_privacy.errors import EcomPrivacyError, SessionExpiredError, TransientError, UnexpectedError

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


class Deadline:
    """The time a store may take in one run, read on the run's clock (never the system's directly): past
    it, no retry and no new step begins, so a store that is truly down ends instead of being tried forever.

    `seconds` None: no deadline (only the tries of each step bound the work)."""

    def __init__(self, clock: Clock, seconds: float | None) -> None:
        self.clock = clock
        self.seconds = seconds
        self.ends_at = None if seconds is None else clock.monotonic() + seconds

    def passed(self) -> bool:
        return self.ends_at is not None and self.clock.monotonic() >= self.ends_at

    def left(self) -> float | None:
        """Seconds left (0 when passed); None without a deadline."""
        return None if self.ends_at is None else max(0.0, self.ends_at - self.clock.monotonic())


class DeadlinePassedError(TransientError):
    """The store's deadline passed: its remaining work is not started, or a failing step is not tried again.
    A transient fault (the next run tries again); its message says which deadline."""


def backoff_s(failures: int, max_wait_s: float) -> float:
    # Jitter: many stores of one platform failing together must not all come back in the same instant.
    return min(max_wait_s, 0.25 * 2 ** (failures - 1)) + random.uniform(0, 0.25)


async def retry_transient(operation: Callable[[], Awaitable[T]], attempts: int,
                          before_retry: Callable[[BaseException], Awaitable[None]] | None = None,
                          max_wait_s: float = 4.0, *,
                          renew: Callable[[SessionExpiredError], Awaitable[bool]] | None = None,
                          deadline: Deadline | None = None,
                          sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> T:
    """Run `operation`, retrying TransientError up to `attempts` tries in all, with exponential backoff.

    `before_retry` runs between tries (for example: log in again after the session expired).
    `renew` is the separate budget of expired sessions: given a SessionExpiredError, it renews the session
    and answers True when its budget allowed it; the operation then runs again at once and the try is not
    counted (a backoffice that ends sessions every 20 s must not use up the retries meant for HTTP 500s).
    Answering False (budget spent) makes the expiry an ordinary transient failure.
    `deadline`: once passed, a failed try is the last one (DeadlinePassedError, naming the fault).
    """
    failures = 0
    while True:
        try:
            return await typed(operation)
        except TransientError as exc:
            error: TransientError = exc
        if isinstance(error, SessionExpiredError) and renew is not None:
            try:
                if await typed(lambda expired=error: renew(expired)):
                    continue
            except TransientError as exc:  # the renewal met a fault itself: a failed try like any other
                error = exc
        failures += 1
        if deadline is not None and deadline.passed():
            raise DeadlinePassedError(f"{error} (given up: the store's deadline of {deadline.seconds:g} s "
                                      f"passed after {failures} failed tries of this step)") from error
        if failures >= max(1, attempts):
            raise error
        if before_retry is not None:
            try:
                await typed(lambda failed=error: before_retry(failed))
            except TransientError as exc:  # e.g. a new login that met an HTTP 500: the next try finds out
                error = exc
        await sleep(backoff_s(failures, max_wait_s))
