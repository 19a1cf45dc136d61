"""A fleet of its own for the reliability tests: several stores, one with TOTP, one whose UI is broken.

The fleet file and .env are written by the mock (`write_fleet`), as `ecom-privacy mock --write-fleet` does.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from automation.cli import main
from mock_backoffice import MockServer, write_fleet
from tests.support import TOTP_SECRET, http_json

PASSWORDS = {
    "alpha": "Alpha-Secret-1001",
    "bravo": "Bravo-Secret-2002",
    "charlie-totp": "Charlie-Secret-3003",
    "delta-broken": "Delta-Secret-4004",
    "echo": "Echo-Secret-5005",
}
SEED: dict[str, Any] = {
    "stores": [
        {"id": "alpha", "locale": "nl", "email": "owner@alpha.test", "password": PASSWORDS["alpha"]},
        {"id": "bravo", "locale": "en", "email": "owner@bravo.test", "password": PASSWORDS["bravo"],
         "cookie_law": {"mode": "notify"}},
        {"id": "charlie-totp", "locale": "en", "email": "owner@charlie.test", "password": PASSWORDS["charlie-totp"],
         "totp_secret": TOTP_SECRET},
        {"id": "delta-broken", "locale": "en", "email": "owner@delta.test", "password": PASSWORDS["delta-broken"],
         "break_ui": ["cookie_law_section"]},
        {"id": "echo", "locale": "nl", "email": "owner@echo.test", "password": PASSWORDS["echo"]},
    ],
    "generate": {"count": 3, "prefix": "gen", "password": "Generated-Secret-6006"},
}
HEALTHY = ["alpha", "bravo", "charlie-totp", "echo", "gen-001", "gen-002", "gen-003"]
SECRETS = [*PASSWORDS.values(), "Generated-Secret-6006", TOTP_SECRET]


@dataclass
class Run:
    code: int
    out: str
    err: str
    run_dir: Path


@dataclass
class Fleet:
    path: Path
    env: Path
    directory: Path

    def args(self) -> list[str]:
        return ["-c", str(self.path), "--env-file", str(self.env)]

    def set_password(self, store_id: str, password: str) -> None:
        name = "EP_" + store_id.upper().replace("-", "_") + "_PASSWORD"
        lines = [f"{name}={password}" if line.startswith(name + "=") else line
                 for line in self.env.read_text().splitlines()]
        self.env.write_text("\n".join(lines) + "\n")

    def set_desired(self, defaults: dict[str, Any], groups: dict[str, Any] | None = None,
                    members: dict[str, list[str]] | None = None) -> None:
        data = yaml.safe_load(self.path.read_text())
        data["defaults"] = defaults
        if groups:
            data["groups"] = groups
        for store in data["stores"]:
            if members and store["id"] in members:
                store["groups"] = members[store["id"]]
        self.path.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.fixture(scope="session")
def fleet_server() -> Iterator[MockServer]:
    with MockServer(SEED) as server:
        yield server


@pytest.fixture
def server(fleet_server: MockServer) -> MockServer:
    http_json(f"{fleet_server.url}/__mock__/reset", {})
    return fleet_server


@pytest.fixture
def warm_server(server: MockServer) -> MockServer:
    """The fleet's mock is the one whose stores `warm_sessions` logs in (tests/warm_sessions.py)."""
    return server


@pytest.fixture
def state(server: MockServer) -> Callable[[], dict[str, Any]]:
    return lambda: http_json(f"{server.url}/__mock__/state")["stores"]


@pytest.fixture
def fleet(server: MockServer, tmp_path: Path) -> Fleet:
    path, env = write_fleet(server.world, server.url, tmp_path / "fleet" / "fleet.yaml")
    return Fleet(Path(path), Path(env), tmp_path)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], fleet: Fleet) -> Callable[..., Run]:
    """The CLI in-process against the fleet; returns the exit code, stdout, stderr and the run directory."""

    def invoke(*args: str) -> Run:
        runs = fleet.directory / "runs"
        before = set(runs.iterdir()) if runs.exists() else set()
        out = io.StringIO()
        extra = ["--artifacts-dir", str(runs)] if args[0] in ("plan", "apply") else []
        code = main([*args, *fleet.args(), *extra, "--log-format", "json"], out=out)
        created = sorted(set(runs.iterdir()) - before) if runs.exists() else []
        return Run(code, out.getvalue(), capsys.readouterr().err, created[-1] if created else runs)

    return invoke


def read_terminal(leader: int) -> str:
    """Everything written to a pseudo-terminal until the process closes it."""
    import os

    screen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    return screen.decode(errors="replace")


def artifact_texts(directory: Path) -> dict[str, bytes]:
    """Every file under `directory`, with every member of every zip (traces) as a file of its own."""
    found: dict[str, bytes] = {}
    for path in directory.rglob("*"):
        if not path.is_file():
            continue
        found[str(path)] = path.read_bytes()
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    found[f"{path}!{name}"] = archive.read(name)
    return found
