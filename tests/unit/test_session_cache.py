"""The session cache: private files, keys that change with the login, torn files ignored."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from automation.access.session_cache import (
    SESSIONS_ENV,
    RefusedLogins,
    SessionCache,
    cookie_values,
    default_session_dir,
    session_key,
)
from ecom_privacy.clock import FixedClock
from ecom_privacy.errors import ConfigError

pytestmark = pytest.mark.clock  # when a refusal was recorded

STATE = {"cookies": [{"name": "backend_session_id", "value": "s3cr3t-session", "path": "/a/admin"}], "origins": []}


def test_saved_state_is_private_and_read_back(tmp_path: Path) -> None:
    cache = SessionCache(tmp_path / "sessions")
    key = session_key("shop", "http://x/shop/admin", "owner@shop.test")
    cache.save(key, STATE)
    assert cache.load(key) == STATE
    assert stat.S_IMODE((tmp_path / "sessions").stat().st_mode) == 0o700
    assert stat.S_IMODE(cache.path_for(key).stat().st_mode) == 0o600
    assert [p.name for p in (tmp_path / "sessions").iterdir()] == [f"{key}.json"]  # no temporary file left
    cache.forget(key)
    assert cache.load(key) is None


def test_an_existing_open_directory_is_refused_not_used(tmp_path: Path) -> None:
    # Issue #9 finding 11d: a folder others could read (or write into) is refused, never silently used.
    directory = tmp_path / "sessions"
    directory.mkdir()
    directory.chmod(0o755)
    with pytest.raises(ConfigError, match=r"session folder .*sessions is not private: its mode is 0755, not 0700; "
                                          r".*chmod 700"):
        SessionCache(directory).save("k", STATE)
    with pytest.raises(ConfigError, match="not private"):
        SessionCache(directory).load("k")
    assert list(directory.iterdir()) == []


def test_key_changes_with_store_url_and_email_but_not_email_case() -> None:
    base = session_key("shop", "http://x/shop/admin", "owner@shop.test")
    assert base == session_key("shop", "http://x/shop/admin/", "Owner@Shop.test")
    assert base != session_key("shop2", "http://x/shop/admin", "owner@shop.test")
    assert base != session_key("shop", "http://y/shop/admin", "owner@shop.test")
    assert base != session_key("shop", "http://x/shop/admin", "other@shop.test")
    assert "owner" not in base


def test_torn_or_foreign_files_are_ignored_and_removed(tmp_path: Path) -> None:
    cache = SessionCache(tmp_path)
    cache.path_for("torn").write_text("{not json")
    cache.path_for("foreign").write_text('{"something": 1}')
    assert cache.load("torn") is None and not cache.path_for("torn").exists()
    assert cache.load("foreign") is None


def test_disabled_cache_neither_reads_nor_writes(tmp_path: Path) -> None:
    cache = SessionCache(tmp_path / "sessions", enabled=False)
    cache.save("k", STATE)
    assert cache.load("k") is None and not (tmp_path / "sessions").exists()


def test_cookie_values_and_default_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert cookie_values(STATE) == ["s3cr3t-session"]
    monkeypatch.delenv(SESSIONS_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_session_dir() == tmp_path / "ecom-privacy" / "sessions"
    monkeypatch.setenv(SESSIONS_ENV, "/elsewhere")
    assert default_session_dir() == Path("/elsewhere")


def test_refused_credentials_are_remembered_until_they_change(tmp_path: Path) -> None:
    refused = RefusedLogins(tmp_path / "sessions", clock=FixedClock(datetime(2026, 3, 1, 2, 0, tzinfo=UTC)))
    old = refused.fingerprint("owner@shop.test", "old-password", None)
    assert refused.refusal("k", old) is None
    refused.record("k", old, "the email or password was refused")
    assert refused.refusal("k", old)["message"] == "the email or password was refused"  # type: ignore[index]
    assert refused.refusal("k", old)["at"] == "2026-03-01T02:00:00+00:00"  # type: ignore[index]  # the run's clock
    assert refused.refusal("k", refused.fingerprint("owner@shop.test", "new-password", None)) is None
    record = refused.path_for("k").read_text()
    assert "old-password" not in record and stat.S_IMODE(refused.path_for("k").stat().st_mode) == 0o600
    assert old != RefusedLogins(tmp_path / "elsewhere").fingerprint("owner@shop.test", "old-password", None)
    refused.clear("k")
    assert refused.refusal("k", old) is None


def test_disabled_refusal_memory_writes_nothing(tmp_path: Path) -> None:
    refused = RefusedLogins(tmp_path / "sessions", enabled=False)
    refused.record("k", refused.fingerprint("a", "b", None), "refused")
    assert refused.refusal("k", "") is None and not (tmp_path / "sessions").exists()
