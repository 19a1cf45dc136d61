"""`validate` checks the fleet file and every secret without a browser."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import CliRunner
from tests.support import write_fleet

ROOT = Path(__file__).resolve().parents[2]


def test_validate_ok(cli: CliRunner, tmp_path: Path) -> None:
    path = write_fleet(tmp_path, "http://127.0.0.1:9", {"cookie_law": {"mode": "confirm"}})
    result = cli("validate", "-c", str(path), "--env-file", str(tmp_path / ".env"))
    assert result.code == 0
    assert "valid: 4 store(s), settings: cookie_law; all secrets present" in result.out


def test_validate_reports_every_missing_secret(cli: CliRunner, tmp_path: Path) -> None:
    path = write_fleet(tmp_path, "http://127.0.0.1:9", {"cookie_law": {"mode": "confirm"}})
    (tmp_path / ".env").write_text("EP_SHOP_NL_EMAIL=a@b.test\n")
    result = cli("validate", "-c", str(path), "--env-file", str(tmp_path / ".env"))
    assert result.code == 1
    assert "store shop-nl: secret(s) EP_SHOP_NL_PASSWORD not set" in result.err
    assert "store shop-totp: secret(s) EP_SHOP_TOTP_EMAIL, EP_SHOP_TOTP_PASSWORD, EP_SHOP_TOTP_TOTP" in result.err


def test_validate_broken_file(cli: CliRunner, tmp_path: Path) -> None:
    path = write_fleet(tmp_path, "http://127.0.0.1:9", {"cookie_law": {"mode": "sometimes"}}, ["shop-en"])
    result = cli("validate", "-c", str(path))
    assert result.code == 1
    assert f"error: {path}: store shop-en: cookie_law.mode: Input should be" in result.err
    assert "(set in defaults)" in result.err


def test_apply_refuses_to_ask_without_a_terminal(tmp_path: Path) -> None:
    path = write_fleet(tmp_path, "http://127.0.0.1:9", {"cookie_law": {"mode": "confirm"}})
    completed = subprocess.run(
        [sys.executable, "-m", "automation", "apply", "-c", str(path), "--env-file", str(tmp_path / ".env"),
         "--artifacts-dir", str(tmp_path / "runs")],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert completed.returncode == 1
    assert "standard input is not a terminal" in completed.stderr and "--auto-approve" in completed.stderr
