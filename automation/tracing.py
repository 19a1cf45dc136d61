"""A Playwright trace per store, kept only for stores that failed, with no secret inside.

Tracing starts after login, so the password and one-time code are never typed while it records. When the
backoffice logs the tool out mid-run the trace is paused around the new login (the finished chunk goes to
a file, a new chunk starts after). A trace also records request headers, the session cookie among them:
every saved zip is rewritten with cookie headers blanked and every known secret replaced by ***.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext

#: headers whose values are credentials
SECRET_HEADERS = frozenset({"cookie", "set-cookie", "authorization", "x-csrf-token"})
TEXT_SUFFIXES = (".trace", ".network", ".json", ".jsonl", ".txt", ".html", ".css", ".js", ".stacks")
_COOKIE_PAIR = re.compile(r"(backend_session_id|session_id)=[^;\s\"']+")


def _scrub_headers(node: Any) -> Any:
    """Blank the values of credential headers wherever a list of {name, value} headers appears."""
    if isinstance(node, dict):
        if isinstance(node.get("name"), str) and "value" in node and node["name"].lower() in SECRET_HEADERS:
            return {**node, "value": "***"}
        return {key: _scrub_headers(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_scrub_headers(item) for item in node]
    return node


def scrub_text(text: str, redact: Callable[[str], str]) -> str:
    lines = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith(("{", "[")):
            with contextlib.suppress(ValueError):  # not JSON after all: the string redaction still applies
                line = json.dumps(_scrub_headers(json.loads(stripped)), ensure_ascii=False)
        lines.append(line)
    return _COOKIE_PAIR.sub(r"\1=***", redact("\n".join(lines)))


def scrub_trace_zip(path: Path, redact: Callable[[str], str]) -> None:
    """Rewrite a trace zip in place with secrets removed from every text member."""
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(TEXT_SUFFIXES) or "/" not in info.filename:
                with contextlib.suppress(UnicodeDecodeError):  # binary (screenshots): pixels, not text
                    data = scrub_text(data.decode("utf-8"), redact).encode("utf-8")
            target.writestr(info, data)
    tmp.replace(path)


class StoreTrace:
    """Records one store's context; `finish(keep=True)` saves the chunks as trace.zip (trace-2.zip, ...)."""

    def __init__(self, context: BrowserContext, directory: Callable[[], Path], enabled: bool = True) -> None:
        self.context = context
        self.directory = directory
        self.enabled = enabled
        self.recording = False
        self._started = False
        self._chunks: list[Path] = []
        self._spool: Path | None = None

    def _next_chunk(self) -> Path:
        # Chunks wait in a private temporary folder: until they are scrubbed they hold live cookies, and
        # most of them are thrown away (only failed stores keep a trace).
        if self._spool is None:
            self._spool = Path(tempfile.mkdtemp(prefix="ecom-privacy-trace-"))
        return self._spool / f"chunk-{len(self._chunks) + 1}.zip"

    async def start(self) -> None:
        """Start (or resume) recording; call only while logged in."""
        if not self.enabled or self.recording:
            return
        if not self._started:
            # DOM snapshots, no screencast: the snapshots show the page at every action, and the screencast
            # costs ~20 MB and ~10% of the time per store (the failure screenshot is taken separately).
            await self.context.tracing.start(screenshots=False, snapshots=True)
            self._started = True
        else:
            await self.context.tracing.start_chunk()
        self.recording = True

    async def pause(self) -> None:
        """Stop recording before a login; what was recorded so far is kept aside."""
        if not self.recording:
            return
        chunk = self._next_chunk()
        await self.context.tracing.stop_chunk(path=str(chunk))
        self._chunks.append(chunk)
        self.recording = False

    async def finish(self, keep: bool, redact: Callable[[str], str]) -> list[Path]:
        if self._started:
            if self.recording and keep:
                chunk = self._next_chunk()
                await self.context.tracing.stop(path=str(chunk))
                self._chunks.append(chunk)
            else:
                await self.context.tracing.stop()
            self.recording = False
        chunks = [chunk for chunk in self._chunks if chunk.exists()]
        saved: list[Path] = []
        if keep and chunks:
            directory = self.directory()
            for number, chunk in enumerate(chunks, start=1):
                scrub_trace_zip(chunk, redact)
                target = directory / ("trace.zip" if number == 1 else f"trace-{number}.zip")
                shutil.move(chunk, target)
                saved.append(target)
        if self._spool is not None:
            shutil.rmtree(self._spool, ignore_errors=True)
            self._spool = None
        return saved
