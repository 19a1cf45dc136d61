"""Fakes for the engine's browser-free unit tests: settings over a dict, a store's backoffice without a browser.

They stand in for our own browser side only (the flows and the Playwright session); the engine code under test
(StoreRun, store_plan, setting_phase) is the real one, and so is the opener (automation.access.backoffice,
tests/unit/test_backoffice.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from automation.fleet.model import CredentialRefs, StoreConfig, plan_input_for
from automation.outputs.artifacts import RunArtifacts
from automation.redaction.redactor import Redactor
from automation.run.engine import RunOptions, StoreRun
from ecom_privacy.clock import SYSTEM_CLOCK
from ecom_privacy.driver import Driver
from ecom_privacy.labels import Labels
from ecom_privacy.models import Change, ChangeAction, LoginCounts, RunKind
from ecom_privacy.setting import CurrentState, PlanInput, Setting, StoreSession


class Desired(BaseModel):
    value: str


class FakeCurrent(CurrentState):
    value: str


class FakeSetting(Setting[Desired, FakeCurrent]):
    """A setting whose backoffice is `world[name]`; every step is recorded in `events`.

    `fail` maps a step ("read", "plan", "apply", "read_back") to the error it raises; `on` maps a step to a
    callback run at its start (to interrupt the run there, or to change the world under a saved plan)."""

    desired_model = Desired
    current_model = FakeCurrent

    def __init__(self, name: str, world: dict[str, str], events: list[tuple[str, str]], *,
                 irreversible: bool = False, fail: dict[str, BaseException] | None = None,
                 on: dict[str, Callable[[], None]] | None = None, apply_returns: bool = True) -> None:
        self.name = name  # type: ignore[misc]
        self.world = world
        self.events = events
        self.irreversible = irreversible
        self.fail = fail or {}
        self.on = on or {}
        self.apply_returns = apply_returns

    def _enter(self, step: str) -> None:
        self.events.append((step, self.name))
        if step in self.on:
            self.on[step]()
        if step in self.fail:
            raise self.fail[step]

    async def read(self, session: StoreSession) -> FakeCurrent:
        self._enter("read")
        return FakeCurrent(value=self.world[self.name])

    def plan(self, current: FakeCurrent, desired: Desired, context: PlanInput) -> list[Change]:
        if "plan" in self.fail:
            raise self.fail["plan"]
        if current.value == desired.value:
            return []
        return [Change(setting=self.name, action=ChangeAction.UPDATE, before={"value": current.value},
                       after={"value": desired.value}, summary=f"{current.value} -> {desired.value}",
                       irreversible=self.irreversible)]

    async def apply(self, session: StoreSession, changes: list[Change]) -> bool:
        self._enter("apply")
        for change in changes:
            self.world[self.name] = change.after["value"]
        return self.apply_returns

    async def read_back(self, session: StoreSession, desired: Desired) -> FakeCurrent:
        self._enter("read_back")
        return await super().read_back(session, desired)


class FakeBackoffice:
    """A store's backoffice without a browser: steps run once (no retries), no screenshots, no traces."""

    def __init__(self, open_error: BaseException | None = None) -> None:
        self.open_error = open_error
        self.logins = LoginCounts()
        self.opened = False
        self.closed_failed: bool | None = None

    async def open(self, artifacts: Any, plan_input: PlanInput) -> Any:
        self.opened = True
        if self.open_error is not None:
            raise self.open_error
        return StoreSession(page=None, store_id=plan_input.store_id, locale=plan_input.locale,  # type: ignore[arg-type]
                            backoffice_url="http://backoffice.test/shop/admin", storefront_url="",
                            labels=Labels(plan_input.locale, {}), artifacts=artifacts, plan_input=plan_input,
                            clock=SYSTEM_CLOCK)

    async def step(self, operation: Callable[[], Awaitable[Any]]) -> Any:
        return await operation()

    async def screenshot(self, path_for: Callable[[], Path]) -> Path | None:
        return None

    async def close(self, failed: bool) -> list[Path]:
        self.closed_failed = failed
        return []


def store_config(desired: dict[str, str], allow_irreversible: bool = False) -> StoreConfig:
    return StoreConfig(
        id="shop", backoffice_url="http://backoffice.test/shop/admin", storefront_url="http://backoffice.test/shop/",
        locale="en", credentials=CredentialRefs(email_env="SHOP_EMAIL", password_env="SHOP_PASSWORD"),
        groups=(), vars={}, desired={name: Desired(value=value) for name, value in desired.items()},
        allow_irreversible=allow_irreversible,
    )


def driver_for(settings: list[FakeSetting], login: Any = None) -> Driver:
    async def no_login(*_: Any) -> None:
        raise AssertionError("this test does not log in")

    return Driver(settings={setting.name: setting for setting in settings}, login=login or no_login,
                  labels_for=lambda locale: Labels(locale, {}), supported_locales=("en",))


def store_run(tmp_path: Path, settings: list[FakeSetting], desired: dict[str, str],
              backoffice: FakeBackoffice | None = None, **options: Any) -> StoreRun:
    """A StoreRun of the real engine over fake settings and a fake session (plan unless kind= says apply)."""
    run_options = RunOptions(kind=options.pop("kind", RunKind.PLAN), **options)
    store = store_config(desired)
    fleet_like = type("FleetLike", (), {"base_dir": tmp_path})()
    driver = driver_for(settings)
    plan_input = plan_input_for(fleet_like, store, driver.shop_labels,  # type: ignore[arg-type]
                                run_options.allow_irreversible)
    return StoreRun(store, driver, run_options, backoffice or FakeBackoffice(), plan_input,
                    RunArtifacts(tmp_path / "run"), Redactor())
