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
    line = next(number for number, row in enumerate(path.read_text().splitlines(), start=1) if "sometimes" in row)
    assert result.err == (f"error: {path}, line {line}: defaults.cookie_law.mode: 'sometimes' is not one of none, "
                          f"notify, confirm, custom (store shop-en)\n")


def test_one_broken_template_of_defaults_is_one_line_for_every_store(cli: CliRunner, tmp_path: Path) -> None:
    """Issue #22, item 8: a mistake shared by several stores is reported once, naming them, not once per store."""
    path = write_fleet(tmp_path, "http://127.0.0.1:9",
                       {"ccpa_page": {"state": "present", "template": "templates/ccpa.html"}},
                       ["shop-en", "shop-totp", "shop-lock"])
    result = cli("validate", "-c", str(path), "--env-file", str(tmp_path / ".env"))
    assert result.code == 1
    [line] = result.err.strip().splitlines()
    assert line.startswith(f"error: {path}: ccpa_page: shop language en: template "
                           f"{tmp_path / 'templates' / 'ccpa.html'} not found")
    assert line.endswith("(stores shop-en, shop-totp, shop-lock)")


def test_apply_refuses_to_ask_without_a_terminal(tmp_path: Path) -> None:
    path = write_fleet(tmp_path, "http://127.0.0.1:9", {"cookie_law": {"mode": "confirm"}})
    completed = subprocess.run(
        [sys.executable, "-m", "automation", "apply", "-c", str(path), "--env-file", str(tmp_path / ".env"),
         "--artifacts-dir", str(tmp_path / "runs")],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert completed.returncode == 1
    assert "standard input is not a terminal" in completed.stderr and "--auto-approve" in completed.stderr
