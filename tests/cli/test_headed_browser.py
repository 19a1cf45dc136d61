"""`--headed` never launches Chromium's headless shell (bug 5): given one, plan and verify stop before any login."""

from __future__ import annotations

from pathlib import Path

import pytest

from automation.browser.launch import BROWSER_ENV
from tests.cli.conftest import CliRunner
from tests.support import write_fleet

pytestmark = pytest.mark.launches_browser  # about the launch path: no shared Chromium

SHELL = "/usr/bin/chromium-headless-shell"


@pytest.mark.skipif(not Path(SHELL).is_file(), reason=f"needs Debian's chromium-headless-shell at {SHELL}")
@pytest.mark.parametrize("command", ["verify", "plan"])
@pytest.mark.parametrize("given", ["--browser", BROWSER_ENV])
def test_headed_runs_refuse_a_headless_shell_naming_it(cli: CliRunner, tmp_path: Path, command: str, given: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    fleet = write_fleet(tmp_path, "http://127.0.0.1:9", {"cookie_law": {"mode": "confirm"}})
    if given == BROWSER_ENV:
        monkeypatch.setenv(BROWSER_ENV, SHELL)
        browser = []
    else:
        monkeypatch.delenv(BROWSER_ENV, raising=False)
        browser = ["--browser", SHELL]
    result = cli(command, "-c", str(fleet), "--headed", *browser, "--no-history")
    assert result.code == 1
    assert f"{given} points at '{SHELL}', Chromium's headless shell, which cannot show a window" in result.err
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())
