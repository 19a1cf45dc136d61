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
    assert fleet.notify.events == ["failed", "drift", "verify_failed", "breach_deadline"]


@pytest.mark.parametrize(("notify", "expected"), [
    ({"urls_env": ["EP_ALERTS"], "events": ["failed", "drifted"]},
     "notify.events[1]: 'drifted' is not one of failed, drift, verify_failed, breach_deadline; did you mean 'drift'?"),
    ({"urls_env": []}, "notify.urls_env: must have at least 1 item(s)"),
    ({"urls_env": ["slack://T000/B000/XXXX"]}, "is not an environment variable name"),
    ({"urls_env": ["EP_ALERTS"], "to": "ops"}, "notify.to: unknown key"),
    ({"urls_env": ["EP_ALERTS"], "timezone": "Europe/Amsterdm"}, "notify.timezone: 'Europe/Amsterdm' is "
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
    path = _fleet(tmp_path, {"urls_env": ["EP_ALERTS"], "events": ["failed"]})
    assert main(["validate", "-c", str(path), "--env-file", str(tmp_path / ".env")]) == 1
    assert "notify.urls_env: EP_ALERTS is not set" in capsys.readouterr().err
    with (tmp_path / ".env").open("a") as env:
        env.write("EP_ALERTS=json://127.0.0.1:9/hook\n")
    assert main(["validate", "-c", str(path), "--env-file", str(tmp_path / ".env")]) == 0


def test_the_documented_unquoted_on_key_still_works_with_a_deprecation_naming_the_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`notify: on: [...]` as the README used to show it: YAML reads the plain key as the boolean true. The old
    spelling keeps working (as `events`), and a warning names file, line and the new name."""
    path = _fleet(tmp_path, {"urls_env": ["EP_ALERTS"], "events": ["failed"]})
    text = path.read_text()
    assert "  events:\n" in text
    path.write_text(text.replace("  events:\n", "  on:\n"))
    line = next(number for number, row in enumerate(path.read_text().splitlines(), start=1) if row == "  on:")
    fleet = read_fleet(path)
    assert fleet.notify is not None and fleet.notify.events == ["failed"]
    [warning] = capsys.readouterr().err.strip().splitlines()
    assert warning == (f"warning: {path}, line {line}: notify.on: deprecated: rename it to notify.events (YAML reads "
                       f"an unquoted on: as the boolean true; the old spelling still works for now)")


def test_on_and_events_together_are_one_error(tmp_path: Path) -> None:
    path = _fleet(tmp_path, {"urls_env": ["EP_ALERTS"], "events": ["failed"], "on": ["drift"]})
    with pytest.raises(ConfigError) as caught:
        read_fleet(path)
    assert "notify.on: give the alert kinds once, as notify.events" in str(caught.value)
