"""Only transient faults are retried: a refused password or a changed page is tried exactly once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from automation.browser.retry import Deadline, DeadlinePassedError, retry_transient
from ecom_privacy.clock import FixedClock
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


class Renewals:
    """The separate budget of expired sessions: renews `budget` times, then declines."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.renewed = 0

    async def __call__(self, exc: SessionExpiredError) -> bool:
        if self.renewed >= self.budget:
            return False
        self.renewed += 1
        return True


async def test_renewed_sessions_do_not_spend_the_tries_meant_for_faults() -> None:
    # Five expiries and two HTTP 500s: with three tries in all, only the renewals' own budget carries it.
    operation = Flaky(*(SessionExpiredError(f"expired #{n}") for n in range(5)), TransientError("HTTP 500"),
                      TransientError("HTTP 500"))
    renew = Renewals(budget=5)
    assert await retry_transient(operation, attempts=3, max_wait_s=0.01, renew=renew) == "done"
    assert operation.calls == 8 and renew.renewed == 5


async def test_an_expiry_past_the_renewal_budget_is_a_failed_try_like_any_other() -> None:
    seen: list[str] = []

    async def before(exc: BaseException) -> None:
        seen.append(str(exc))

    operation = Flaky(*(SessionExpiredError(f"expired #{n}") for n in range(10)))
    with pytest.raises(SessionExpiredError, match="#4"):
        await retry_transient(operation, attempts=3, before_retry=before, max_wait_s=0.01, renew=Renewals(2))
    assert operation.calls == 5  # two renewed for free, then three counted tries
    assert seen == ["expired #2", "expired #3"]  # logged in again before each counted retry but the last


async def test_past_the_deadline_a_failed_try_is_the_last_one() -> None:
    clock = FixedClock(datetime(2026, 1, 1, tzinfo=UTC))
    deadline = Deadline(clock, 30)

    async def fails_after_a_while() -> str:
        clock.advance(20)  # each try takes 20 s: the second one ends past the deadline
        raise TransientError("HTTP 500")

    with pytest.raises(DeadlinePassedError, match="deadline of 30 s passed after 2 failed tries"):
        await retry_transient(fails_after_a_while, attempts=100, max_wait_s=0.01, deadline=deadline)
    assert deadline.passed() and deadline.left() == 0


async def test_without_a_deadline_the_tries_bound_the_step() -> None:
    deadline = Deadline(FixedClock(datetime(2026, 1, 1, tzinfo=UTC)), None)
    operation = Flaky(*(TransientError(f"HTTP 500 #{n}") for n in range(5)))
    with pytest.raises(TransientError, match="#3") as raised:
        await retry_transient(operation, attempts=4, max_wait_s=0.01, deadline=deadline)
    assert not isinstance(raised.value, DeadlinePassedError) and deadline.left() is None
