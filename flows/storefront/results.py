"""Small helpers every storefront check module uses to report."""

from __future__ import annotations

from ecom_privacy.models import CheckResult, CheckStatus

#: cookie-law modes in which the bar offers a choice (accept and reject)
CHOICE_MODES = ("confirm", "custom")


def result(name: str, status: CheckStatus, message: str, seen: list[str] | None = None) -> CheckResult:
    return CheckResult(name=name, status=status, message=message, seen=seen or [])
