"""Terraform's exit codes hold for the mistakes an operator makes at a prompt or in a crontab: a usage error
exits 1 (argparse's own 2 would read as "changes planned" to a cron audit), and an --env-file that does not
exist is an error, not a run with whatever the environment holds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from automation.cli import main

ROOT = Path(__file__).resolve().parents[2]

USAGE_ERRORS = [
    ["plan", "--pararellism", "4"],                 # a misspelt option
    ["apply", "--format", "xml"],                   # a value the option refuses
    ["plan", "--shard", "0/3"],                     # a value its type refuses
    ["history", "--since"],                         # an option without its value
    ["breach", "notify"],                           # a missing argument of a nested command
    ["report", "merge", "--out", "x"],              # the merge's own parser
    ["frobnicate"],                                 # no such command
    [],                                             # no command at all
]


@pytest.mark.parametrize("argv", USAGE_ERRORS, ids=lambda argv: " ".join(argv) or "(nothing)")
def test_a_usage_error_exits_1_with_argparse_s_message(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "usage:" in err and "error:" in err


def test_the_installed_command_exits_1_on_a_typo(tmp_path: Path) -> None:
    """The process boundary: what cron sees."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "automation", "plan", "--pararellism", "4"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "unrecognized arguments: --pararellism" in result.stderr


def test_help_still_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["plan", "--help"])
    assert exited.value.code == 0


def _secrets_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_SHOP_EMAIL", "owner@my-shop.example")
    monkeypatch.setenv("MY_SHOP_PASSWORD", "a-password")
    monkeypatch.setenv("MY_SHOP_TOTP", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")


def test_a_missing_env_file_is_an_error_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    _secrets_in_the_environment(monkeypatch)  # without the check, validate would pass on these
    missing = tmp_path / "secrets.env"
    code = main(["validate", "-c", str(ROOT / "config" / "fleet.yaml"), "--env-file", str(missing)])
    assert code == 1
    assert capsys.readouterr().err.strip() == (
        f"error: --env-file {missing}: no such file; give the file with the NAME=value secrets, or leave "
        f"--env-file out to use the environment (and ./.env when it exists)")


def test_without_env_file_a_missing_dot_env_is_fine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    _secrets_in_the_environment(monkeypatch)
    monkeypatch.chdir(tmp_path)  # no ./.env here
    assert main(["validate", "-c", str(ROOT / "config" / "fleet.yaml")]) == 0, capsys.readouterr().err


def test_the_breach_commands_check_their_env_file_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["breach", "check", "--db", f"sqlite:///{tmp_path / 'db.sqlite3'}", "--env-file",
                 str(tmp_path / "nope.env")])
    assert code == 1
    assert "--env-file" in capsys.readouterr().err
