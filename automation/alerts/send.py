"""Deliver a message to every configured Apprise URL; a target that fails is logged, never fatal.

Each target gets the message in the form it reads best: Markdown when its Apprise plugin's own format is
Markdown (Slack, Microsoft Teams workflows, Rocket.Chat, ...; or any URL given `format=markdown`), plain text
otherwise, always with the format said (`body_format`), so that an e-mail keeps its line breaks instead of
being sent as HTML that runs them together. The notify type (info, success, warning, failure) is the message's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from automation.alerts.message import Message


def _reads_markdown(plugin: Any, markdown: Any) -> bool:
    """Whether a target's own format (its default, or the URL's `format=`) is Markdown."""
    resolve = getattr(plugin, "resolve_format", None)
    if resolve is not None:  # Apprise 2: plugins may speak several formats, the first is their own
        return bool(resolve(None) == markdown)
    return bool(plugin.notify_format == markdown)


def send(urls: list[str], message: Message, redact: Callable[[str], str]) -> tuple[bool, list[str]]:
    """(delivered to every valid target, problems). The URLs carry tokens: problems are redacted of them."""
    import apprise  # loads its many plugins: only paid for by a run that has something to send

    problems: list[str] = []
    level = getattr(apprise.NotifyType, message.level.upper())
    valid = delivered = 0
    for index, url in enumerate(urls, start=1):
        plugin = apprise.Apprise.instantiate(url)
        if plugin is None:
            problems.append(f"alert URL #{index} is not a URL Apprise understands (check its scheme)")
            continue
        valid += 1
        markdown = _reads_markdown(plugin, apprise.NotifyFormat.MARKDOWN)
        target = apprise.Apprise()
        target.add(plugin)
        with apprise.LogCapture(level=apprise.logging.WARNING) as captured:
            ok = target.notify(title=message.title, body=message.markdown if markdown else message.text,
                               body_format=apprise.NotifyFormat.MARKDOWN if markdown else apprise.NotifyFormat.TEXT,
                               notify_type=level)
        if ok:
            delivered += 1
            continue
        details = [line.strip() for line in captured.getvalue().splitlines() if line.strip()]
        problems.append(f"alert URL #{index} not delivered: " + ("; ".join(details[-3:]) or "the target refused it"))
    if valid == 0:
        return False, [redact(problem) for problem in problems or ["no alert URL to send to"]]
    return delivered == valid, [redact(problem) for problem in problems]
