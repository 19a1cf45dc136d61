"""The pure parts of `ecom-privacy login`: display, timeout and browser checks, which secrets it may type,
and its exit code."""

from __future__ import annotations

import pytest

from automation.access.human_login import (
    StoreOutcome,
    check_display,
    check_timeout,
    check_visible_browser,
    login_exit_code,
    store_secrets,
)
from automation.browser.launch import BrowserChoice
from automation.fleet.model import CredentialRefs, StoreConfig
from ecom_privacy.errors import ConfigError
from flows.assisted_login import KnownSecrets

REFS = CredentialRefs(email_env="S_EMAIL", password_env="S_PASSWORD", totp_secret_env="S_TOTP",
                      recovery_codes_env="S_CODES")
STORE = StoreConfig(id="s", backoffice_url="http://x/s/admin", storefront_url="http://x/s/", locale="en",
                    credentials=REFS, groups=(), vars={}, desired={})


def test_no_display_on_linux_is_refused_with_the_xvfb_hint() -> None:
    with pytest.raises(ConfigError, match=r"\$DISPLAY.*xvfb-run") as caught:
        check_display({}, "linux")
    assert "\n" not in str(caught.value)
    check_display({"DISPLAY": ":0"}, "linux")
    check_display({}, "darwin")  # macOS and Windows always have a screen
    check_display({}, "win32")


@pytest.mark.parametrize("value", [0.0, -1.0, float("nan"), float("inf"), 3601.0])
def test_timeout_must_be_sensible(value: float) -> None:
    with pytest.raises(ConfigError, match="--timeout"):
        check_timeout(value)


def test_a_headless_only_shell_cannot_show_a_window() -> None:
    with pytest.raises(ConfigError, match="headless-only"):
        check_visible_browser(BrowserChoice("/usr/bin/chromium-headless-shell", "--browser"))
    check_visible_browser(BrowserChoice("/usr/bin/chromium", "system"))
    check_visible_browser(BrowserChoice(None, "playwright"))


def test_the_email_is_required_and_a_missing_password_is_left_to_the_person() -> None:
    with pytest.raises(ConfigError, match="S_EMAIL"):
        store_secrets(STORE, {"S_PASSWORD": "pw-12345"}, None)
    secrets = store_secrets(STORE, {"S_EMAIL": "a@b.test"}, None)
    assert (secrets.email, secrets.password, secrets.totp_secret, secrets.recovery_codes) == ("a@b.test", None,
                                                                                             None, ())
    full = store_secrets(STORE, {"S_EMAIL": "a@b.test", "S_PASSWORD": "pw-12345",
                                 "S_TOTP": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "S_CODES": "c1-aaaa c2-bbbb"}, None)
    assert full.password == "pw-12345" and full.recovery_codes == ("c1-aaaa", "c2-bbbb")
    with pytest.raises(ConfigError, match="S_TOTP is not a usable TOTP secret"):
        store_secrets(STORE, {"S_EMAIL": "a@b.test", "S_TOTP": "not base32!"}, None)


def test_known_secrets_never_show_in_their_repr() -> None:
    text = repr(KnownSecrets("a@b.test", "pw-12345", "JBSWY3DPEHPK3PXP"))
    assert "pw-12345" not in text and "JBSWY3DPEHPK3PXP" not in text


def test_exit_code_is_0_only_when_every_session_was_saved() -> None:
    assert login_exit_code([StoreOutcome("a", True, ""), StoreOutcome("b", True, "")]) == 0
    assert login_exit_code([StoreOutcome("a", True, ""), StoreOutcome("b", False, "")]) == 1
    assert login_exit_code([]) == 1
