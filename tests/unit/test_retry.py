"""Only transient faults are retried: a refused password or a changed page is tried exactly once."""

from __future__ import annotations

import pytest
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from automation.browser.retry import retry_transient
from ecom_privacy.errors import AuthenticationError, SessionExpiredError, TransientError, UiMismatchError


class Flaky:
    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


async def test_transient_errors_and_timeouts_are_retried_until_success() -> None:
    operation = Flaky(TransientError("HTTP 500"), PlaywrightTimeoutError("Timeout 15000ms exceeded"))
    assert await retry_transient(operation, attempts=4, max_wait_s=0.01) == "done"
    assert operation.calls == 3


@pytest.mark.parametrize("error", [AuthenticationError("refused"), UiMismatchError("p", "e", "en"),
                                   ValueError("a bug")])
async def test_refusals_mismatches_and_bugs_are_not_retried(error: BaseException) -> None:
    operation = Flaky(error, error)
    with pytest.raises(type(error)):
        await retry_transient(operation, attempts=4, max_wait_s=0.01)
    assert operation.calls == 1


async def test_attempts_run_out_and_the_last_error_is_raised() -> None:
    operation = Flaky(*(TransientError(f"HTTP 500 #{n}") for n in range(5)))
    with pytest.raises(TransientError, match="#2"):
        await retry_transient(operation, attempts=3, max_wait_s=0.01)
    assert operation.calls == 3


async def test_before_retry_runs_between_attempts_for_example_to_log_in_again() -> None:
    seen: list[str] = []

    async def before(exc: BaseException) -> None:
        seen.append(type(exc).__name__)

    operation = Flaky(SessionExpiredError("sent to the login page"))
    assert await retry_transient(operation, attempts=4, before_retry=before, max_wait_s=0.01) == "done"
    assert seen == ["SessionExpiredError"]
