"""Unit tests are pure logic and must stay fast (the whole folder in seconds): the engine's retries run
without their backoff waits here. How long the tool waits between tries is not what these tests check;
tests/unit/test_retry.py checks the retrying itself, with its own short waits."""

from __future__ import annotations

import pytest

import automation.browser.retry


@pytest.fixture(autouse=True)
def no_backoff_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(automation.browser.retry, "backoff_s", lambda failures, max_wait_s: 0.0)
