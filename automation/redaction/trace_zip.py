"""Scrub a Playwright trace zip: no credential, cookie value or CSRF token survives in any of its members.

A trace holds the network log (`trace.network`, request and response headers, form parameters), request
and response bodies (`resources/<sha1>.dat`, whatever their type), DOM snapshots (`trace.trace`, with every
`<meta name="csrf-token">` and hidden token field) and the context's options (a cached session's cookies).
Every member is scrubbed, text or not:

- credential headers (`Cookie`, `Set-Cookie`, `Authorization`, CSRF headers) and cookie objects are blanked
  wherever they appear in JSON;
- the values of the session's cookies and CSRF tokens are collected from the whole zip first (they are not
  known to the tool in advance: the backoffice hands them out), then redacted everywhere in every encoding;
- every secret the run knows (passwords, TOTP secrets, cookie values) is redacted in every encoding
  (`automation.redaction.secret_forms`), in text and in binary members alike.
"""

from __future__ import annotations

import contextlib
import json
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from automation.redaction.redactor import REDACTED, Redactor

#: headers whose values are credentials
SECRET_HEADERS = frozenset({"cookie", "set-cookie", "authorization", "proxy-authorization", "x-csrf-token",
                            "x-xsrf-token"})
#: names under which web backoffices carry their CSRF token: the real one uses `<meta name="csrf-token">`,
#: the `x-csrf-token` header and `authenticity_token` form fields (docs/backoffice.md), the mock `csrf_token`
CSRF_NAMES = ("csrf_token", "csrf-token", "authenticity_token", "x-csrf-token", "xsrf-token", "x-xsrf-token",
              "_csrf", "_token")
#: cookie values and tokens shorter than this are flags (COOKIELAW=1), not credentials
MIN_TOKEN_LENGTH = 8

_NAMES = "|".join(re.escape(name) for name in CSRF_NAMES)
# csrf_token=VALUE in a form body or query string (also inside a JSON string)
_FORM_TOKEN = re.compile(rf"(?i)(?:^|[?&\s\"'])(?:{_NAMES})=([^&\s\"'<>;\\]+)")
# <meta name="csrf-token" content="..."> / <input name="csrf_token" value="..."> in HTML
_HTML_TAG = re.compile(rf"(?i)<[^<>]*\bname\s*=\s*[\"']?(?:{_NAMES})[\"']?[^<>]*>")
_HTML_VALUE = re.compile(r"(?i)\b(?:content|value)\s*=\s*[\"']([^\"']+)[\"']")
# {"name": "csrf-token", "content": "..."} (a DOM snapshot's attributes, a form parameter of the network log)
_JSON_OBJECT = re.compile(rf"(?i)\{{[^{{}}]*\"name\"\s*:\s*\"(?:{_NAMES})\"[^{{}}]*\}}")
_JSON_VALUE = re.compile(r"\"(?:content|value)\"\s*:\s*\"((?:[^\"\\]|\\.)+)\"")
# "csrf_token": "..." as a JSON key
_JSON_KEY = re.compile(rf"(?i)\"(?:{_NAMES})\"\s*:\s*\"((?:[^\"\\]|\\.)+)\"")
_COOKIE_PAIR = re.compile(r"([A-Za-z0-9_.\-]+)=([^;,\s]+)")


def _is_cookie(node: dict[str, Any]) -> bool:
    return isinstance(node.get("name"), str) and "value" in node and ("domain" in node or "path" in node)


def _is_secret_field(node: dict[str, Any]) -> bool:
    name = node.get("name")
    return isinstance(name, str) and (name.lower() in SECRET_HEADERS or name.lower() in CSRF_NAMES)


def scrub_json(node: Any) -> Any:
    """Blank credential headers, cookies and CSRF fields wherever a {name, value} pair appears."""
    if isinstance(node, dict):
        if _is_secret_field(node) or _is_cookie(node):
            return {key: REDACTED if key in ("value", "content") else value for key, value in node.items()}
        return {key: scrub_json(value) for key, value in node.items()}
    if isinstance(node, list):
        return [scrub_json(item) for item in node]
    return node


def _collect_from_json(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        name = node.get("name")
        value = node.get("value", node.get("content"))
        if isinstance(name, str) and isinstance(value, str):
            lowered = name.lower()
            if lowered in ("cookie", "set-cookie"):
                found.update(match.group(2) for match in _COOKIE_PAIR.finditer(value))
            elif lowered in SECRET_HEADERS or lowered in CSRF_NAMES or _is_cookie(node):
                found.add(value)
        for child in node.values():
            _collect_from_json(child, found)
    elif isinstance(node, list):
        for child in node:
            _collect_from_json(child, found)


def _json_unescape(value: str) -> str:
    with contextlib.suppress(ValueError):
        return json.loads(f'"{value}"')
    return value


def discover_tokens(text: str) -> set[str]:
    """Cookie values and CSRF tokens the backoffice handed out, as found anywhere in `text`."""
    found: set[str] = set()
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith(("{", "[")):
            with contextlib.suppress(ValueError):
                _collect_from_json(json.loads(stripped), found)
    for match in _FORM_TOKEN.finditer(text):
        found.update({match.group(1), unquote_plus(match.group(1))})
    for tag in _HTML_TAG.finditer(text):
        found.update(value.group(1) for value in _HTML_VALUE.finditer(tag.group(0)))
    for obj in _JSON_OBJECT.finditer(text):
        found.update(_json_unescape(value.group(1)) for value in _JSON_VALUE.finditer(obj.group(0)))
    found.update(_json_unescape(match.group(1)) for match in _JSON_KEY.finditer(text))
    return {token for token in found if len(token) >= MIN_TOKEN_LENGTH and token != REDACTED}


def scrub_text(text: str, redact: Redactor) -> str:
    lines = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith(("{", "[")):
            with contextlib.suppress(ValueError):  # not JSON after all: the string redaction still applies
                line = json.dumps(scrub_json(json.loads(stripped)), ensure_ascii=False)
        lines.append(line)
    return redact("\n".join(lines))


def _decode(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def scrub_trace_zip(path: Path, redact: Redactor) -> None:
    """Rewrite a trace zip in place with every member scrubbed (see the module's docstring)."""
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    texts = {info.filename: _decode(data) for info, data in members}
    tokens = set()
    for text in texts.values():
        if text is not None:
            tokens |= discover_tokens(text)
    # The run's own secrets and what this trace revealed, in one redactor (its secrets stay in this call).
    local = Redactor([*redact.secrets, *tokens])
    tmp = path.with_name(path.name + ".tmp")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as target:
            for info, data in members:
                text = texts[info.filename]
                # Binary members (screenshots, bodies that are not UTF-8) are redacted as bytes: a secret in
                # them is a secret all the same, and a damaged image is the lesser harm.
                scrubbed = scrub_text(text, local).encode("utf-8") if text is not None else local.redact_bytes(data)
                target.writestr(info, scrubbed)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
