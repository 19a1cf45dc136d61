"""Deliver a message to every configured Apprise URL; a target that fails is logged, never fatal."""

from __future__ import annotations

from collections.abc import Callable


def send(urls: list[str], title: str, body: str, redact: Callable[[str], str]) -> tuple[bool, list[str]]:
    """(delivered to every valid target, problems). The URLs carry tokens: problems are redacted of them."""
    import apprise  # loads its many plugins: only paid for by a run that has something to send

    problems: list[str] = []
    targets = apprise.Apprise()
    for index, url in enumerate(urls, start=1):
        if not targets.add(url):
            problems.append(f"alert URL #{index} is not a URL Apprise understands (check its scheme)")
    if len(targets) == 0:
        return False, problems or ["no alert URL to send to"]
    with apprise.LogCapture(level=apprise.logging.WARNING) as captured:
        delivered = targets.notify(title=title, body=body)
    if not delivered:
        details = [line.strip() for line in captured.getvalue().splitlines() if line.strip()]
        problems.append("alert not delivered: " + ("; ".join(details[-3:]) or "the target refused it"))
    return bool(delivered), [redact(problem) for problem in problems]
