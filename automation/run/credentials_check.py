"""`ecom-privacy login --check`: are the stored credentials still accepted? Checked on purpose, headless.

A run that finds a valid cached session never types the password, so a rotated (now wrong) password goes
unnoticed until the session expires, at 2 a.m. This command logs each selected store in with the
credentials of the environment, in a fresh browser context, without reading, using or replacing its cached
session, and reports per store. It logs in through the command's login coordinator like every command: the
stores of one account one after the other, a refusal remembered (and no further attempt for that account),
credentials refused before not tried again. Stores of one account with the very same credentials are
checked once. A check spends no single-use recovery code: for a store without a TOTP secret it stops at
the code step, which means the password was accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from playwright.async_api import Browser

from automation.access.backoffice import StoreAccess
from automation.browser.retry import as_typed_error
from automation.fleet.model import StoreConfig
from automation.run.setting_phase import NOT_STARTED
from automation.run.walker import BrowserChoice, FleetWalker, StoreWork
from ecom_privacy.errors import (
    AuthenticationError,
    CodeUnavailableError,
    ConfigError,
    EcomPrivacyError,
    LoginWithheldError,
)
from ecom_privacy.models import LoginCounts
from ecom_privacy.setting import PlanInput

Verdict = Literal["accepted", "password accepted", "refused", "not tried", "error"]


@dataclass
class CheckResult:
    store_id: str
    verdict: Verdict
    detail: str = ""
    logins: LoginCounts | None = None

    @property
    def ok(self) -> bool:
        return self.verdict in ("accepted", "password accepted")


class _NoArtifacts:
    """A check runs no setting: nothing is ever saved."""

    def save(self, store_id: str, name: str, content: str | bytes, kind: str = "backups") -> Path:
        raise RuntimeError("a credentials check writes no artifact")


async def check_store(store: StoreConfig, browser: Browser, access: StoreAccess) -> CheckResult:
    backoffice = access.backoffice(store, browser)
    try:
        await backoffice.open(_NoArtifacts(), PlanInput(store_id=store.id, locale=store.locale))
        counts = backoffice.logins
        how = (f"{counts.password} password(s) and {counts.code} code(s) submitted" if counts.password + counts.code
               else "the same credentials as another store of the account, already checked")
        return CheckResult(store.id, "accepted", how, counts)
    except CodeUnavailableError:
        return CheckResult(store.id, "password accepted", "the code step was not answered: a check spends no "
                                                          "single-use recovery code", backoffice.logins)
    except LoginWithheldError as exc:
        return CheckResult(store.id, "not tried", access.redactor(str(exc)), backoffice.logins)
    except AuthenticationError as exc:
        return CheckResult(store.id, "refused", access.redactor(str(exc)) + "; remembered: no command tries these "
                                                                            "credentials again", backoffice.logins)
    except ConfigError as exc:
        return CheckResult(store.id, "error", str(exc), backoffice.logins)
    except EcomPrivacyError as exc:
        return CheckResult(store.id, "error", f"{exc.kind}: {access.redactor(str(exc))}", backoffice.logins)
    except Exception as exc:  # one store's browser failure never stops the others
        error = as_typed_error(exc)
        return CheckResult(store.id, "error", f"{error.kind}: {access.redactor(str(error))}", backoffice.logins)
    finally:
        await backoffice.close(failed=False)


async def check_credentials(stores: list[StoreConfig], access: StoreAccess, browser: BrowserChoice,
                            parallelism: int) -> list[CheckResult]:
    walker = FleetWalker(browser, parallelism)  # the browser choice carries the command's clock
    return await walker.walk(stores, StoreWork(
        run=lambda store, browser: check_store(store, browser, access),
        lost=lambda store: CheckResult(store.id, "error", "the connection to the browser was lost"),
        not_started=lambda store: CheckResult(store.id, "not tried", NOT_STARTED),
        describe=lambda result: {"verdict": result.verdict}))


def render_checks(results: list[CheckResult]) -> str:
    lines = [f"{result.store_id}: {result.verdict}" + (f" ({result.detail})" if result.detail else "")
             for result in results]
    accepted = sum(result.ok for result in results)
    lines.append(f"Credentials: {len(results)} store(s) checked, {accepted} accepted, "
                 f"{len(results) - accepted} not; cached sessions neither used nor replaced")
    return "\n".join(lines)


def check_exit_code(results: list[CheckResult]) -> int:
    return 0 if results and all(result.ok for result in results) else 1
