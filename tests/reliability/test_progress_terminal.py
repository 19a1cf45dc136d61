"""The progress bar as a person sees it: on a terminal (a pseudo-terminal here), and not at all in cron."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.reliability.conftest import Fleet, Run, read_terminal

ROOT = Path(__file__).resolve().parents[2]


def test_bar_on_a_terminal_counts_the_stores(fleet: Fleet, private_session_dir: Path) -> None:
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "automation", "plan", *fleet.args(), "--store", "alpha", "--store", "bravo",
         "--artifacts-dir", str(fleet.directory / "runs")],
        cwd=ROOT, env=dict(os.environ, ECOM_PRIVACY_SESSION_DIR=str(private_session_dir)),
        stdout=subprocess.PIPE, stderr=follower, text=True)
    os.close(follower)
    text = read_terminal(leader)
    out, _ = process.communicate(timeout=60)
    os.close(leader)
    assert process.returncode == 2, out
    assert "plan " in text and "2/2 stores  0 failed" in text
    assert "\x1b[2K" in text  # redrawn in place (rich)
    assert "run finished" in text  # the console log lines come through the bar, readable


def test_no_bar_when_stderr_is_not_a_terminal(run: Callable[..., Run]) -> None:
    result = run("plan", "--store", "alpha")
    assert result.code == 2
    assert "stores  " not in result.err and "\x1b[2K" not in result.err
