"""`ecom-privacy breach ...`: the sub-commands, their options, and the dispatch to their handlers."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from automation.breach.assessment import KEYS
from automation.breach.deadlines import WARN_HOURS
from automation.breach.facts import FACT_HELP, STORE_FACTS, count_flag
from automation.browser.cdp_endpoint import CDP_ENV
from automation.fleet.defaults import DEFAULT_FLEET_FILE
from ecom_privacy.terminal_text import TerminalStream

if TYPE_CHECKING:
    from automation.redaction.redactor import Redactor


def _language(value: str) -> str:
    """A `--language` value: a shop language's two-letter code (the template's file name part)."""
    from automation.fleet.languages import LANGUAGE_PATTERN  # it loads the label tables: only when used

    if not re.fullmatch(LANGUAGE_PATTERN, value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a two-letter language code (nl, en, de, fr, ...)")
    return value


def _count(value: str) -> int | tuple[str, int]:
    try:
        return count_flag(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", default=None,
                        help="the register's database: sqlite:///PATH, a file path, or postgresql://USER@HOST/DB "
                             "(default: the home's, else $ECOM_PRIVACY_DB, else SQLite in "
                             "$XDG_DATA_HOME/ecom-privacy/)")
    parser.add_argument("--tz", metavar="ZONE", default=None,
                        help="time zone to show and read times in, e.g. Europe/Amsterdam (default: the system's)")
    parser.add_argument("--actor", metavar="NAME", default=None,
                        help="who is acting, recorded with every change (default $ECOM_PRIVACY_ACTOR or the login)")
    parser.add_argument("--log-format", choices=("console", "json"), default=None, help=argparse.SUPPRESS)
    parser.add_argument("-v", "--verbose", action="store_true", help=argparse.SUPPRESS)


def _fleet(parser: argparse.ArgumentParser, *, browser: bool) -> None:
    parser.add_argument("-c", "--config", type=Path, default=DEFAULT_FLEET_FILE,
                        help=f"fleet file with the stores (default {DEFAULT_FLEET_FILE})")
    parser.add_argument("--templates", type=Path, default=None, metavar="DIR",
                        help="your message templates, used before the shipped ones "
                             "(default $ECOM_PRIVACY_BREACH_TEMPLATES)")
    if not browser:
        return
    parser.add_argument("--env-file", type=Path, default=None,
                        help="file with NAME=value secrets (store logins, SMTP), read under the environment")
    parser.add_argument("--artifacts-dir", type=Path, default=Path("runs"),
                        help="where runs/<UTC timestamp>/ with backups and CSV files is written (default ./runs)")
    parser.add_argument("--browser", metavar="PATH", default=None, help="Chromium/Chrome binary")
    parser.add_argument("--headed", action="store_true", help="show the browser window")
    parser.add_argument("--cdp-endpoint", default=os.environ.get(CDP_ENV) or None, metavar="URL",
                        help=f"connect to a running Chromium over CDP instead of launching one (default ${CDP_ENV})")
    parser.add_argument("--timeout", type=float, default=15.0, metavar="SECONDS",
                        help="timeout of one browser action (default 15)")
    parser.add_argument("--session-dir", type=Path, default=None, metavar="DIR",
                        help="private folder of refused-login records and spent recovery codes, shared with runs "
                             "(default: the home's sessions/, else $ECOM_PRIVACY_SESSION_DIR or "
                             "~/.cache/ecom-privacy/sessions; see 'ecom-privacy where')")


def _facts(parser: argparse.ArgumentParser, *, new: bool) -> None:
    group = parser.add_argument_group("facts (see 'Data breaches' in the README)")
    group.add_argument("--file", type=Path, metavar="FACTS.yaml", help="facts from a YAML file; flags win over it")
    for key, text in FACT_HELP.items():
        if key == "stores":
            continue
        flag = "--" + key.replace("_", "-")
        if key in STORE_FACTS:  # a number, or one per store (repeat the flag)
            group.add_argument(flag, dest=f"fact_{key}", type=_count, action="append", default=[],
                               metavar="N|STORE=N", help=f"{text}; per store: {flag} STORE=N, repeated")
            continue
        group.add_argument(flag, dest=f"fact_{key}", type=str, default=None, metavar=key.split("_")[-1].upper(),
                           help=text)
    if new:
        group.add_argument("--store", dest="fact_stores", action="append", default=[], metavar="ID",
                           help="an affected store (repeatable)")
    else:
        group.add_argument("--add-store", action="append", default=[], metavar="ID",
                           help="one more affected store (repeatable)")


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    breach = commands.add_parser("breach", help="data breaches: register, 72-hour deadline, drafts, notifying")
    sub = breach.add_subparsers(dest="breach_command", required=True, metavar="SUBCOMMAND")

    new = sub.add_parser("new", help="register an incident (from flags or --file FACTS.yaml)")
    _common(new)
    _facts(new, new=True)

    listing = sub.add_parser("list", help="open incidents with the time left to the 72-hour deadline")
    _common(listing)
    listing.add_argument("--all", action="store_true", help="closed incidents too")
    listing.add_argument("--format", choices=("text", "json"), default="text")

    show = sub.add_parser("show", help="one incident: facts, deadline, assessment, stores, history")
    _common(show)
    show.add_argument("incident", type=int, metavar="ID")
    show.add_argument("--format", choices=("text", "json"), default="text")

    update = sub.add_parser("update", help="add facts or record decisions (each change is a new event)")
    _common(update)
    update.add_argument("incident", type=int, metavar="ID")
    _facts(update, new=False)
    decisions = update.add_argument_group("decisions, per store (default: every store of the incident)")
    decisions.add_argument("--store", action="append", default=[], metavar="ID", help="the decision's store")
    decisions.add_argument("--authority-notified", metavar="WHEN",
                           help="the authority was notified at WHEN ('now' or a date-time); repeat later for "
                                "phased notification")
    decisions.add_argument("--authority-reference", metavar="REF", help="the authority's reference of the report")
    decisions.add_argument("--authority-not-required", metavar="REASON",
                           help="decided not to notify the authority, and why")
    decisions.add_argument("--subjects", choices=("notify", "public", "not-required"),
                           help="decision on informing the people affected")
    decisions.add_argument("--reason", help="why (with --subjects)")
    decisions.add_argument("--note", help="a free note in the incident's history")
    decisions.add_argument("--close", metavar="REASON", help="close the incident (it stays in the register)")
    decisions.add_argument("--reopen", action="store_true", help="reopen a closed incident")

    assess = sub.add_parser("assess", help="guided risk assessment: no risk / risk / high risk, with reasons")
    _common(assess)
    assess.add_argument("incident", type=int, metavar="ID")
    assess.add_argument("--answer", action="append", default=[], metavar="KEY=yes|no",
                        help=f"answer a question without asking (keys: {', '.join(KEYS)})")
    assess.add_argument("--answers", type=Path, metavar="FILE.yaml", help="answers from a YAML mapping")

    export = sub.add_parser("export", help="the whole register as CSV, JSON and printable HTML")
    _common(export)
    export.add_argument("--out", type=Path, default=Path("breach-register"), metavar="DIR",
                        help="folder for breach-register.{csv,json,html} (default ./breach-register)")

    check = sub.add_parser("check", help="exit 1 when a deadline is past or near with no decision (for cron)")
    _common(check)
    check.add_argument("--warn-hours", type=float, default=None, metavar="H",
                       help=f"hours before a deadline that count as near (default: with -c the fleet's "
                            f"notify.breach_warn_hours, else {WARN_HOURS})")
    check.add_argument("-c", "--config", type=Path, default=None, metavar="FLEET",
                       help="also send breach_deadline alerts through this fleet file's notify key (once when a "
                            "deadline problem starts, once when it clears); without it: no alerts")
    check.add_argument("--env-file", type=Path, default=None,
                       help="file with NAME=value secrets (the alert URLs of notify.urls_env), read under the "
                            "environment")

    draft = sub.add_parser("draft", help="render the notification to the authority, the people, or the notice")
    _common(draft)
    draft.add_argument("incident", type=int, metavar="ID")
    kind = draft.add_mutually_exclusive_group(required=True)
    kind.add_argument("--authority", dest="kind", action="store_const", const="authority")
    kind.add_argument("--customers", dest="kind", action="store_const", const="customers")
    kind.add_argument("--notice", dest="kind", action="store_const", const="notice")
    draft.add_argument("--store", action="append", default=[], metavar="ID",
                       help="only this store (repeatable; default every store of the incident)")
    draft.add_argument("--language", action="append", default=[], type=_language,
                       help="languages to render (repeatable; default: every shop language of each store; "
                            "the authority's letter: the default shop language)")
    draft.add_argument("--out", type=Path, default=Path("breach-drafts"), metavar="DIR",
                       help="folder for the drafts (default ./breach-drafts)")
    _fleet(draft, browser=False)

    notify = sub.add_parser("notify", help="plan (exit 2) and, with --apply, email the people affected")
    _common(notify)
    notify.add_argument("incident", type=int, metavar="ID")
    notify.add_argument("--store", action="append", default=[], metavar="ID", required=True,
                        help="the store whose people to notify (repeatable)")
    notify.add_argument("--recipients", type=Path, metavar="FILE.csv",
                        help="recipients from this CSV (email[,name][,language]) instead of the backoffice's "
                             "customers and newsletter subscribers; one --store only")
    notify.add_argument("--apply", action="store_true", help="send (without it nothing is sent)")
    notify.add_argument("--rate", type=float, default=30.0, metavar="PER_MINUTE",
                        help="at most this many messages a minute (default 30)")
    notify.add_argument("--resend-uncertain", action="store_true",
                        help="also send to recipients a stopped run left uncertain (may send a second message)")
    _fleet(notify, browser=True)

    publish = sub.add_parser("publish", help="plan (exit 2) and, with --apply, publish the public notice page")
    _common(publish)
    publish.add_argument("incident", type=int, metavar="ID")
    publish.add_argument("--store", action="append", default=[], metavar="ID", required=True,
                         help="the store whose storefront shows the notice (repeatable)")
    publish.add_argument("--apply", action="store_true", help="change the storefront (without it: plan only)")
    publish.add_argument("--withdraw", action="store_true", help="hide the notice page again (it is kept)")
    _fleet(publish, browser=True)


def run(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    from automation.breach import commands, web_commands  # loaded only for `breach`

    handlers = {"new": commands.cmd_new, "list": commands.cmd_list, "show": commands.cmd_show,
                "update": commands.cmd_update, "assess": commands.cmd_assess, "export": commands.cmd_export,
                "check": commands.cmd_check, "draft": commands.cmd_draft, "notify": web_commands.cmd_notify,
                "publish": web_commands.cmd_publish}
    # Titles, facts, names and messages are typed by people (or come from a public signup form): every line a
    # breach command prints is made terminal-safe on its way out.
    return handlers[args.breach_command](args, TerminalStream(out), redactor)  # type: ignore[arg-type]
