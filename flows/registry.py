"""The composition root of the Lightspeed eCom flows: the settings the tool manages and its login flow.

Adding a setting = one module in flows/ + one line here. Only the CLI (and tests) call `lightspeed_ecom()`;
the engine receives the `Driver` it returns.
"""

from __future__ import annotations

from ecom_privacy.clock import SYSTEM_CLOCK, Clock
from ecom_privacy.driver import Driver
from ecom_privacy.setting import Setting
from flows.analytics import AnalyticsSetting
from flows.ccpa_page import CcpaPageSetting
from flows.cookie_law import CookieLawSetting
from flows.labels import SUPPORTED_LOCALES
from flows.labels.overrides import UiOverrides, labels_source
from flows.login import login_flow
from flows.newsletter_archive import NewsletterArchiveSetting
from flows.privacy_policy import PrivacyPolicySetting

_SETTINGS: tuple[Setting, ...] = (
    CookieLawSetting(),
    AnalyticsSetting(),
    PrivacyPolicySetting(),
    CcpaPageSetting(),
    NewsletterArchiveSetting(),
)


def all_settings() -> dict[str, Setting]:
    """Settings by name, in the order they are read and applied."""
    return {setting.name: setting for setting in _SETTINGS}


def lightspeed_ecom(ui_overrides: UiOverrides | None = None, clock: Clock = SYSTEM_CLOCK) -> Driver:
    """What a run drives a Lightspeed eCom store with; `ui_overrides`: the user's corrections of the label
    tables and page paths (the fleet file's `ui_overrides`, `--ui-overrides`), merged over the shipped ones;
    `clock`: the run's (the CLI passes its own), which the login's one-time codes are computed at."""
    return Driver(settings=all_settings(), login=login_flow(clock), labels_for=labels_source(ui_overrides),
                  supported_locales=SUPPORTED_LOCALES)
