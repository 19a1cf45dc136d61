"""`ecom-privacy login` end to end: a real Xvfb display, the real command as a subprocess driving a visible
Chromium through the mock's login chain (bot challenge included), then a headless `plan` reusing the saved
session. The test solves the challenge through the mock's control endpoint, standing in for the person."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from automation.cli import main
from mock_backoffice import MockServer, write_fleet
from tests.secret_scan import describe, scan_directory, scan_files
from tests.support import http_json

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Guarded-Secret-8008"
AGENCY_PASSWORD = "Agency-Secret-7007"
SEED: dict[str, Any] = {"stores": [
    {"id": "guarded", "locale": "en", "email": "owner@guarded.test", "password": PASSWORD, "bot_challenge": True},
    # one identity account (one email) holding two stores
    {"id": "agency-a", "locale": "en", "email": "team@agency.test", "password": AGENCY_PASSWORD},
    {"id": "agency-b", "locale": "nl", "email": "team@agency.test"},
]}
#: the person's window: generous, a headed Chromium starts slowly on a loaded machine
PERSON_TIMEOUT_S = "120"
#: per store, when the test only needs the window to give up: enough to fill in a password and read the refusal
REFUSAL_TIMEOUT_S = "8"


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """A private X display (Xvfb on a free display number it picks itself and reports on -displayfd)."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb is not installed (Debian package xvfb; scripts/ensure-xvfb.sh installs it)")
    read_end, write_end = os.pipe()
    process = subprocess.Popen([xvfb, "-displayfd", str(write_end), "-nolisten", "tcp", "-screen", "0",
                                "1280x1024x24"], pass_fds=(write_end,), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    os.close(write_end)
    try:
        with os.fdopen(read_end, "r") as reader:
            number = reader.readline().strip()  # written once the server accepts connections
        if not number:
            pytest.skip(f"Xvfb did not start (exit code {process.poll()})")
        yield f":{number}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def guarded_server() -> Iterator[MockServer]:
    with MockServer(SEED) as server:
        yield server


@pytest.fixture
def server(guarded_server: MockServer) -> MockServer:
    http_json(f"{guarded_server.url}/__mock__/reset", {})
    return guarded_server


@pytest.fixture
def fleet_files(server: MockServer, tmp_path: Path) -> tuple[Path, Path]:
    fleet, env = write_fleet(server.world, server.url, tmp_path / "fleet" / "fleet.yaml")
    return Path(fleet), Path(env)


def start_login(fleet_files: tuple[Path, Path], display: str, *extra: str,
                stores: tuple[str, ...] = ("guarded",)) -> subprocess.Popen[str]:
    """The command as a person starts it (its own process: its own signals and browser)."""
    env = dict(os.environ, DISPLAY=display)
    fleet, env_file = fleet_files
    selection = [arg for store in stores for arg in ("--store", store)]
    return subprocess.Popen([sys.executable, "-m", "automation", "login", "-c", str(fleet), "--env-file",
                             str(env_file), *selection, *extra], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for_line(stream: io.TextIOBase | Any, needle: str, seen: list[str]) -> str:
    """Read the command's stderr line by line until one holds `needle` (what the person would read)."""
    for line in stream:
        seen.append(line)
        if needle in line:
            return line
    raise AssertionError(f"{needle!r} never printed; stderr was:\n{''.join(seen)}")


def session_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.json"))


def test_a_person_passes_the_challenge_once_and_a_headless_plan_reuses_the_session(
        display: str, server: MockServer, fleet_files: tuple[Path, Path], private_session_dir: Path,
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    process = start_login(fleet_files, display, "--timeout", PERSON_TIMEOUT_S)
    err: list[str] = []
    try:
        wait_for_line(process.stderr, "bot challenge shown", err)
        # The person ticks "Verify you are human" (the automated browser never passes on its own).
        assert http_json(f"{server.url}/__mock__/challenges/solve", {"store": "guarded"})["solved"] == 1
        out, rest = process.communicate(timeout=float(PERSON_TIMEOUT_S) + 60)
    finally:
        if process.poll() is None:
            process.kill()
    err.append(rest)
    assert process.returncode == 0, out + "".join(err)
    assert len(out.splitlines()) == 1 and out.startswith("guarded: logged in, session saved"), out
    saved = session_files(private_session_dir)
    assert len(saved) == 1 and stat.S_IMODE(saved[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(private_session_dir.stat().st_mode) == 0o700
    state = json.loads(saved[0].read_text(encoding="utf-8"))
    cookies = {cookie["name"]: cookie["value"] for cookie in state["cookies"]}
    assert "backend_session_id" in cookies and "cf_clearance" in cookies
    account = http_json(f"{server.url}/__mock__/accounts?store=guarded")
    assert (account["attempts"], account["successful_logins"]) == (1, 1)  # the tool filled the password once
    assert http_json(f"{server.url}/__mock__/challenges")["guarded"]["passed"] == 1

    # A later headless run starts logged in: no challenge, no password form.
    runs = tmp_path / "runs"
    plan_out = io.StringIO()
    code = main(["plan", "-c", str(fleet_files[0]), "--env-file", str(fleet_files[1]), "--store", "guarded",
                 "--artifacts-dir", str(runs), "--log-format", "json", "--no-history"], out=plan_out)
    plan_err = capsys.readouterr().err
    assert code == 2, plan_out.getvalue() + plan_err  # changes planned: it read the store
    (run_dir,) = list(runs.iterdir())
    logins = json.loads((run_dir / "plan.json").read_text(encoding="utf-8"))["stores"][0]["logins"]
    assert (logins["chains"], logins["password"], logins["code"], logins["bot_challenges"]) == (0, 0, 0, 0)
    assert http_json(f"{server.url}/__mock__/accounts?store=guarded")["attempts"] == 1
    assert "reusing cached session" in plan_err

    secrets = {"password": PASSWORD, **{f"cookie {name}": value for name, value in cookies.items()}}
    leaks = scan_directory(run_dir, secrets)
    assert not leaks, describe(leaks)
    printed = {"login stdout": out, "login stderr": "".join(err), "plan stdout": plan_out.getvalue(),
               "plan stderr": plan_err}
    leaks = scan_files({name: text.encode("utf-8") for name, text in printed.items()}, secrets)
    assert not leaks, describe(leaks)


def test_a_challenge_never_passed_times_out_with_one_line_and_saves_nothing(
        display: str, server: MockServer, fleet_files: tuple[Path, Path], private_session_dir: Path) -> None:
    process = start_login(fleet_files, display, "--timeout", "4")
    try:
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 1, out + err
    assert len(out.splitlines()) == 1, out
    assert out.startswith("guarded: timed out after 4 s: the bot challenge did not clear"), out
    assert "nothing saved" in out
    assert session_files(private_session_dir) == []
    assert http_json(f"{server.url}/__mock__/accounts?store=guarded")["attempts"] == 0
    assert PASSWORD not in out + err


def test_without_a_display_it_says_how_to_get_one(fleet_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str],
                                                   private_session_dir: Path) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    code = main(["login", "-c", str(fleet_files[0]), "--env-file", str(fleet_files[1]), "--store", "guarded"],
                out=io.StringIO())
    err = capsys.readouterr().err
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")
    assert "$DISPLAY" in err and "xvfb-run" in err
    assert session_files(private_session_dir) == []


def test_ctrl_c_while_waiting_stops_cleanly_and_saves_nothing(
        display: str, server: MockServer, fleet_files: tuple[Path, Path], private_session_dir: Path) -> None:
    process = start_login(fleet_files, display, "--timeout", PERSON_TIMEOUT_S)
    err: list[str] = []
    try:
        wait_for_line(process.stderr, "bot challenge shown", err)
        process.send_signal(signal.SIGINT)  # the person gives up
        out, rest = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 1, out + "".join(err) + rest
    assert out.splitlines() == ["guarded: interrupted; nothing saved"]
    assert "Traceback" not in rest
    assert session_files(private_session_dir) == []


def test_an_unreachable_backoffice_is_one_line_and_exit_1(
        display: str, server: MockServer, fleet_files: tuple[Path, Path], private_session_dir: Path) -> None:
    fleet, _ = fleet_files
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    fleet.write_text(fleet.read_text(encoding="utf-8").replace(server.url, f"http://127.0.0.1:{closed}"),
                     encoding="utf-8")
    process = start_login(fleet_files, display, "--timeout", "60")
    out, err = process.communicate(timeout=120)
    assert process.returncode == 1, out + err
    assert len(out.splitlines()) == 1, out
    assert out.startswith(f"guarded: not logged in: the login chain could not reach http://127.0.0.1:{closed} "
                          f"(the backoffice)"), out
    assert session_files(private_session_dir) == []


def test_stores_of_one_account_need_one_password(display: str, server: MockServer, fleet_files: tuple[Path, Path],
                                                 private_session_dir: Path) -> None:
    process = start_login(fleet_files, display, "--timeout", PERSON_TIMEOUT_S, stores=("agency-a", "agency-b"))
    out, err = process.communicate(timeout=float(PERSON_TIMEOUT_S) * 2 + 60)
    assert process.returncode == 0, out + err
    assert [line.split(":")[0] for line in out.splitlines()] == ["agency-a", "agency-b"]
    assert all("logged in, session saved" in line for line in out.splitlines())
    assert len(session_files(private_session_dir)) == 2
    # the second store passed the chain with the identity session of the first: one password in all
    assert http_json(f"{server.url}/__mock__/accounts?store=agency-a")["attempts"] == 1
    assert AGENCY_PASSWORD not in out + err


def test_a_refusal_for_one_store_stops_filling_in_every_store_of_the_account(
        display: str, server: MockServer, fleet_files: tuple[Path, Path], private_session_dir: Path) -> None:
    """#24: one login coordinator for every command, `login` included: each store's environment holds another
    wrong password for the account (a rotation half done); the first is filled in and refused, the second is
    left to the person (never filled in), so the account sees one failed attempt."""
    _, env_file = fleet_files
    lines = env_file.read_text(encoding="utf-8").splitlines()
    wrong = {"EP_AGENCY_A_PASSWORD": "Stale-Password-1", "EP_AGENCY_B_PASSWORD": "Stale-Password-2"}
    env_file.write_text("\n".join(f"{line.split('=', 1)[0]}={wrong[line.split('=', 1)[0]]}"
                                  if line.split("=", 1)[0] in wrong else line for line in lines) + "\n")
    # Nobody logs in: each store's window waits its whole --timeout, so keep it short (the refusal of the first
    # store's password comes within a second or two of its page opening).
    process = start_login(fleet_files, display, "--timeout", REFUSAL_TIMEOUT_S, stores=("agency-a", "agency-b"))
    out, err = process.communicate(timeout=180)
    assert process.returncode == 1, out + err
    agency = http_json(f"{server.url}/__mock__/accounts?store=agency-a")
    assert (agency["attempts"], agency["failed_attempts"], agency["locked"]) == (1, 1, False), out + err
    assert "agency-b: a login of this account was refused for store agency-a in this run; not filling them in" \
        in err, err
    assert session_files(private_session_dir) == []
