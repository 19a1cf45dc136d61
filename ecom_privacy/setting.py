"""The one shape every setting has: read / plan / apply / read_back (a Terraform resource in check mode).

`read_back` is the read after apply (is the backoffice now as desired?); `ecom-privacy verify` is another thing:
the storefront checks a visitor sees (`storefront_checks`), which `apply --verify` also runs after applying.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

from playwright.async_api import Page
from pydantic import BaseModel, ConfigDict, PrivateAttr

from ecom_privacy.clock import Clock
from ecom_privacy.errors import VerificationError
from ecom_privacy.exports import ExportFile
from ecom_privacy.labels import Labels
from ecom_privacy.models import Change, Diagnostic
from ecom_privacy.probe import ProbeTarget
from ecom_privacy.storefront import StorefrontCheck


class ArtifactSink(Protocol):
    """Where a setting keeps what must never be lost: backups before overwrite, exports before archive."""

    def save(self, store_id: str, name: str, content: str | bytes, kind: str = "backups") -> Path:
        """Write `<kind>/<store>/<name>` into the run's artifacts and return its path."""
        ...


@dataclass(frozen=True)
class PlanInput:
    """What a pure `plan` may know about the store besides its current and desired state."""

    store_id: str
    #: the backoffice user's language (which label table)
    locale: str
    vars: dict[str, Any] = field(default_factory=dict)
    #: the fleet file's folder: relative template paths are resolved from here
    base_dir: Path = Path(".")
    allow_irreversible: bool = False
    #: the store's public address, for links in content (contact page, privacy policy)
    storefront_url: str = ""
    #: the shop's (storefront) languages, default first; empty: the one language `locale`
    languages: tuple[str, ...] = ()
    #: the store's desired state by setting name, for a `read` that must know what to look for (a page's
    #: slug and titles); empty in contexts that have none (then settings read with their defaults)
    desired: dict[str, BaseModel] = field(default_factory=dict)
    #: the label table of a shop language under the user's `ui_overrides` (`Driver.shop_labels`), for what a
    #: plan takes from it (default page titles); None there is no table for the language. Unset: the shipped
    #: tables (a setting's tests; every command hands the driver's)
    shop_labels: Callable[[str], Labels | None] | None = None


#: runs one resumable piece of a step (with the step's retries and session renewals) and returns its result
Step = Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]]


async def at_once(piece: Callable[[], Awaitable[Any]]) -> Any:
    """A piece of work run once, as it is (a session that was not opened by the one opener: tests, tools)."""
    return await piece()


@dataclass
class StoreSession:
    """A logged-in browser page of one store, and what a setting needs to work in it."""

    page: Page
    store_id: str
    locale: str
    backoffice_url: str
    storefront_url: str
    labels: Labels
    artifacts: ArtifactSink
    plan_input: PlanInput
    #: the run's clock: names of backups and exports (a setting never reads the system's time itself)
    clock: Clock
    #: what reads already told the user in this session (a JSON twin read from the page instead): each is
    #: said once per store, not once per setting or per read-back
    notes_said: set[str] = field(default_factory=set)
    #: runs one resumable piece of a long step (a page of the newsletter list) with the step's own retries and
    #: session renewals, so a fault after some pieces resumes at the piece that failed (the opener's `step`)
    step: Step = at_once

    def admin_url(self, path: str) -> str:
        return self.backoffice_url.rstrip("/") + "/" + path.lstrip("/")


class ReadNotes(BaseModel):
    """What a reading may carry besides the state: diagnostics about how it was read (a page read because its
    JSON twin could not be used). Private, so never part of what a plan observes or a saved plan compares."""

    _read_notes: list[Diagnostic] = PrivateAttr(default_factory=list)

    def noting(self, notes: list[Diagnostic]) -> Self:
        self._read_notes = [*self._read_notes, *notes]
        return self

    def __eq__(self, other: object) -> bool:
        # The same state read another way is the same state: the notes are not compared (pydantic would).
        if not isinstance(other, BaseModel):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    __hash__ = BaseModel.__hash__


def read_notes(current: Any) -> list[Diagnostic]:
    """The diagnostics a reading carries (none for a state that cannot carry any)."""
    return list(current._read_notes) if isinstance(current, ReadNotes) else []


class CurrentState(ReadNotes):
    """Base of a setting's current-state model: what `read` saw, immutable (plan, diagnose and read_back all
    look at the same reading) and strict (a field the setting does not know is a bug, not data)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


DesiredT = TypeVar("DesiredT", bound=BaseModel)
#: a setting's current state: an instance of its `current_model`
CurrentT = TypeVar("CurrentT", bound=BaseModel)


class Setting(ABC, Generic[DesiredT, CurrentT]):
    """One backoffice setting. Subclasses set `name`, `desired_model` and `current_model` and implement the steps.

    Typed as `Setting[Desired, Current]`: `read` returns a `Current` (an instance of `current_model`), and
    plan / diagnose / observe / stale_reason / saved_plan_mismatch / read_back take it. The engine holds both
    as opaque values and passes them back; what a saved plan records (`observe`) is JSON.
    """

    name: ClassVar[str]
    #: pydantic model of the desired state under the setting's key in the fleet file
    desired_model: ClassVar[type[BaseModel]]
    #: pydantic model of the state `read` returns (frozen, extra="forbid", e.g. a CurrentState)
    current_model: ClassVar[type[BaseModel]]
    #: pydantic model of its changes' `after` (what apply brings the store to), when the setting declares one:
    #: a plan holds `after` as JSON; `after_of` reads it back as this model, so apply reads attributes
    after_model: ClassVar[type[BaseModel] | None] = None

    def after_of(self, change: Change) -> Any:
        """`change.after` as the setting's `after_model` (as it is when there is none). A plan file edited by
        hand into something else is refused (pydantic's ValidationError, a ValueError)."""
        return change.after if self.after_model is None else self.after_model.model_validate(change.after)

    @abstractmethod
    async def read(self, session: StoreSession) -> CurrentT:
        """Navigate and read the current state; never change anything."""

    @abstractmethod
    def plan(self, current: CurrentT, desired: DesiredT, context: PlanInput) -> list[Change]:
        """Pure: the changes that bring `current` to `desired`. No browser.

        May raise an EcomPrivacyError (a template that does not render, an ambiguous store state): it fails
        this setting only.
        """

    def diagnose(self, current: CurrentT, desired: DesiredT, context: PlanInput) -> list[Diagnostic]:
        """Pure: what the user should know about `current` that is not a change this setting can make (a
        warning reported with the setting's result, never applied). None by default."""
        return []

    def check(self, desired: DesiredT, context: PlanInput) -> None:
        """Offline checks that need the store's context (templates and their variables), for `validate`.

        Raises ConfigError; the default has nothing to check beyond the desired model itself.
        """
        return None

    @abstractmethod
    async def apply(self, session: StoreSession, changes: list[Change]) -> bool:
        """Perform the changes through the UI. Idempotent: running it twice changes nothing the second time.

        Returns True only when it saved something in the backoffice, False when the store already was as the
        changes want it (so the report says `changed` only when something changed, Ansible's honest
        `changed`)."""

    def observe(self, current: CurrentT, desired: DesiredT, context: PlanInput) -> Any:
        """What a plan records as observed, as JSON data (the saved plan holds it): a saved plan is refused
        when this no longer fits the store. By default the current state itself."""
        return current.model_dump(mode="json")

    def stale_reason(self, observed: Any, current: CurrentT, desired: DesiredT,
                     context: PlanInput) -> str | None:
        """Why a saved plan that observed `observed` must not be applied to the store as read now (`current`);
        None when it still fits. By default any difference at all makes the plan stale."""
        now = self.observe(current, desired, context)
        return None if now == observed else f"plan saw {observed!r}, now {now!r}"

    def saved_plan_mismatch(self, saved: list[dict[str, Any]], observed: Any, current: CurrentT,
                            desired: DesiredT, context: PlanInput) -> str | None:
        """The first field of a saved plan's changes for this setting (JSON; the engine's own opt-in `blocked`
        reason already reset to null, it is decided again at apply time) that is not
        what the fleet file and the store's state give now; None when they agree. Asked only after
        `stale_reason` found the store unchanged, so by default the plan is re-derived and must be equal."""
        fresh = [comparable(change) for change in self.plan(current, desired, context)]
        return first_difference(saved, fresh)

    def published(self, change: Change, desired: DesiredT, context: PlanInput) -> list[tuple[str, str]]:
        """What applying `change` would write to the store, as (where it comes from, text) pairs. The engine
        looks for every secret of the run in them before the change is planned or applied (a hit fails the
        store as `secret_in_content`, naming the source). By default the whole change, named by the setting;
        a setting whose content comes from files names them (the text pages: the template per language).
        Only what is written counts (`after`, never `before`: a secret already on the page is not ours)."""
        return [(self.name, json.dumps(change.after, ensure_ascii=False, default=str))]

    # --- probe (ecom-privacy probe): read-only first contact --------------------------------------------
    def probe_targets(self, session: StoreSession) -> list[ProbeTarget]:
        """The backoffice pages this setting uses, each checking the elements its page object needs, in the
        order `read` visits them. Visiting one must change nothing. None by default (no backoffice page)."""
        return []

    async def read_back(self, session: StoreSession, desired: DesiredT) -> CurrentT:
        """After apply: read again and compare; anything still to change (blocked changes aside) is a
        VerificationError. Not the storefront's `verify`: this asks the backoffice, as `read` does."""
        current = await self.read(session)
        remaining = [c for c in self.plan(current, desired, session.plan_input) if c.blocked is None]
        if remaining:
            summary = "; ".join(change.summary or change.action.value for change in remaining)
            raise VerificationError(f"{self.name}: the backoffice does not show the desired state: {summary}")
        return current

    # -- extras: what a setting contributes beyond its backoffice state (issue #10). None by default. -----
    def storefront_checks(self, desired: DesiredT | None, languages: tuple[str, ...]) -> list[StorefrontCheck]:
        """What `verify` checks on the live shop for this setting (ecom_privacy/storefront.py), in the shop's
        `languages` (default first). `desired` is None when the fleet file does not manage the setting for
        the store: a setting may still check what every shop must show."""
        return []

    def export_desired(self, desired: DesiredT | None) -> DesiredT | None:
        """The desired state `export-subscribers` plans this setting with (`desired`: the fleet file's, None
        when it does not manage the setting); nothing is applied. None: the setting exports nothing."""
        return None

    def exports(self, changes: list[Change]) -> list[ExportFile]:
        """The files `export-subscribers` writes for a store from this setting's planned `changes`."""
        return []


def comparable(change: Change) -> dict[str, Any]:
    """A change as a saved plan's changes are compared: its JSON form, as the file holds it."""
    return change.model_dump(mode="json")


def _shown(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def first_difference(saved: list[dict[str, Any]], fresh: list[dict[str, Any]]) -> str | None:
    """Where two lists of changes first differ, as `changes[i].field` (`.after.key`, `.selection.key` one level
    down)."""
    if len(saved) != len(fresh):
        return f"changes (the file lists {len(saved)} for this setting, the fleet file and the store give {len(fresh)})"
    for index, (mine, theirs) in enumerate(zip(saved, fresh, strict=True)):
        for key in sorted(set(mine) | set(theirs)):
            left, right = mine.get(key), theirs.get(key)
            if left == right:
                continue
            if isinstance(left, dict) and isinstance(right, dict):
                for sub in sorted(set(left) | set(right)):
                    if left.get(sub) != right.get(sub):
                        return (f"changes[{index}].{key}.{sub} (the file says {_shown(left.get(sub))}, the fleet file "
                                f"and the store give {_shown(right.get(sub))})")
            return (f"changes[{index}].{key} (the file says {_shown(left)}, the fleet file and the store give "
                    f"{_shown(right)})")
    return None
