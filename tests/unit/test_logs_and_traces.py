"""Redaction in log lines (nested values too) and in trace zips (cookie headers, known secrets)."""

from __future__ import annotations

import base64
import html
import io
import json
import zipfile
from pathlib import Path
from urllib.parse import quote, quote_plus

from automation.browser.tracing import scrub_trace_zip
from automation.outputs.logs import configure_logging, get_logger
from automation.redaction.redactor import Redactor
from tests.secret_scan import describe, scan_files

PASSWORD = "Pa55word-for-logs"
COOKIE = "c00kie-value-0123456789"


def test_json_log_lines_carry_no_secret_whatever_field_it_hides_in() -> None:
    stream = io.StringIO()
    configure_logging("json", Redactor([PASSWORD, COOKIE]), stream=stream)
    log = get_logger(store="s1")
    log.info("event", error=f"login failed with {PASSWORD}", detail={"nested": [PASSWORD], "cookie": "x"},
             password="plain", count=3)
    log.error(f"message with {COOKIE}")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    text = stream.getvalue()
    assert PASSWORD not in text and COOKIE not in text and "plain" not in text
    assert lines[0]["detail"] == {"nested": ["***"], "cookie": "***"}  # still a mapping, not its repr
    assert lines[0]["count"] == 3 and lines[0]["store"] == "s1"


def test_console_format_on_request() -> None:
    stream = io.StringIO()
    configure_logging("console", Redactor([PASSWORD]), stream=stream)
    get_logger().info("hello", value=PASSWORD)
    assert "hello" in stream.getvalue() and "value=***" in stream.getvalue()


def test_trace_zip_loses_cookie_headers_and_secrets(tmp_path: Path) -> None:
    path = tmp_path / "trace.zip"
    network = {"type": "resource-snapshot", "snapshot": {"request": {"headers": [
        {"name": "Cookie", "value": f"backend_session_id={COOKIE}"}, {"name": "Accept", "value": "text/html"}]},
        "response": {"headers": [{"name": "Set-Cookie", "value": f"backend_session_id={COOKIE}; Path=/"}]}}}
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("trace.network", json.dumps(network) + "\n")
        archive.writestr("trace.trace", json.dumps({"type": "action", "params": {"value": PASSWORD}}) + "\n")
        archive.writestr("resources/page.html", f"<p>backend_session_id={COOKIE}</p>")
        archive.writestr("resources/shot.jpeg", b"\xff\xd8\xff\xe0binary")
    scrub_trace_zip(path, Redactor([PASSWORD]))
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    everything = b"".join(members.values())
    assert COOKIE.encode() not in everything and PASSWORD.encode() not in everything
    headers = json.loads(members["trace.network"])["snapshot"]["request"]["headers"]
    assert headers == [{"name": "Cookie", "value": "***"}, {"name": "Accept", "value": "text/html"}]
    assert members["resources/shot.jpeg"] == b"\xff\xd8\xff\xe0binary"


def test_json_lines_when_the_stream_is_not_a_terminal() -> None:
    stream = io.StringIO()  # like cron: no terminal
    configure_logging(None, Redactor(), stream=stream)
    get_logger().info("hello")
    assert json.loads(stream.getvalue())["event"] == "hello"


def test_every_member_of_a_trace_loses_every_encoding_of_secrets_and_the_tokens_it_reveals(tmp_path: Path) -> None:
    password, csrf = 'p@ss word+/&"<é', "Csrf-Token-Handed-Out-By-The-Backoffice"
    body = f"csrf_token={csrf}&email=a%40b.test&password={quote_plus(password)}&code=123456"
    path = tmp_path / "trace.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("resources/0a1b.dat", body)  # no text suffix: a request body
        archive.writestr("resources/0a1c.dat", b"\x00\x01binary " + quote(password).encode() + b"\xff")
        archive.writestr("trace.network", json.dumps({"snapshot": {"request": {"postData": {
            "text": body, "params": [{"name": "password", "value": password}, {"name": "csrf_token", "value": csrf}],
            "b64": base64.b64encode(body.encode()).decode()}}}}) + "\n")
        archive.writestr("trace.trace", json.dumps({"snapshot": {"html": [
            "HTML", ["HEAD", ["META", {"name": "csrf-token", "content": csrf}]],
            ["BODY", ["P", {}, html.escape(password)]]]}}) + "\n")
    scrub_trace_zip(path, Redactor([password]))
    leaks = scan_files({"trace.zip": path.read_bytes()}, {"password": password, "csrf": csrf})
    assert not leaks, describe(leaks)

