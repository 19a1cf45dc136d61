"""Static HTML pages of the status and the drift timeline, to send to a client: inline CSS, no script,
every value escaped (store data and error messages come from outside)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from automation.history.status import FleetStatus
from automation.history.text import MARKS, age, duration, when
from automation.history.timeline import Timeline

TEMPLATES = Path(__file__).with_name("templates")
#: result status (timeline) and status category -> the colour class of the page
CLASSES = {"compliant": "ok", "changed": "corrected", "corrected": "corrected", "drift": "drift",
           "drifted": "drift", "blocked": "blocked", "failed": "failed", "skipped": "none", "not checked": "none"}


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(classes=CLASSES, marks=MARKS, age=age, when=when, duration=duration)
    return env


def render_status_html(status: FleetStatus, title: str = "Privacy settings: fleet status") -> str:
    return _environment().get_template("status.html").render(status=status, counts=status.counts(), title=title)


def render_timeline_html(timeline: Timeline, title: str = "Privacy settings: drift history") -> str:
    return _environment().get_template("history.html").render(timeline=timeline, title=title)
