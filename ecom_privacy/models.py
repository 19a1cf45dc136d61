"""Plan and result models shared by the engine and the settings.

Everything here is plain data that round-trips through JSON, because a saved plan is applied later,
possibly by another process.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Annotated, Any
from uuid import uuid4

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ecom_privacy.errors import ErrorKind

#: 2: `Change.selection` (typed newsletter rows and rule) replaced `detail.subscribers`/`detail.rule`, and the
#: change action is an enum; a plan of format 1 is refused with a request to plan again (automation.run.saved_plan)
PLAN_FORMAT_VERSION = 2


#: an error kind as a plan or report records it (an old report's unknown kind reads as `unexpected`)
RecordedKind = Annotated[ErrorKind, BeforeValidator(ErrorKind.read)]


class ChangeAction(StrEnum):
    """What applying a change does to the store (the symbol a plan shows: + ~ -)."""

    CREATE = "create"
    UPDATE = "update"
    HIDE = "hide"
    ARCHIVE = "archive"


class BlockReason(StrEnum):
    """Why a planned change is not applied in this run. A plan records the reason; what a person reads is
    rendered from it (`message`, `short`, `remedy`), so rewording it never changes what an old plan means."""

    #: irreversible (archiving subscribers), and this run has no opt-in: --allow-archive, or the store's
    #: allow_irreversible (the opt-in gate, automation/run/store_plan.py, sets and lifts it)
    NEEDS_OPT_IN = "needs_opt_in"

    @property
    def message(self) -> str:
        """The whole sentence (a plan's change, the HTML report, a history row)."""
        return BLOCK_TEXTS[self][0]

    @property
    def short(self) -> str:
        """What the change waits for, in a few words (the plan's marks and totals)."""
        return BLOCK_TEXTS[self][1]

    @property
    def remedy(self) -> str:
        """What a person does to lift it (the line under an apply's totals)."""
        return BLOCK_TEXTS[self][2]

    @property
    def awaits(self) -> str:
        """What it waits for, as an alert and the history say it."""
        return BLOCK_TEXTS[self][3]

    @classmethod
    def read(cls, value: object) -> object:
        """A reason as a plan holds it; plans saved before the reason was typed hold its wording then."""
        return LEGACY_BLOCK_WORDING.get(value, value) if isinstance(value, str) else value


#: per reason: message, short, remedy, awaits (see the properties above)
BLOCK_TEXTS = {BlockReason.NEEDS_OPT_IN: (
    "irreversible: not applied without an explicit opt-in (pass --allow-archive, or set allow_irreversible: true "
    "for this store)",
    "needs --allow-archive",
    "apply again with --allow-archive, or set allow_irreversible: true on the store",
    "needs an opt-in")}
#: what plans written before `BlockReason` recorded in `blocked`, word for word (the one wording there ever was),
#: read as the reason it stood for: a saved plan of then is still blocked, whatever the message says now
LEGACY_BLOCK_WORDING = {"irreversible: not applied without an explicit opt-in (pass --allow-archive, or set "
                        "allow_irreversible: true for this store)": BlockReason.NEEDS_OPT_IN}


class Severity(StrEnum):
    WARNING = "warning"
    ERROR = "error"


class Diagnostic(BaseModel):
    """Something a setting wants the user to know that is not a change it can make (Terraform's diagnostics):
    reported with the setting's result, never applied, never counted as a change."""

    model_config = ConfigDict(extra="forbid")

    severity: Severity = Severity.WARNING
    summary: str
    detail: str = ""


class SubscriberRow(BaseModel):
    """One newsletter subscriber as a plan lists it: who, since when, how they subscribed, and why the rule
    chose (or kept) them. Dates are ISO strings in the JSON plan."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    email: str
    name: str = ""
    subscribed_at: date
    #: how they were added (form, checkout, manual, import); None where the list does not show it
    source: str | None = None
    reason: str = ""


class ArchiveRuleRecord(BaseModel):
    """The archive rule a plan was made with, as the plan records it: a saved plan whose rule is not the
    fleet file's rule any more is refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subscribed_before: date
    #: the sources the rule archives, or ["any"] (email and date alone: the list shows no source)
    sources: list[str]
    #: where the keep lists came from (`keep`, `keep_file FILE`), not their addresses
    keep: list[str] = Field(default_factory=list)
    #: the emails_file that limits who may be archived, when one is set
    only: str | None = None


class ArchiveSelection(BaseModel):
    """Whom an archive change archives, whom the keep lists saved from it, and by which rule."""

    model_config = ConfigDict(extra="forbid")

    rule: ArchiveRuleRecord
    subscribers: list[SubscriberRow] = Field(default_factory=list)
    kept: list[SubscriberRow] = Field(default_factory=list)


class Change(BaseModel):
    """One difference between a store's current and desired state, and what applying it would do."""

    model_config = ConfigDict(extra="forbid")

    setting: str
    action: ChangeAction
    before: Any = None
    after: Any = None
    summary: str = ""
    irreversible: bool = False
    #: why the change will not be applied in this run (an irreversible change without the opt-in); None: it will
    blocked: Annotated[BlockReason, BeforeValidator(BlockReason.read)] | None = None
    #: what applying would change, as a person reads it: a unified text diff (per shop language for pages)
    #: or a preview of the rows a list change touches; empty when `before`/`after` say it all
    diff: str = ""
    #: one line per checked element: why it counts as present or missing (privacy policy elements)
    evidence: list[str] = Field(default_factory=list)
    #: the subscribers an archive change archives (and keeps), with its rule; None for other changes
    selection: ArchiveSelection | None = None
    #: untyped detail of the text pages (missing elements per language, how the page was found); other
    #: settings put their detail in the typed fields above
    detail: dict[str, Any] = Field(default_factory=dict)


class SettingStatus(StrEnum):
    COMPLIANT = "compliant"  # already as desired, nothing to do
    DRIFT = "drift"  # changes planned (plan) or blocked/not applied (apply)
    CHANGED = "changed"  # applied and verified
    FAILED = "failed"
    SKIPPED = "skipped"


class SettingResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    setting: str
    status: SettingStatus
    #: the state read from the backoffice before any change (used for stale-plan detection)
    observed: Any = None
    error: str | None = None
    error_kind: RecordedKind | None = None
    #: the store stopped before this setting was read: its error is the store's (`StoreResult.error` says why)
    not_read: bool = False
    #: warnings about the store that are not changes (for example: Google's consent mode is not shown)
    diagnostics: list[Diagnostic] = Field(default_factory=list)


class CheckStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"  # reported, does not fail the run (for example: rejecting takes more clicks)
    SKIP = "skip"  # not applicable to this store's desired state


class CheckResult(BaseModel):
    """One named check of the live storefront, with what was seen."""

    model_config = ConfigDict(extra="forbid")

    name: str
    status: CheckStatus
    message: str = ""
    seen: list[str] = Field(default_factory=list)


class StoreStatus(StrEnum):
    OK = "ok"
    ERROR = "error"
    SKIPPED = "skipped"


class LoginCounts(BaseModel):
    """What logging in to one store cost in one run: every password or code typed is one more chance of a
    lockout, so a run reports them (an agency login should need one password for all its stores)."""

    model_config = ConfigDict(extra="forbid")

    #: times the login chain was followed (a first login, a re-login after an expired session)
    chains: int = 0
    #: password forms submitted
    password: int = 0
    #: code steps answered (a TOTP code or a recovery code)
    code: int = 0
    #: of those, answered with a single-use recovery code
    recovery_codes: int = 0
    #: bot challenges met on the way
    bot_challenges: int = 0
    #: 1 when the store's work began on its cached session (no login form)
    cached_session: int = 0
    #: logins that ended outside the backoffice: refused, withheld (not tried), a challenge that did not clear
    failed: int = 0


class StoreResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    status: StoreStatus = StoreStatus.OK
    changes: list[Change] = Field(default_factory=list)
    settings: list[SettingResult] = Field(default_factory=list)
    error: str | None = None
    error_kind: RecordedKind | None = None
    #: the error is the storefront checks' (`verify`, `apply --verify`): they could not finish
    storefront_error: bool = False
    artifacts: list[str] = Field(default_factory=list)
    duration_s: float | None = None
    #: storefront checks (`verify`, `apply --verify`)
    checks: list[CheckResult] = Field(default_factory=list)
    #: password and code submissions of this store's logins in this run
    logins: LoginCounts = Field(default_factory=LoginCounts)

    def changes_for(self, setting: str) -> list[Change]:
        return [change for change in self.changes if change.setting == setting]

    def setting(self, name: str) -> SettingResult | None:
        return next((result for result in self.settings if result.setting == name), None)

    def awaits_opt_in(self, result: SettingResult) -> bool:
        """Drift this run may not correct by itself: a change of the setting is blocked (an irreversible change
        without --allow-archive). Reported as `blocked` everywhere (summary, HTML, JUnit, history, alerts); an
        apply whose only outstanding changes are such exits 0, a plan still exits 2."""
        return result.status == SettingStatus.DRIFT and any(
            change.blocked is BlockReason.NEEDS_OPT_IN for change in self.changes_for(result.setting))


class RunKind(StrEnum):
    PLAN = "plan"
    APPLY = "apply"
    VERIFY = "verify"


def new_run_id() -> str:
    """A fresh run id: random, never derived from the time (two runs may start in the same second)."""
    return uuid4().hex


def merged_run_id(shards: list[RunDocument]) -> str:
    """A merged report's run id, from its shards' (the same shards merged again are the same run); empty when a
    shard has none (written before run ids existed)."""
    ids = sorted(document.run_id for document in shards)
    if not ids or not all(ids):
        return ""
    return hashlib.sha256("|".join(ids).encode()).hexdigest()[:32]


class RunDocument(BaseModel):
    """What `plan --out` saves and `apply PLAN.json` reads, and the shape of every report.json."""

    model_config = ConfigDict(extra="forbid")

    format_version: int = PLAN_FORMAT_VERSION
    kind: RunKind = RunKind.PLAN
    created_at: str
    #: what tells this run from any other, even one of the same kind, fleet file and stores started in the same
    #: second (`created_at` counts seconds); set when the run starts (`new_run_id`), derived from the shards'
    #: for a merged report; empty in documents written before it existed (the history then knows a run by
    #: the rest of it, as it did)
    run_id: str = ""
    fleet_file: str
    fleet_sha256: str = ""
    #: a saved plan's SHA-256 over its own body (automation.run.saved_plan); empty in reports
    plan_sha256: str = ""
    stores: list[StoreResult] = Field(default_factory=list)
    interrupted: bool = False
    #: `K/N` when the run was one shard of a sharded run (`--shard`); None for a whole run or a merged one
    shard: str | None = None


@dataclass(frozen=True)
class LoginSecrets:
    """A store's login secrets, resolved from the environment at the last moment."""

    email: str
    password: str
    totp_secret: str | None = None
    #: single-use recovery codes not used yet, in the order they are to be used (the code step's fallback
    #: when no TOTP secret is configured)
    recovery_codes: tuple[str, ...] = ()

    def __repr__(self) -> str:  # keep secrets out of tracebacks and logs
        totp = "'***'" if self.totp_secret else None
        return (f"LoginSecrets(email={self.email!r}, password='***', totp_secret={totp}, "
                f"recovery_codes=<{len(self.recovery_codes)}>)")


@dataclass
class LoginTally:
    """What a login flow reports back while it follows the chain, kept even when the login fails half way
    (a password submitted before a timeout still counts, a recovery code submitted is spent)."""

    counts: LoginCounts = field(default_factory=LoginCounts)
    #: the address (without query) of the identity service's form, once the chain reached it: its cookies
    #: are the identity session
    identity_url: str | None = None
    #: one-time values seen on the way (the SSO token): for the redactor, never for a report
    one_time_values: list[str] = field(default_factory=list)
    #: called with a recovery code just before it is submitted: it is spent from then on, whatever happens
    on_recovery_code: Callable[[str], None] | None = field(default=None, repr=False)
