"""The list of settings the engine knows. Adding a setting = one module in flows/ + one line here."""

from __future__ import annotations

from flows.analytics import AnalyticsSetting
from flows.base import Setting
from flows.ccpa_page import CcpaPageSetting
from flows.cookie_law import CookieLawSetting
from flows.login import is_logged_in, login
from flows.newsletter_archive import NAME as NEWSLETTER_ARCHIVE
from flows.newsletter_archive import NewsletterArchiveSetting
from flows.newsletter_archive import export_csv as newsletter_export_csv
from flows.privacy_policy import PrivacyPolicySetting
from flows.storefront_checks import verify_storefront

__all__ = ["NEWSLETTER_ARCHIVE", "Setting", "all_settings", "is_logged_in", "login", "newsletter_export_csv",
           "verify_storefront"]

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
