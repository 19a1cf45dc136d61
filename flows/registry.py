"""The list of settings the engine knows. Adding a setting = one module in flows/ + one line here."""

from __future__ import annotations

from flows.base import Setting
from flows.ccpa_page import CcpaPageSetting
from flows.cookie_law import CookieLawSetting
from flows.login import is_logged_in, login
from flows.privacy_policy import PrivacyPolicySetting

__all__ = ["Setting", "all_settings", "is_logged_in", "login"]

_SETTINGS: tuple[Setting, ...] = (
    CookieLawSetting(),
    PrivacyPolicySetting(),
    CcpaPageSetting(),
)


def all_settings() -> dict[str, Setting]:
    """Settings by name, in the order they are read and applied."""
    return {setting.name: setting for setting in _SETTINGS}
