"""The fleet file's `notify` key: validated with errors that name the file and the key; URLs only by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from automation.cli import main
from automation.fleet.composition import read_fleet
from ecom_privacy.errors import ConfigError
from tests.support import write_fleet


def _fleet(tmp_path: Path, notify: object) -> Path:
    return write_fleet(tmp_path, "http://127.0.0.1:9", {"cookie_law": {"mode": "confirm"}}, ["shop-nl"],
                       extra={"notify": notify})


def test_notify_is_read_with_every_kind_by_default(tmp_path: Path) -> None:
    fleet = read_fleet(_fleet(tmp_path, {"urls_env": ["EP_ALERTS"]}))
    assert fleet.notify is not None
    assert fleet.notify.on == ["failed", "drift", "verify_failed", "breach_deadline"]


@pytest.mark.parametrize(("notify", "expected"), [
    ({"urls_env": ["EP_ALERTS"], "on": ["failed", "drifted"]}, "notify.on[1]: Input should be 'failed', 'drift'"),
    ({"urls_env": []}, "notify.urls_env: List should have at least 1 item"),
    ({"urls_env": ["slack://T000/B000/XXXX"]}, "is not an environment variable name"),
    ({"urls_env": ["EP_ALERTS"], "to": "ops"}, "notify.to: unknown key"),
    ({"urls_env": ["EP_ALERTS"], "timezone": "Europe/Amsterdm"}, "notify.timezone: Value error, 'Europe/Amsterdm' is "
                                                                  "not a time zone; use an IANA name"),
])
def test_bad_notify_is_one_clear_error(tmp_path: Path, notify: object, expected: str) -> None:
    path = _fleet(tmp_path, notify)
    with pytest.raises(ConfigError) as caught:
        read_fleet(path)
    assert str(path) in str(caught.value) and expected in str(caught.value)


def test_validate_reports_an_unset_alert_variable(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EP_ALERTS", raising=False)
    path = _fleet(tmp_path, {"urls_env": ["EP_ALERTS"], "on": ["failed"]})
    assert main(["validate", "-c", str(path), "--env-file", str(tmp_path / ".env")]) == 1
    assert "notify.urls_env: EP_ALERTS is not set" in capsys.readouterr().err
    with (tmp_path / ".env").open("a") as env:
        env.write("EP_ALERTS=json://127.0.0.1:9/hook\n")
    assert main(["validate", "-c", str(path), "--env-file", str(tmp_path / ".env")]) == 0
