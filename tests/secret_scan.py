"""Search every byte of every artifact for secrets, in every encoding a browser or a trace gives them.

Written apart from the tool's own redaction (automation.redaction.secret_forms) on purpose: a scanner that shared the
redactor's idea of an encoding would share its blind spots. Besides looking for precomputed encodings, it
decodes every run of base64 it meets and searches the decoded bytes again, and it unpacks zips (traces)
inside zips, so a secret is found however it was wrapped.

    leaks = scan_directory(run_dir, {"password": PASSWORD, "totp secret": SECRET}, codes=["123456"])
    assert not leaks, describe(leaks)
"""

from __future__ import annotations

import base64
import binascii
import gzip
import html
import io
import json
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

#: base64 runs at least this long are decoded and searched again
_BASE64_RUN = re.compile(rb"[A-Za-z0-9+/_\-]{16,}={0,2}")
_MAX_DEPTH = 3


@dataclass(frozen=True)
class Leak:
    where: str
    secret: str
    encoding: str

    def __str__(self) -> str:
        return f"{self.secret} ({self.encoding}) in {self.where}"


def _base64_cores(data: bytes) -> dict[str, bytes]:
    """What base64 of a body containing `data` always contains, for each of the 3 alignments."""
    cores: dict[str, bytes] = {}
    for offset in range(3):
        padded = b"\x00" * offset + data
        encoded = base64.b64encode(padded).rstrip(b"=")
        first = -(-offset * 8 // 6)  # the first character that does not depend on the bytes before
        last = len(padded) * 8 // 6  # the characters after depend on the bytes after
        core = encoded[first:last]
        if len(core) >= 8:
            cores[f"base64@{offset}"] = core
            cores[f"base64url@{offset}"] = core.replace(b"+", b"-").replace(b"/", b"_")
    return cores


def encodings(secret: str) -> dict[str, bytes]:
    """Each way `secret` may be written: raw, JSON-escaped, URL-encoded (%20 and +), HTML-escaped, base64."""
    forms = {
        "raw": secret,
        "json": json.dumps(secret)[1:-1],
        "json (ascii off)": json.dumps(secret, ensure_ascii=False)[1:-1],
        "url %20": quote(secret, safe=""),
        "url %20 keeping /": quote(secret),
        "url +": quote_plus(secret, safe=""),
        "url + keeping /": quote_plus(secret),
        "html": html.escape(secret, quote=True),
        "html text": html.escape(secret, quote=False),
        "html &#39;": html.escape(secret, quote=True).replace("&#x27;", "&#39;"),
    }
    forms["json of url +"] = json.dumps(forms["url +"])[1:-1]
    found = {name: value.encode("utf-8") for name, value in forms.items()}
    for name in ("raw", "url %20", "url +"):
        for core_name, core in _base64_cores(forms[name].encode("utf-8")).items():
            found[f"{core_name} of {name}"] = core
    return found


def _short_pattern(code: str) -> re.Pattern[bytes]:
    # A 6-digit one-time code is searched where a typed value stands: after `=` (a form body, a query),
    # in quotes (a JSON string, an attribute) or as element text (`>123456`), and not inside a longer
    # number. A bare number anywhere would match timestamps and sizes by chance.
    return re.compile(rb"(?:[=\"'>]|%3D|\\u0022)" + re.escape(code.encode()) + rb"(?![0-9A-Za-z.])")


class SecretScanner:
    """Holds the needles: long secrets in every encoding, short codes standing alone."""

    def __init__(self, secrets: Mapping[str, str], codes: Iterable[str] = ()) -> None:
        self.needles = [(label, name, needle) for label, secret in secrets.items()
                        for name, needle in encodings(secret).items()]
        self.codes = [(code, _short_pattern(code)) for code in codes]

    def scan_bytes(self, where: str, data: bytes, depth: int = 0) -> list[Leak]:
        leaks = [Leak(where, label, name) for label, name, needle in self.needles if needle in data]
        leaks += [Leak(where, f"one-time code {code}", "standing alone") for code, pattern in self.codes
                  if pattern.search(data)]
        if depth >= _MAX_DEPTH:
            return leaks
        for run in _BASE64_RUN.finditer(data):
            decoded = _b64decode(run.group(0))
            if decoded:
                leaks += self.scan_bytes(f"{where} (base64 at {run.start()})", decoded, depth + 1)
        for name, inner in _unpacked(data):
            leaks += self.scan_bytes(f"{where}!{name}", inner, depth + 1)
        return leaks


def _b64decode(run: bytes) -> bytes | None:
    text = run.replace(b"-", b"+").replace(b"_", b"/").rstrip(b"=")
    try:
        return base64.b64decode(text + b"=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def _unpacked(data: bytes) -> list[tuple[str, bytes]]:
    """The members of a zip (a trace inside an artifact) or the content of a gzip stream."""
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return [(name, archive.read(name)) for name in archive.namelist()]
        except zipfile.BadZipFile:
            return []
    if data.startswith(b"\x1f\x8b"):
        try:
            return [("(gunzipped)", gzip.decompress(data))]
        except (OSError, EOFError):
            return []
    return []


def artifact_files(directory: Path) -> dict[str, bytes]:
    """Every file under `directory` (recursively), by path."""
    return {str(path): path.read_bytes() for path in sorted(directory.rglob("*")) if path.is_file()}


def scan_directory(directory: Path, secrets: Mapping[str, str], codes: Iterable[str] = ()) -> list[Leak]:
    """Every leak of `secrets` (label -> value) and `codes` in every file under `directory`, zips unpacked,
    including file names."""
    return scan_files(artifact_files(directory), secrets, codes)


def scan_files(files: Mapping[str, bytes], secrets: Mapping[str, str], codes: Iterable[str] = ()) -> list[Leak]:
    scanner = SecretScanner(secrets, codes)
    leaks: list[Leak] = []
    for where, data in files.items():
        leaks += scanner.scan_bytes(where, data)
        leaks += [Leak(where, label, "in the file name") for label, secret in secrets.items() if secret in where]
    return leaks


def describe(leaks: list[Leak], limit: int = 20) -> str:
    lines = [str(leak) for leak in leaks[:limit]]
    if len(leaks) > limit:
        lines.append(f"... and {len(leaks) - limit} more")
    return "\n".join(lines)
