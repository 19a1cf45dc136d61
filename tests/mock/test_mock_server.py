"""Over real HTTP: MockServer in a thread, and the CLI as a separate process."""

from __future__ import annotations

import http.cookiejar
import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from mock_backoffice import MockServer
from mock_backoffice.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]


def _form(html: str) -> tuple[str, str]:
    """(the action of the page's form, the page's CSRF token)."""
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    return action.replace("&amp;", "&"), token


def test_login_chain_and_save_over_real_http(seed: dict[str, Any]) -> None:
    with MockServer(seed) as server:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.id_url) and server.id_url != server.url
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        admin = f"{server.url}/shop-en/admin"

        with opener.open(f"{admin}/settings/web_extras") as r:  # redirected through the chain to the login page
            assert r.url.startswith(f"{server.id_url}/auth/login?client_id=ecom-eu&target_shop_id=shop-en&")
            action, token = _form(r.read().decode())
        form = urllib.parse.urlencode({"username": "en@shop.test", "password": "secret-en", "csrf_token": token})
        with opener.open(server.id_url + action, form.encode()) as r:  # callback, token, back to the page
            assert r.url == f"{admin}/settings/web_extras"
            html = r.read().decode()
        assert sorted((cookie.name, cookie.path) for cookie in jar) == [
            ("backend_session_id", "/shop-en/admin"), ("lsid_session", "/auth")]

        _, token = _form(html)
        body = urllib.parse.urlencode({"cookielaw[mode]": "2", "csrf_token": token}).encode()
        with opener.open(f"{admin}/settings/web_extras", body) as r:
            assert "Your settings have been saved." in r.read().decode()

        with urllib.request.urlopen(f"{server.url}/__mock__/state") as r:
            assert json.load(r)["stores"]["shop-en"]["cookie_law"]["mode"] == "confirm"


def test_global_faults_reach_the_identity_service_and_store_faults_do_not(seed: dict[str, Any]) -> None:
    with MockServer(seed) as server:
        def set_faults(body: dict[str, Any]) -> None:
            request = urllib.request.Request(f"{server.url}/__mock__/faults", json.dumps(body).encode(), method="POST")
            urllib.request.urlopen(request).close()

        login = f"{server.id_url}/auth/login?target_shop_id=shop-en&state=x"
        set_faults({"store": "shop-en", "error_rate": 1})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(login)
        assert refused.value.code == 400  # not a fault: this request lacks the client's parameters
        set_faults({"error_rate": 1, "path": "auth/*"})
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(login)
        assert failed.value.code == 500


def test_latency_is_real_over_http(seed: dict[str, Any]) -> None:
    with MockServer(seed) as server:
        request = urllib.request.Request(
            f"{server.url}/__mock__/faults", json.dumps({"latency_ms": 200}).encode(), method="POST"
        )
        urllib.request.urlopen(request).close()
        started = time.perf_counter()
        urllib.request.urlopen(f"{server.url}/shop-en/").close()
        assert time.perf_counter() - started >= 0.2


def test_server_url_requires_start_and_stop_is_idempotent(seed: dict[str, Any]) -> None:
    server = MockServer(seed)
    with pytest.raises(RuntimeError):
        _ = server.url
    server.start()
    url = server.url
    server.stop()
    server.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{url}/__mock__/health", timeout=2)


def test_cli_rejects_an_invalid_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text("stores:\n  - id: a\n    email: a@a.test\n    password: pw\n    colour: red\n")
    assert main(["--seed", str(seed), "--port", "0"]) == 2
    assert "stores[0].colour: unknown key" in capsys.readouterr().err


def test_cli_serves_and_writes_a_fleet(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet.yaml"
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_backoffice", "--port", "0", "--write-fleet", str(fleet)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:  # blocks until the server has printed its banner
            lines.append(line)
            if line.startswith("control:"):
                break
        banner = "".join(lines)
        base_url = re.search(r"listening on (http://127\.0\.0\.1:\d+)", banner).group(1)  # type: ignore[union-attr]
        id_url = re.search(r"identity service \(login\) on (http://127\.0\.0\.1:\d+)", banner).group(1)  # type: ignore[union-attr]
        assert "demo-nl" in banner and "demo-totp" in banner and id_url != base_url
        with urllib.request.urlopen(f"{base_url}/__mock__/health") as response:
            assert json.load(response) == {"ok": True}
        with urllib.request.urlopen(f"{base_url}/demo-nl/admin/") as response:  # the chain crosses to id_url
            assert response.url.startswith(f"{id_url}/auth/login?")
        stores = yaml.safe_load(fleet.read_text())["stores"]
        assert stores[0]["backoffice_url"] == f"{base_url}/demo-nl/admin"
        assert (tmp_path / ".env").exists()
    finally:
        process.terminate()
        process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_cli_identity_port_defaults_to_the_next_free_one_and_logs_no_secret(tmp_path: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_backoffice", "--port", str(port), "--write-fleet", str(tmp_path / "f.yaml")],
        cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    secrets: list[str] = []
    try:
        assert process.stdout is not None
        banner = ""
        for line in process.stdout:
            banner += line
            if line.startswith("control:"):
                break
        found = re.search(r"identity service \(login\) on http://127\.0\.0\.1:(\d+)", banner)
        assert found is not None
        id_port = int(found.group(1))
        assert port < id_port <= port + 100
        env = dict(line.split("=", 1) for line in (tmp_path / ".env").read_text().splitlines() if "=" in line)
        recovery = env["EP_DEMO_TOTP_RECOVERY_CODES"].split(",")[0]
        secrets += [env["EP_DEMO_TOTP_PASSWORD"], recovery]

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(f"http://127.0.0.1:{port}/demo-totp/admin/") as r:
            login_url = r.url
            action, token = _form(r.read().decode())
        secrets += [token, *parse_qs(urlsplit(login_url).query)["state"]]
        form = {"username": env["EP_DEMO_TOTP_EMAIL"], "password": env["EP_DEMO_TOTP_PASSWORD"], "csrf_token": token}
        with opener.open(f"http://127.0.0.1:{id_port}{action}", urllib.parse.urlencode(form).encode()) as r:
            action, token = _form(r.read().decode())
        form = {"code": recovery, "csrf_token": token}
        with opener.open(f"http://127.0.0.1:{id_port}{action}", urllib.parse.urlencode(form).encode()) as r:
            assert r.url == f"http://127.0.0.1:{port}/demo-totp/admin/"
        secrets += [cookie.value for cookie in jar if cookie.value]
    finally:
        process.terminate()
        _, log = process.communicate(timeout=10)
    assert "/demo-totp/admin/auth/sso?token=*** HTTP/1.1" in log  # the chain was logged, its token not
    assert "/auth/callback?target_shop_id=demo-totp&state=***" in log
    leaked = [secret for secret in secrets if secret in log]
    assert leaked == [], "secrets in the mock's request log"


def test_identity_port_default_skips_taken_ports_and_an_explicit_one_must_be_free(seed: dict[str, Any]) -> None:
    from mock_backoffice import create_app
    from mock_backoffice.context import identity_app_of
    from mock_backoffice.server import bind_identity

    identity = identity_app_of(create_app(seed))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        server = bind_identity("127.0.0.1", None, busy - 1, identity, None)  # the next port is busy: a later one
        try:
            assert server.server_port > busy
        finally:
            server.server_close()
        with pytest.raises(OSError):
            bind_identity("127.0.0.1", busy, busy - 1, identity, None)


def test_cli_refuses_a_busy_identity_port(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        assert main(["--port", "0", "--id-port", str(busy)]) == 1
    assert f"mock_backoffice: cannot listen on 127.0.0.1:{busy} (--id-port)" in capsys.readouterr().err


def test_stop_identity_leaves_the_stores_running_and_the_login_unreachable(seed: dict[str, Any]) -> None:
    with MockServer(seed) as server:
        server.stop_identity()
        with urllib.request.urlopen(f"{server.url}/shop-en/") as r:
            assert r.status == 200
        with pytest.raises(urllib.error.URLError) as refused:
            urllib.request.urlopen(f"{server.url}/shop-en/admin/", timeout=5)  # the chain leads to a closed port
        assert isinstance(refused.value.reason, ConnectionRefusedError)
