"""What a setting contributes to `ecom-privacy verify`: checks of the live shop as a visitor gets it.

The storefront verifier (flows/storefront/) visits each shop once as a new visitor, the **consent
observation**: the homepage before any choice, after rejecting, after accepting (a fresh visit that then
also reads each language's pages), and with Global Privacy Control. Each setting's `storefront_checks` hook
returns checks tied to one `Stage` of that visit; the verifier runs them in the visit's order (within a
stage, in the settings' order) and hands them the observation so far. It names no setting: what the visit
must do (offer a choice, accept, where the privacy policy is) is what the checks ask for in `ConsentNeeds`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Protocol

from ecom_privacy.labels import Labels
from ecom_privacy.models import CheckResult


class Stage(IntEnum):
    """When a check runs, in the order of the visit."""

    #: the homepage before any choice
    FIRST_VIEW = 1
    #: after rejecting, on a second page and the privacy policy (only where a choice is asked for)
    AFTER_REJECT = 2
    #: a fresh visit, after accepting
    AFTER_ACCEPT = 3
    #: each shop language's pages, in the accepting visit: these checks run once per language
    PAGES = 4
    #: a fresh visit sending Global Privacy Control (only where a choice is asked for)
    GPC = 5


@dataclass(frozen=True)
class ConsentNeeds:
    """What a check asks of the shared consent observation; the verifier merges the needs of all checks."""

    #: the fleet file asks for a cookie bar: its controls are looked at on the first view
    bar: bool = False
    #: the bar must offer a choice (accept and reject): the reject and GPC visits run
    choice: bool = False
    #: analytics must be switched on by accepting: the accepting visit accepts (where there is a choice)
    accept: bool = False
    #: tracking categories (flows/tracking.py) the fleet file lets run without consent
    allowed_without_consent: frozenset[str] = frozenset()
    #: the privacy policy's address under a language's root, where consent must be withdrawable
    privacy_path: str | None = None

    def merge(self, other: ConsentNeeds) -> ConsentNeeds:
        return ConsentNeeds(bar=self.bar or other.bar, choice=self.choice or other.choice,
                            accept=self.accept or other.accept,
                            allowed_without_consent=self.allowed_without_consent | other.allowed_without_consent,
                            privacy_path=self.privacy_path or other.privacy_path)


#: one tracking cookie or request seen: (category, cookie name or request URL)
Seen = tuple[str, str]


@dataclass
class ConsentObservation:
    """What the visit saw, filled in stage by stage (a field of a later stage is unset before it runs)."""

    #: what the checks asked for, merged
    needs: ConsentNeeds
    #: the default shop language, in which the consent visits are made
    language: str
    #: that language has a label table (else the bar is recognised by the platform's markup only)
    labels_known: bool
    # -- first view --
    bar_shown: bool = False
    #: how the bar was found: "markup" or "labels" (flows/pages/storefront_page.py FOUND_BY_TEXT)
    found_by: str | None = None
    accept_control: bool = False
    reject_control: bool = False
    manage_control: bool = False
    #: the label of the bar's Manage cookies control in that language
    manage_label: str = "Manage cookies"
    #: tracking cookies (by name, sorted) and then requests, before any choice
    before_choice: list[Seen] = field(default_factory=list)
    # -- after rejecting; `rejected` None: not tried (no bar with a choice) --
    rejected: bool | None = None
    #: why rejecting was impossible (the bar offers no way the tool recognises)
    reject_error: str | None = None
    after_reject: list[Seen] = field(default_factory=list)
    consent_cookies_after_reject: dict[str, str] = field(default_factory=dict)
    bar_on_privacy_page: bool = False
    # -- after accepting; `accepted` None: not tried, False: no accept control --
    accepted: bool | None = None
    after_accept: list[Seen] = field(default_factory=list)
    #: where the bar only notifies (no choice): tracking after the visitor acknowledged it (OK), on a second
    #: page; None: not tried. Acknowledging a notice is not consent: analytics must still wait.
    after_notice: list[Seen] | None = None
    # -- with Global Privacy Control; None: not visited --
    with_gpc: list[Seen] | None = None

    def tracking(self, seen: list[Seen], *, allowed: bool) -> list[str]:
        """The names/URLs in `seen` whose category the fleet file allows without consent (`allowed`), or the
        others."""
        return [what for category, what in seen
                if (category in self.needs.allowed_without_consent) == allowed]


class StorefrontView(Protocol):
    """The shop in one language as a page object shows it to checks (flows' StorefrontPage)."""

    storefront_url: str
    privacy_policy_url: str

    async def open_home(self) -> Any: ...

    async def open(self, url: str) -> Any:
        """Go to `url`; the HTTP response (with `.status`), or None."""
        ...

    async def footer_link_to(self, url: str) -> str | None: ...

    async def footer_link(self, title: str) -> str | None: ...

    async def main_html(self) -> str: ...


class StorefrontVisit(Protocol):
    """What a check is handed: the observation so far and the shop's pages in the visit's browser page."""

    consent: ConsentObservation
    #: the shop's languages, default first
    languages: tuple[str, ...]

    def check_name(self, name: str, language: str) -> str:
        """`name`, with `[language]` when the shop has several (`privacy_policy_public[de]`)."""
        ...

    def storefront(self, language: str) -> StorefrontView: ...

    def labels(self, language: str) -> Labels | None:
        """The label table of a shop language under the user's `ui_overrides` (default page titles, bar
        texts); None when the tool has none for it."""
        ...


class StorefrontCheck(ABC):
    """One or more named checks of the live shop, run at `stage`; results in the order they are reported."""

    stage: Stage
    needs: ConsentNeeds = ConsentNeeds()

    @abstractmethod
    async def run(self, visit: StorefrontVisit, language: str) -> list[CheckResult]:
        """`language`: the shop language of a PAGES check (once per language), else the default one."""
