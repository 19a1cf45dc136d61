"""Error kinds are typed: every error class carries an `ErrorKind`, Playwright's errors are translated in one
mapping (automation/browser/retry.py), anything else is `unexpected` naming its type; reports keep the JSON
values they always had, and an old report's untyped kind still reads."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from playwright._impl._errors import TargetClosedError
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

import automation
import ecom_privacy
import flows
from automation.browser.retry import as_typed_error, typed
from ecom_privacy.errors import EcomPrivacyError, ErrorKind, TransientError, UiMismatchError, UnexpectedError
from ecom_privacy.models import RunDocument, SettingResult, SettingStatus, StoreResult

ROOT = Path(__file__).resolve().parents[2]
#: the kinds report.json, saved plans and the history database have always held: their JSON never changes
RECORDED = {"error", "config", "authentication", "account_locked", "bot_challenge", "ui_mismatch", "transient",
            "session_expired", "stale_plan", "verification", "setting", "locked", "output", "interrupted",
            "not_finished"}


def error_classes() -> list[type[EcomPrivacyError]]:
    for package in (ecom_privacy, flows, automation):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".db.migrations" not in module.name and not module.name.endswith("__main__"):
                importlib.import_module(module.name)
    found, todo = [], [EcomPrivacyError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo += cls.__subclasses__()
    return found


def test_every_error_class_carries_an_error_kind() -> None:
    classes = error_classes()
    assert {"LockBusyError", "OutputError", "UiMismatchError", "UnexpectedError"} <= {c.__name__ for c in classes}
    untyped = [cls.__qualname__ for cls in classes if not isinstance(cls.kind, ErrorKind)]
    assert untyped == []


def test_the_kinds_keep_their_json_values() -> None:
    assert {kind.value for kind in ErrorKind} >= RECORDED
    result = SettingResult(setting="cookie_law", status=SettingStatus.FAILED, error_kind=UiMismatchError.kind)
    assert result.model_dump(mode="json")["error_kind"] == "ui_mismatch"
    assert SettingResult.model_validate_json(result.model_dump_json()).error_kind is ErrorKind.UI_MISMATCH


def test_a_report_written_before_the_enum_still_reads() -> None:
    # Reports used to record the Python class of an error that was not ours: they read as `unexpected`.
    old = {"created_at": "2026-03-01T02:00:00+00:00", "fleet_file": "fleet.yaml", "stores": [
        {"id": "shop", "status": "error", "error": "boom", "error_kind": "KeyError",
         "settings": [{"setting": "analytics", "status": "failed", "error": "x", "error_kind": "Error"},
                      {"setting": "cookie_law", "status": "failed", "error": "y", "error_kind": "transient"}]}]}
    [store] = RunDocument.model_validate(old).stores
    assert store.error_kind is ErrorKind.UNEXPECTED
    assert [s.error_kind for s in store.settings] == [ErrorKind.UNEXPECTED, ErrorKind.TRANSIENT]
    with pytest.raises(ValueError):
        StoreResult.model_validate({"id": "shop", "error_kind": 3})


@pytest.mark.parametrize(("error", "kind", "words"), [
    (PlaywrightTimeoutError("Timeout 15000ms exceeded.\nCall log: ..."), ErrorKind.TRANSIENT, "timed out: Timeout"),
    (TargetClosedError(), ErrorKind.TRANSIENT, "connection problem: Target page"),
    (PlaywrightError("Page.goto: net::ERR_CONNECTION_REFUSED at http://shop.test/"), ErrorKind.TRANSIENT,
     "connection problem: Page.goto: net::ERR_CONNECTION_REFUSED"),
    (PlaywrightError("Locator.click: Element is not attached to the DOM"), ErrorKind.UNEXPECTED,
     "Error: Locator.click: Element is not attached"),
    (KeyError("cookie_law"), ErrorKind.UNEXPECTED, "KeyError: 'cookie_law'"),
    (UiMismatchError("Web extras", "section", "en"), ErrorKind.UI_MISMATCH, "UI did not match"),
])
def test_any_error_is_recorded_with_a_typed_kind(error: BaseException, kind: ErrorKind, words: str) -> None:
    typed_error = as_typed_error(error)
    assert typed_error.kind is kind and str(typed_error).startswith(words)


async def test_only_playwrights_errors_are_translated_on_the_way_other_errors_pass_as_they_are() -> None:
    async def times_out() -> None:
        raise PlaywrightTimeoutError("Timeout 15000ms exceeded")

    async def has_a_bug() -> None:
        raise KeyError("cookie_law")

    with pytest.raises(TransientError):
        await typed(times_out)
    with pytest.raises(KeyError):  # not wrapped: an interrupt or a bug is not retried, and keeps its type
        await typed(has_a_bug)
    assert isinstance(as_typed_error(KeyError("x")), UnexpectedError)


def test_no_kind_is_taken_from_an_errors_class_name() -> None:
    # a kind read off any object, or made of its class name (messages may name the class: they decide nothing)
    untyped = re.compile(r"getattr\([^)]*[\"']kind[\"']|kind\b[^=\n]*=[^=].*type\(\w+\)\.__name__")
    offenders = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
                 for package in ("ecom_privacy", "flows", "automation")
                 for path in sorted((ROOT / package).rglob("*.py"))
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if untyped.search(line) and path != ROOT / "ecom_privacy" / "errors.py"]
    assert offenders == []
