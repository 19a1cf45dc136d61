"""A Playwright trace per store, kept only for stores that failed, with no secret inside.

Tracing starts after login, so the password and one-time code are never typed while it records. Every
later login (a cached session refused, a session expired mid-run) happens with tracing **stopped**, not
merely between two chunks: Playwright keeps recording network traffic into a context's trace between
chunks and hands it to the next chunk, so a re-login between chunks would put the login form's body in
the next trace. Each recording is therefore a trace of its own (trace.zip, trace-2.zip, ...). Every kept
zip is scrubbed member by member (automation.redaction.trace_zip): headers, cookies, CSRF tokens, secrets.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from playwright.async_api import BrowserContext

from automation.redaction.redactor import Redactor
from automation.redaction.trace_zip import SECRET_HEADERS, scrub_text, scrub_trace_zip

__all__ = ["SECRET_HEADERS", "StoreTrace", "scrub_text", "scrub_trace_zip"]


class StoreTrace:
    """Records one store's context; `finish(keep=True)` saves the chunks as trace.zip (trace-2.zip, ...)."""

    def __init__(self, context: BrowserContext, directory: Callable[[], Path], enabled: bool = True) -> None:
        self.context = context
        self.directory = directory
        self.enabled = enabled
        self.recording = False
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
        # DOM snapshots, no screencast: the snapshots show the page at every action, and the screencast
        # costs ~20 MB and ~10% of the time per store (the failure screenshot is taken separately).
        await self.context.tracing.start(screenshots=False, snapshots=True)
        self.recording = True

    async def pause(self) -> None:
        """Stop tracing altogether before a login; what was recorded so far is kept aside."""
        if not self.recording:
            return
        chunk = self._next_chunk()
        await self.context.tracing.stop(path=str(chunk))
        self._chunks.append(chunk)
        self.recording = False

    async def finish(self, keep: bool, redact: Redactor) -> list[Path]:
        if self.recording:
            if keep:
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
