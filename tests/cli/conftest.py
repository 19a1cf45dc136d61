from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from automation.cli import main
from ecom_privacy.clock import SYSTEM_CLOCK, Clock


@dataclass
class CliResult:
    code: int
    out: str
    err: str


CliRunner = Callable[..., CliResult]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> CliRunner:
    """Run the CLI in-process (real browser, real mock over HTTP) with artifacts under tmp_path/runs; on the
    system's clock unless a test hands it another one (ecom_privacy/clock.py)."""

    def run(*args: str, artifacts: bool = True, clock: Clock = SYSTEM_CLOCK) -> CliResult:
        argv = list(args)
        if artifacts and argv[0] in ("plan", "apply", "verify"):
            argv += ["--artifacts-dir", str(tmp_path / "runs"), "--log-format", "json"]
        out = io.StringIO()
        code = main(argv, out=out, clock=clock)
        return CliResult(code, out.getvalue(), capsys.readouterr().err)

    return run
