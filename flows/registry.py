"""The composition root of the Lightspeed eCom flows: the settings the tool manages and its login flow.

Adding a setting = one module in flows/ + one line here. Only the CLI (and tests) call `lightspeed_ecom()`;
the engine receives the `Driver` it returns.
"""

from __future__ import annotations

from core.driver import Driver
from core.setting import Setting
from flows.analytics import AnalyticsSetting
from flows.ccpa_page import CcpaPageSetting
from flows.cookie_law import CookieLawSetting
from flows.labels import SUPPORTED_LOCALES, labels_for
from flows.login import login
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


def lightspeed_ecom() -> Driver:
    """What a run drives a Lightspeed eCom store with."""
    return Driver(settings=all_settings(), login=login, labels_for=labels_for, supported_locales=SUPPORTED_LOCALES)
