"""A real headless Chromium listening for CDP on 127.0.0.1, started by a test: a stand-in for a browser farm."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from automation.browser.launch import launch_args

CANDIDATES = ("/usr/lib/chromium/chromium-headless-shell", "/usr/bin/chromium-headless-shell", "/usr/bin/chromium")
LISTENING = re.compile(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/")
START_TIMEOUT_S = 30.0


def chromium_binary() -> str:
    for candidate in CANDIDATES:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError(f"no Chromium for the CDP tests among {CANDIDATES}")


class RemoteChromium:
    """`start()` on a free port (read from its stderr), `kill()` with SIGKILL, `start()` again on the same port."""

    def __init__(self) -> None:
        self.port = 0
        self.process: subprocess.Popen[str] | None = None
        self.starts = 0
        self._profile = tempfile.TemporaryDirectory(prefix="ecom-privacy-cdp-")

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> RemoteChromium:
        binary = chromium_binary()
        headless = [] if "headless-shell" in binary else ["--headless"]
        profile = Path(self._profile.name) / f"profile-{self.starts}"
        self.process = subprocess.Popen(
            [binary, *headless, *launch_args(), f"--remote-debugging-port={self.port}",
             "--remote-debugging-address=127.0.0.1", f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
        found = threading.Event()
        ports: list[int] = []

        def drain(stream: object) -> None:  # keep reading, or Chromium blocks on a full stderr pipe
            for line in stream:  # type: ignore[attr-defined]
                match = LISTENING.search(line)
                if match and not found.is_set():
                    ports.append(int(match.group(1)))
                    found.set()
            found.set()  # the browser ended without listening: start() reports it

        threading.Thread(target=drain, args=(self.process.stderr,), daemon=True).start()
        if not found.wait(START_TIMEOUT_S) or not ports:
            self.kill()
            raise RuntimeError(f"{binary} did not report 'DevTools listening on' within {START_TIMEOUT_S:g} s")
        self.port = ports[0]
        self.starts += 1
        return self

    def kill(self) -> None:
        """SIGKILL the whole browser (its wrapper script, the browser and its helpers): no goodbye to clients."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None

    def close(self) -> None:
        self.kill()
        self._profile.cleanup()
