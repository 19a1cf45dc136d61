"""Warm sessions: every seeded store of a mock server logged in once per test worker, and its cached session
copied into the tests that are not about logging in (issue #23 item 9).

A cold run of the tool walks each store's whole login chain in Chromium (the identity service's page, the
password, the code, the redirect back): about 0.3-0.5 s of CPU per store across Chromium, Playwright's driver
and Python, in every test, because each test starts from an empty session folder and a mock reset to the
seed. Here the tool's own code logs every store of a server in once (a no-op `plan` of the whole seed into a
scratch session folder: the real chain, and the tool's own writer of cached sessions), the mock keeps those
sessions (`POST /__mock__/sessions/snapshot`), and each test that opts in gets copies of the session files in
its private session folder and a mock reset with the snapshot kept (`{"keep_sessions": true}`): the seed's
world, no lockout, fault, counter or logged request, but the cached sessions work. The tool then reuses them
as it does a user's ("reusing cached session"), which is itself covered by the tests about sessions, which
stay cold.

Opt in (the fixture `warm_sessions`) only where how a store was reached is not what is tested: not the tests
about logging in, sessions, login or request counts, passwords and codes, refused logins, locks on the
session folder, or secret scans of what a login leaves behind.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from automation.access.session_cache import session_key
from tests.support import http_json

if TYPE_CHECKING:
    from mock_backoffice import MockServer


class WarmUpFailed(RuntimeError):
    """The tool could not log the seeded stores in: a test that needs warm sessions cannot start."""


class WarmSessions:
    """The cached session files of each mock server (by URL) of this test worker, logged in once each."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        #: server URL -> {session file name: its content}
        self._files: dict[str, dict[str, bytes]] = {}

    def enter(self, server: MockServer, session_dir: Path) -> None:
        """Reset `server` to its seed with the logged-in sessions kept and put their cached session files
        in `session_dir` (0600)."""
        files = self._files.get(server.url)
        if files is None:
            files = self._files[server.url] = self._log_in(server, self.scratch / str(len(self._files)))
        http_json(f"{server.url}/__mock__/reset", {"keep_sessions": True})
        for name, content in files.items():
            fd = os.open(session_dir / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)

    def _log_in(self, server: MockServer, folder: Path) -> dict[str, bytes]:
        from automation.cli import main
        from mock_backoffice import write_fleet

        http_json(f"{server.url}/__mock__/reset", {})
        fleet_path, env_path = write_fleet(server.world, server.url, folder / "fleet" / "fleet.yaml")
        fleet = yaml.safe_load(fleet_path.read_text(encoding="utf-8"))
        # a store behind a bot challenge waits for a person: it stays cold
        fleet["stores"] = [store for store in fleet["stores"] if not server.world.stores[store["id"]].bot_challenge]
        fleet_path.write_text(yaml.safe_dump(fleet, sort_keys=False), encoding="utf-8")
        sessions = folder / "sessions"
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err):  # not into the output of the test that happens to warm up
            code = main(["plan", "-c", str(fleet_path), "--env-file", str(env_path), "--session-dir", str(sessions),
                         "--artifacts-dir", str(folder / "runs"), "--no-history", "--no-trace",
                         "--log-format", "json"], out=out)
        files: dict[str, bytes] = {}
        for store in fleet["stores"]:
            email = server.world.stores[store["id"]].account.email
            path = sessions / f"{session_key(store['id'], store['backoffice_url'], email)}.json"
            if path.exists():
                files[path.name] = path.read_bytes()
        if not files:
            raise WarmUpFailed(f"no store of {server.url} logged in (plan exit {code}):\n{out.getvalue()}\n"
                               f"{err.getvalue()}")
        kept = http_json(f"{server.url}/__mock__/sessions/snapshot", {})
        if kept["sessions"] < len(files):
            raise WarmUpFailed(f"{len(files)} cached sessions but the mock kept {kept['sessions']}")
        return files
