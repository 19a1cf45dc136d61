"""The `status` and `history` commands, and the `--db` / `--no-history` options of plan, apply and verify.

Registering the options imports nothing but the standard library: the database, the queries and the
HTML templates are imported by the command that runs, so that `status` answers in under a second.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ecom_privacy.errors import ConfigError
from ecom_privacy.terminal_text import TerminalStream

if TYPE_CHECKING:
    from automation.redaction.redactor import Redactor

DB_HELP = "the history database: sqlite:///PATH, a file path, or postgresql://USER@HOST/DB " \
          "(default: the home's (--home, $ECOM_PRIVACY_HOME), else $ECOM_PRIVACY_DB, else SQLite in " \
          "$XDG_DATA_HOME/ecom-privacy/; see 'ecom-privacy where')"
DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhdw])$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    match = DURATION.match(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration; use a number and s, m, h, d or w (36h, 2d)")
    return timedelta(seconds=float(match.group(1)) * UNITS[match.group(2)])


def parse_moment(text: str) -> datetime | timedelta:
    """YYYY-MM-DD, an ISO date and time (UTC unless it says otherwise), or a duration ago (7d). A duration is
    kept as it is: the command counts it back from its clock's now (`moment_at`), not the parser."""
    if DURATION.match(text.strip()):
        return parse_duration(text)
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD, YYYY-MM-DDTHH:MM or a "
                                         "duration ago such as 30d") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def moment_at(value: datetime | timedelta | None, now: datetime) -> datetime | None:
    """A `--since`/`--until` as a naive UTC time (the history's), a duration ago counted back from `now`."""
    if isinstance(value, timedelta):
        return now.astimezone(UTC).replace(tzinfo=None) - value
    return value


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """--db and --no-history for plan, apply and verify."""
    parser.add_argument("--db", default=None, metavar="URL", help=DB_HELP)
    parser.add_argument("--no-history", action="store_true",
                        help="record nothing in the history database and send no alerts")


def _reader_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=None, metavar="URL", help=DB_HELP)
    parser.add_argument("--store", action="append", default=[], metavar="ID", help="only this store (repeatable)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output on stdout")
    parser.add_argument("--html", type=Path, default=None, metavar="FILE", help="also write a static HTML page")
    parser.add_argument("--log-format", choices=("console", "json"), default=None, help=argparse.SUPPRESS)
    parser.add_argument("-v", "--verbose", action="store_true", help=argparse.SUPPRESS)


def register(commands: Any) -> None:
    """Add `status` and `history` to the CLI's sub-commands."""
    status = commands.add_parser("status", help="the fleet now: newest result per store and setting, with its age")
    _reader_options(status)
    status.add_argument("--max-age", type=parse_duration, default=timedelta(hours=36), metavar="DURATION",
                        help="flag stores whose newest result is older than this (default 36h)")
    status.add_argument("-c", "--config", type=Path, default=None, metavar="FILE",
                        help="fleet file: show only its stores, and its settings never checked as 'not checked'")

    history = commands.add_parser(
        "history", help="the drift timeline and failures in a row; 'history import RUNS_DIR' records old runs")
    history.add_argument("action", nargs="*", metavar="import RUNS_DIR",
                         help="import RUNS_DIR: record every run directory below RUNS_DIR not yet in the history")
    _reader_options(history)
    history.add_argument("--setting", action="append", default=[], metavar="NAME",
                         help="only this setting (repeatable; 'storefront' for the checks of verify)")
    history.add_argument("--since", type=parse_moment, default=None, metavar="WHEN",
                         help="from this date (YYYY-MM-DD, ISO date and time in UTC, or 30d ago)")
    history.add_argument("--until", type=parse_moment, default=None, metavar="WHEN", help="until this date")


def _write_html(path: Path, html: str, out: TextIO) -> None:
    from automation.outputs.files import make_folder, write_text

    make_folder(path.parent, private=False)
    write_text(path, html)
    print(f"wrote {path}", file=out)


def cmd_status(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    from automation.db import open_database
    from automation.history.status import fleet_status
    from automation.history.text import render_status
    from automation.home.places import paths_of

    expected: list[tuple[str, list[str]]] = []
    stores = list(args.store)
    if args.config is not None:
        from automation.fleet.composition import read_fleet  # loads every flow: only when a fleet file is given

        fleet = read_fleet(args.config)
        chosen = fleet.select(args.store)
        expected = [(store.id, list(store.desired)) for store in chosen]
        stores = [store.id for store in chosen]
    engine = open_database(paths_of(args).db_url)
    try:
        status = fleet_status(engine, max_age=args.max_age, now=args.clock.now().replace(tzinfo=None),
                              stores=stores or None, expected=expected)
    finally:
        engine.dispose()
    if args.format == "json":
        out.write(json.dumps(status.to_json(), indent=2) + "\n")
    else:
        out.write(render_status(status) + "\n")
    if args.html:
        from automation.history.html import render_status_html  # Jinja2: only for --html

        _write_html(args.html, render_status_html(status), out if args.format == "text" else sys.stderr)
    return 0 if status.healthy else 1


def cmd_history(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    from automation.db import open_database
    from automation.history.text import render_timeline
    from automation.history.timeline import drift_timeline
    from automation.home.places import paths_of

    if args.action:
        if args.action[0] != "import" or len(args.action) != 2:
            raise ConfigError(f"history: unknown arguments {' '.join(args.action)!r}; "
                              "use 'ecom-privacy history import RUNS_DIR' or the options of 'history --help'")
        return _import(args, Path(args.action[1]), out)
    now = args.clock.now()
    since, until = moment_at(args.since, now), moment_at(args.until, now)
    if since and until and since > until:
        raise ConfigError("history: --since is after --until")
    engine = open_database(paths_of(args).db_url)
    try:
        timeline = drift_timeline(engine, stores=args.store or None, settings=args.setting or None,
                                  since=since, until=until, points=args.html is not None)
    finally:
        engine.dispose()
    if args.format == "json":
        out.write(json.dumps(timeline.to_json(), indent=2) + "\n")
    else:
        out.write(render_timeline(timeline) + "\n")
    if args.html:
        from automation.history.html import render_timeline_html  # Jinja2: only for --html

        _write_html(args.html, render_timeline_html(timeline), out if args.format == "text" else sys.stderr)
    return 0


def _import(args: argparse.Namespace, root: Path, out: TextIO) -> int:
    from automation.db import open_database, redact_db_url
    from automation.history.recorder import import_runs
    from automation.home.places import paths_of

    if not root.is_dir():
        raise ConfigError(f"{root}: not a folder; pass the folder of run directories (--artifacts-dir, e.g. runs)")
    url = paths_of(args).db_url
    engine = open_database(url)
    try:
        report = import_runs(engine, root, args.clock.now())
    finally:
        engine.dispose()
    for run_dir, reason in report.unreadable:
        out.write(f"skipped {run_dir}: {reason}\n")
    out.write(f"{root}: {len(report.recorded)} run(s) recorded, {len(report.already)} already in the history, "
              f"{len(report.unreadable)} unreadable; database {redact_db_url(url)}\n")
    return 1 if report.unreadable else 0


def _terminal_safe(command: Callable[[argparse.Namespace, TextIO, Redactor], int]) -> \
        Callable[[argparse.Namespace, TextIO, Redactor], int]:
    """Store ids, settings and messages of imported runs come from files: every line printed is made safe."""
    return lambda args, out, redactor: command(args, TerminalStream(out), redactor)  # type: ignore[arg-type]


COMMANDS = {"status": _terminal_safe(cmd_status), "history": _terminal_safe(cmd_history)}
