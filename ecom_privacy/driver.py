"""The one object a run is given to drive a store: the settings it manages and the way in (the login flow).

The engine, the CLI's commands and the reports name no setting and import no flow: the composition root
(`flows.registry.lightspeed_ecom()`, called by the CLI) builds a `Driver` and hands it down. A test can hand
down fake settings and a fake login instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from playwright.async_api import Page

from ecom_privacy.labels import Labels
from ecom_privacy.models import LoginSecrets, LoginTally
from ecom_privacy.setting import Setting


class LoginFlow(Protocol):
    """Log in from wherever `page` is, following the login chain wherever it leads; afterwards the page shows
    the store's backoffice. Raises AuthenticationError on a refused password or code (never retried),
    BotChallengeError on a bot challenge that did not clear, TransientError on what may pass. Submissions
    (passwords, codes) are counted into `tally` as they happen."""

    def __call__(self, page: Page, backoffice_url: str, labels: Labels, secrets: LoginSecrets,
                 tally: LoginTally | None = None) -> Awaitable[None]: ...


@dataclass(frozen=True)
class Driver:
    #: the managed settings by name, in the order they are read and applied
    settings: Mapping[str, Setting]
    login: LoginFlow
    #: the backoffice's label table of a locale (raises ValueError for a locale without one)
    labels_for: Callable[[str], Labels]
    #: the backoffice locales that have a label table
    supported_locales: tuple[str, ...]

    def labels(self, locale: str, fallback: str) -> Labels:
        """The table of `locale`, or of `fallback` when `locale` has none (a shop language the backoffice
        does not speak)."""
        return self.labels_for(locale if locale in self.supported_locales else fallback)

    def shop_labels(self, language: str) -> Labels | None:
        """The table of a shop language, for what the storefront and its pages say (default page titles, bar
        texts); None when there is none for it (nothing is taken from another language)."""
        return self.labels_for(language) if language in self.supported_locales else None
