"""The command line: validate, plan, apply (Terraform's contract) and the mock backoffice."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

# Only modules that are cheap to import are imported here. The browser side (Playwright, the engine, the
# flows, the fleet file's loader, the Jinja2 reports, Apprise) is imported inside the command that uses
# it: building the parser and running `status` must not pay for them (issue #14: status in under 1 s).
# tests/unit/test_cli_imports.py holds this line.
from automation import __version__
from automation.access.secrets import load_environment, resolve_secrets
from automation.breach.cli import add_parser as add_breach_parser
from automation.breach.cli import run as cmd_breach
from automation.browser.cdp_endpoint import CDP_ENV, endpoint_secrets
from automation.browser.driver import run_command
from automation.command_help import COMMANDS as COMMAND_HELP
from automation.command_help import apply_help, document_commands
from automation.fleet.defaults import DEFAULT_ENV_FILE, DEFAULT_FLEET_FILE, STORE_DEADLINE_S
from automation.fleet.notify import notify_problems
from automation.history import cli as history_cli
from automation.outputs.artifacts import RunArtifacts, write_atomic
from automation.outputs.logs import configure_logging, get_logger
from automation.outputs.render import (
    apply_exit_code,
    plan_exit_code,
    render_checks,
    render_document,
    render_document_styled,
    summarise,
)
from automation.outputs.run_record import ProgressLog, chain, new_manifest, write_manifest
from automation.outputs.terminal import colour_wanted, write_styled
from automation.redaction.redactor import Redactor
from automation.run.interrupt import Interruption, Notice
from automation.run.preflight import check_run_arguments
from automation.run.shard import Shard
from ecom_privacy.clock import SYSTEM_CLOCK, Clock
from ecom_privacy.errors import ConfigError, EcomPrivacyError
from ecom_privacy.models import RunDocument, RunKind, StoreResult, new_run_id
from ecom_privacy.terminal_text import json_for_terminal, printable

if TYPE_CHECKING:
    from automation.access.backoffice import StoreAccess
    from automation.fleet.model import Fleet, StoreConfig
    from automation.outputs.run_outputs import OutputError
    from automation.run.engine import RunOptions
    from automation.run.lock import StoreLocks
    from ecom_privacy.driver import Driver
    from flows.labels.overrides import UiOverrides

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2
#: `login`: a person's time per store; `login --check`: one page load's
LOGIN_TIMEOUT_S, CHECK_TIMEOUT_S = 300.0, 15.0
SESSION_HELP = ("private folder (0700) of cached logins, refused-login records and spent recovery codes (default: "
                "the home's sessions/, else $ECOM_PRIVACY_SESSION_DIR or ~/.cache/ecom-privacy/sessions; "
                "see 'ecom-privacy where')")
HOME_HELP = ("the site's home: the history and breach database, sessions, refused logins, spent recovery codes and "
             "store locks under one folder (default $ECOM_PRIVACY_HOME; 'ecom-privacy where' shows every path)")


def _add_home(parser: argparse.ArgumentParser) -> None:
    """`--home DIR` on a command and on each of its sub-commands."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in {id(p): p for p in action.choices.values()}.values():
                _add_home(sub)
            return
    if not any("--home" in action.option_strings for action in parser._actions):
        parser.add_argument("--home", type=Path, default=None, metavar="DIR", help=HOME_HELP)


class Parser(argparse.ArgumentParser):
    """argparse with Terraform's exit codes: a usage error (an unknown or misspelt option, a refused value)
    exits 1, never argparse's 2, which here means "changes planned" (a cron audit would report a typo as drift).
    Subcommand parsers are made of the same class."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def check_env_file(args: argparse.Namespace) -> None:
    """The default ./.env is read when it exists; a file named with --env-file must exist, or every store would
    fail later as 'not set' (or, worse, run with other secrets from the environment)."""
    if not hasattr(args, "env_file"):
        return
    if args.env_file is None:
        args.env_file = DEFAULT_ENV_FILE
    elif not args.env_file.is_file():
        problem = "is a directory" if args.env_file.is_dir() else "no such file"
        raise ConfigError(f"--env-file {args.env_file}: {problem}; give the file with the NAME=value secrets, or "
                          f"leave --env-file out to use the environment (and ./.env when it exists)")


def _common(parser: argparse.ArgumentParser, *, runs: bool) -> None:
    parser.add_argument("-c", "--config", type=Path, default=DEFAULT_FLEET_FILE,
                        help=f"fleet file (default {DEFAULT_FLEET_FILE})")
    parser.add_argument("--env-file", type=Path, default=None,
                        help="file with NAME=value secrets, read under the process environment (default ./.env "
                             "when it exists; a file named here must exist)")
    parser.add_argument("--log-format", choices=("console", "json"), default=None,
                        help="log format on stderr (default: console on a terminal, json otherwise)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--no-color", action="store_true",
                        help="no colour on a terminal (also when the environment sets NO_COLOR)")
    parser.add_argument("--ui-overrides", type=Path, default=None, metavar="FILE",
                        help="corrections of the label tables and page paths (default: the fleet file's ui_overrides)")
    if not runs:
        return
    _store_and_browser_options(
        parser, artifacts_help="where run directories runs/<UTC timestamp>/ are written (default ./runs)",
        session_help=SESSION_HELP)
    parser.add_argument("--wait-lock", type=float, default=0.0, metavar="SECONDS",
                        help="when another run holds the lock of a store of this run, wait up to SECONDS for it "
                             "(default: leave that store out, failed as locked)")
    parser.add_argument("--junit", type=Path, default=None, metavar="FILE",
                        help="also write a JUnit XML file (one test case per store and setting)")
    parser.add_argument("--no-trace", action="store_true",
                        help="record no Playwright traces (by default kept only for stores that failed)")
    parser.add_argument("--shard", type=_shard_arg, default=None, metavar="K/N",
                        help="run only shard K of N (a stable split by store id); merge with 'report merge'")
    parser.add_argument("--cdp-endpoint", default=os.environ.get(CDP_ENV) or None, metavar="URL",
                        help=f"connect to a running Chromium over CDP instead of launching one (default ${CDP_ENV})")


def _store_and_browser_options(parser: argparse.ArgumentParser, *, artifacts_help: str, session_help: str) -> None:
    """Which stores, how many at once, which browser, where runs and sessions go: a run's and probe's."""
    parser.add_argument("--store", action="append", default=[], metavar="ID", help="only this store (repeatable)")
    parser.add_argument("--group", action="append", default=[], metavar="NAME",
                        help="only stores in this group (repeatable)")
    parser.add_argument("--parallelism", type=int, default=4, metavar="N", help="stores at once (default 4)")
    parser.add_argument("--browser", metavar="PATH", default=None,
                        help="Chromium/Chrome binary (default: $ECOM_PRIVACY_BROWSER, Playwright's, or the system's)")
    parser.add_argument("--headed", action="store_true", help="show the browser window")
    parser.add_argument("--timeout", type=float, default=15.0, metavar="SECONDS",
                        help="timeout of one browser action or page load (default 15)")
    parser.add_argument("--store-deadline", type=float, default=STORE_DEADLINE_S, metavar="SECONDS",
                        help=f"time one store may take; past it no retry or new step begins (default "
                             f"{STORE_DEADLINE_S:g})")
    parser.add_argument("--artifacts-dir", type=Path, default=Path("runs"), help=artifacts_help)
    parser.add_argument("--session-dir", type=Path, default=None, metavar="DIR", help=session_help)
    parser.add_argument("--no-session-cache", action="store_true",
                        help="log in to every store, neither reading nor writing cached sessions")


def _probe_options(parser: argparse.ArgumentParser) -> None:
    """`probe` takes the options of a run that apply to it (it writes no report, trace or JUnit, takes no lock)."""
    _common(parser, runs=False)
    _store_and_browser_options(
        parser, artifacts_help="where the run directory with the probe bundles is written (default ./runs)",
        session_help=SESSION_HELP)
    parser.add_argument("--cdp-endpoint", default=os.environ.get(CDP_ENV) or None, metavar="URL",
                        help=f"connect to a running Chromium over CDP instead of launching one (default ${CDP_ENV})")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output on stdout")
    parser.set_defaults(wait_lock=0.0, junit=None, shard=None, no_trace=True)


def _shard_arg(text: str) -> Shard:
    try:
        return Shard.parse(text)
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="ecom-privacy",
        description="Keep the GDPR/CCPA privacy settings of Lightspeed eCom stores as declared in a fleet file.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check the fleet file and every referenced secret (no browser)")
    _common(validate, runs=False)
    validate.add_argument("--store", action="append", default=[], metavar="ID", help="only this store")

    plan = commands.add_parser("plan", help="read every store and show what would change; changes nothing")
    _common(plan, runs=True)
    plan.add_argument("--format", choices=("text", "json"), default="text", help="output on stdout")
    plan.add_argument("--out", type=Path, metavar="PLAN.json", help="also save the plan here, for apply")
    plan.add_argument("--diff", action="store_true",
                      help="show every text diff whole, with the evidence per required element and the values "
                           "before and after (default: one line per changed setting)")

    apply = commands.add_parser("apply", help="plan, confirm, apply through the backoffice, read it back")
    _common(apply, runs=True)
    apply.add_argument("plan_file", nargs="?", type=Path, metavar="PLAN.json",
                       help="apply exactly this saved plan (stores that changed since are refused)")
    apply.add_argument("--auto-approve", action="store_true", help="do not ask for confirmation")
    apply.add_argument("--allow-archive", action="store_true",
                       help="allow irreversible changes (archiving newsletter subscribers) in every store")
    apply.add_argument("--format", choices=("text", "json"), default="text", help="output on stdout")
    apply.add_argument("--verify", action="store_true",
                       help="after applying (and reading back), also run the storefront checks of 'verify'")
    apply.add_argument("--diff", action="store_true",
                       help="show every text diff whole (default: one line per changed setting)")

    verify = commands.add_parser("verify", help="check each live storefront as a visitor, with evidence")
    _common(verify, runs=True)
    verify.add_argument("--format", choices=("text", "json"), default="text", help="output on stdout")

    probe = commands.add_parser("probe", help="read-only first contact: visit every backoffice page the settings "
                                "use and check every element they need; changes nothing")
    _probe_options(probe)

    export = commands.add_parser("export-subscribers", help="write the newsletter subscribers that "
                                 "newsletter_archive would archive to CSV, one file per store; archives nothing")
    _common(export, runs=True)
    export.add_argument("--out", type=Path, default=Path("exports"), metavar="DIR",
                        help="folder for <store>-newsletter-archive.csv (default ./exports)")

    report = commands.add_parser("report", help="(re)build report.html of a run directory; "
                                 "'report merge DIR... --out DIR' merges the runs of shards",
                                 description="(Re)build RUN_DIR/report.html. To merge the run directories of "
                                             "shards: ecom-privacy report merge DIR... --out DIR")
    report.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="a run directory, e.g. runs/20250101T020000Z")
    report.add_argument("--log-format", choices=("console", "json"), default=None, help=argparse.SUPPRESS)
    report.add_argument("-v", "--verbose", action="store_true", help=argparse.SUPPRESS)

    login = commands.add_parser("login", help="log in to stores once in a visible browser (a person passes bot "
                                "challenges and codes there) and save the sessions for later runs")
    _common(login, runs=False)
    login.add_argument("--store", action="append", required=True, metavar="ID",
                       help="the store to log in to (repeatable; one after the other)")
    login.add_argument("--browser", metavar="PATH", default=None,
                       help="Chromium/Chrome binary with a window (default: $ECOM_PRIVACY_BROWSER, Playwright's, "
                            "or the system's full Chromium)")
    login.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                       help=f"how long to wait per store for the backoffice (default {LOGIN_TIMEOUT_S:g}; with "
                            f"--check: one page load, default {CHECK_TIMEOUT_S:g})")
    login.add_argument("--session-dir", type=Path, default=None, metavar="DIR", help=SESSION_HELP)
    login.add_argument("--check", action="store_true",
                       help="check the stored credentials instead: log each store in headless with them, without "
                            "using or replacing its cached session, and report per store (exit 1 when any is not "
                            "accepted); a refusal is remembered as in a run")
    login.add_argument("--parallelism", type=int, default=4, metavar="N", help="with --check: stores at once")
    login.add_argument("--cdp-endpoint", default=os.environ.get(CDP_ENV) or None, metavar="URL",
                       help="with --check: a running Chromium over CDP instead of launching one")

    add_breach_parser(commands)  # data breaches: automation/breach/cli.py
    # Run history and alerts (automation/history): --db for the runs, and the status and history commands.
    for run_parser in (plan, apply, verify):
        history_cli.add_run_options(run_parser)
    history_cli.register(commands)

    where = commands.add_parser("where", help="every path the tool keeps state in (home, database, sessions, "
                                "locks) and where each came from (flag, environment, default)")
    where.add_argument("--session-dir", type=Path, default=None, metavar="DIR", help=SESSION_HELP)
    where.add_argument("--db", default=None, metavar="URL", help="the history and breach database")
    where.add_argument("--format", choices=("text", "json"), default="text", help="output on stdout")
    where.add_argument("--log-format", choices=("console", "json"), default=None, help=argparse.SUPPRESS)
    where.add_argument("-v", "--verbose", action="store_true", help=argparse.SUPPRESS)

    for name, sub in commands.choices.items():
        if name != "mock":
            _add_home(sub)
    commands.add_parser("mock", add_help=False,
                        help="run the mock backoffice (see 'ecom-privacy mock --help')")
    document_commands(parser)  # each command's description, examples and exit codes (automation/command_help.py)
    return parser


def _fleet_and_stores(args: argparse.Namespace, *, ui_overrides: bool = True) -> tuple[Fleet, list[StoreConfig]]:
    from automation.fleet.composition import read_fleet

    fleet = read_fleet(args.config)
    if ui_overrides:  # read now: a wrong overrides file fails before any login or run directory
        args.loaded_ui_overrides = _ui_overrides(args, fleet)
    stores = fleet.select(args.store, getattr(args, "group", []))
    if not stores:
        raise ConfigError(f"{args.config}: no store matches the selection")
    args.selection = [store.id for store in stores]  # before the split: the shard manifest records it
    shard: Shard | None = getattr(args, "shard", None)
    return fleet, (shard.select(stores) if shard else stores)


def _new_run(args: argparse.Namespace, fleet: Fleet, stores: list[StoreConfig], kind: RunKind,
             redactor: Redactor) -> RunArtifacts:
    """A new run directory; a shard's gets its manifest first, and every run a per-store progress record."""
    started = args.clock.now()
    artifacts = RunArtifacts.create(args.artifacts_dir, redactor, now=started)
    if args.shard is not None:
        write_manifest(artifacts, new_manifest(args.command, kind.value, fleet.path, fleet.sha256, args.shard.label,
                                               args.selection, [store.id for store in stores], started,
                                               getattr(args, "saved_plan_sha256", None)))
    args.progress = ProgressLog(artifacts)
    return artifacts


def _empty_shard(args: argparse.Namespace, fleet: Fleet, kind: RunKind, out: TextIO, redactor: Redactor) -> int:
    """A shard that no store falls to: a run directory with an empty report (so a merge counts it), exit 0."""
    from automation.outputs.run_outputs import write_run_outputs

    artifacts = _new_run(args, fleet, [], kind, redactor)
    document = RunDocument(kind=kind, created_at=args.clock.now().isoformat(timespec="seconds"),
                           run_id=new_run_id(), fleet_file=str(fleet.path),
                           fleet_sha256=fleet.sha256, shard=args.shard.label)
    write_run_outputs(artifacts, document, None, args.junit)
    print(f"shard {args.shard.label}: none of the {len(args.selection)} selected store(s) falls to this shard; "
          f"nothing to do ({artifacts.root})", file=out)
    return EXIT_OK


def _ui_overrides(args: argparse.Namespace, fleet: Fleet) -> UiOverrides | None:
    """The user's corrections of the label tables and page paths: `--ui-overrides`, else the fleet file's."""
    from automation.fleet.composition import read_ui_overrides

    return read_ui_overrides(fleet, getattr(args, "ui_overrides", None))


def _driver(args: argparse.Namespace, fleet: Fleet) -> Driver:
    """The composition root's Driver (settings, login flow, label tables under the user's overrides), handed to
    the engine and every other command."""
    from automation.fleet.composition import fleet_driver

    loaded = args.loaded_ui_overrides if hasattr(args, "loaded_ui_overrides") else _ui_overrides(args, fleet)
    return fleet_driver(loaded, args.clock)


def cmd_validate(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    from automation.fleet.model import plan_input_for

    fleet, stores = _fleet_and_stores(args, ui_overrides=False)  # its problems are listed with the others
    env = load_environment(args.env_file)
    problems = []
    overrides = None
    try:  # a misspelt key in the overrides would otherwise be ignored, and the tool look for the old text
        overrides = _ui_overrides(args, fleet)
    except ConfigError as exc:
        problems += str(exc).splitlines()
    args.loaded_ui_overrides = overrides  # default page titles are checked under the user's corrections
    driver = _driver(args, fleet)
    settings = driver.settings
    causes: dict[str, list[str]] = {}  # one line per cause: a template of defaults fails once, for every store
    for store in stores:
        try:
            resolve_secrets(store, env, args.env_file)
        except ConfigError as exc:
            problems.append(str(exc))
        for name, desired in store.desired.items():
            try:  # templates and their variables: found now rather than after logging in to every store
                settings[name].check(desired, plan_input_for(fleet, store, driver.shop_labels))
            except ConfigError as exc:
                cause = str(exc).replace(f"store {store.id}: ", "", 1)
                cause = cause if cause.startswith((f"{name}: ", f"{name}.")) else f"{name}: {cause}"
                causes.setdefault(cause, []).append(store.id)
    problems += [f"{cause} (store{'s' if len(ids) > 1 else ''} {', '.join(ids)})" for cause, ids in causes.items()]
    problems += notify_problems(fleet.notify, env, args.env_file)  # alert URLs are secrets too
    if problems:
        raise ConfigError(f"{args.config}: " + f"\n{args.config}: ".join(problems))
    managed = sorted({name for store in stores for name in store.desired})
    print(f"{args.config}: valid: {len(stores)} store(s), settings: {', '.join(managed) or 'none'}; "
          f"all secrets present" + (f"; ui overrides: {overrides.source}" if overrides else ""), file=out)
    return EXIT_OK


def _session_dir(args: argparse.Namespace) -> Path:
    from automation.home.places import paths_of

    return paths_of(args).session_dir


def _options(args: argparse.Namespace, kind: RunKind, **extra: object) -> RunOptions:
    from automation.run.engine import RunOptions

    if args.parallelism < 1:
        raise ConfigError(f"--parallelism must be at least 1, not {args.parallelism}")
    locks: StoreLocks | None = getattr(args, "store_locks", None)
    return RunOptions(
        kind=kind, parallelism=args.parallelism, browser_path=args.browser, headed=args.headed,
        timeout_ms=int(args.timeout * 1000), store_deadline_s=args.store_deadline, env_file=args.env_file,
        allow_irreversible=getattr(args, "allow_archive", False),
        session_dir=_session_dir(args), use_session_cache=not args.no_session_cache,
        trace=not args.no_trace, cdp_endpoint=args.cdp_endpoint, clock=args.clock,
        locked=dict(locks.busy) if locks is not None else {},
        on_store_done=_progress_callback(args, kind), **extra,  # type: ignore[arg-type]
    )


def _access(args: argparse.Namespace, fleet: Fleet, env: dict[str, str], redactor: Redactor, *,
            timeout_s: float, checking: bool = False) -> StoreAccess:
    """How this command opens its stores: one login coordinator for all of them (automation.access.backoffice)."""
    from automation.access.backoffice import StoreAccess

    return StoreAccess.create(driver=_driver(args, fleet), env=env, env_file=args.env_file,
                              session_dir=_session_dir(args), redactor=redactor, timeout_ms=int(timeout_s * 1000),
                              use_cache=not (checking or getattr(args, "no_session_cache", False)),
                              checking=checking, clock=args.clock,
                              deadline_s=getattr(args, "store_deadline", None))


def _progress_callback(args: argparse.Namespace, kind: RunKind) -> Callable[[StoreResult], None] | None:
    progress: ProgressLog | None = getattr(args, "progress", None)
    if progress is None:
        return None
    return lambda result: progress.record(result, kind.value)


def _run(args: argparse.Namespace, fleet: Fleet, stores: list[StoreConfig], env: dict[str, str],
         artifacts: RunArtifacts, redactor: Redactor, options: RunOptions) -> tuple[RunDocument, RunDocument]:
    from automation.outputs.progress import ProgressBar
    from automation.run.engine import FleetRunner

    colour = colour_wanted(sys.stderr, args.no_color)
    bar = ProgressBar(sys.stderr, len(stores), options.kind.value, clock=args.clock, colour=colour)
    options.interruption = Interruption(on_event=_announce(args, bar.stream if bar.enabled else sys.stderr))
    options.check_every = fleet.check_every
    if bar.enabled:
        # Log lines go through the bar, which prints each one above itself.
        configure_logging(args.log_format, redactor, args.verbose, stream=bar.stream,  # type: ignore[arg-type]
                          colour=colour)
        options.on_store_start, options.on_store_done = bar.store_started, chain(options.on_store_done, bar.store_done)
    runner = FleetRunner(fleet, stores, env, artifacts, redactor, options, _driver(args, fleet))
    try:
        document = run_command(runner.run())
    finally:
        bar.close()
        if bar.enabled:
            configure_logging(args.log_format, redactor, args.verbose, colour=colour)
    document.shard = args.shard.label if args.shard else None
    return document, runner.planned_document(document)


def _announce(args: argparse.Namespace, stream: TextIO) -> Callable[[Notice], None]:
    """Ctrl-C (or SIGTERM) is announced the moment it arrives: in a person's words on a terminal whose log
    is for people, as a log line otherwise (cron, CI, --log-format json)."""
    log = get_logger()
    for_person = stream.isatty() and args.log_format != "json"

    def announce(notice: Notice) -> None:
        if for_person:
            stream.write(notice.for_person + "\n")
            stream.flush()
        else:
            log.warning(notice.message)

    return announce


def _finish(args: argparse.Namespace, fleet: Fleet, artifacts: RunArtifacts, document: RunDocument, out: TextIO,
            redactor: Redactor, plan: RunDocument | None = None) -> int:
    from automation.outputs.run_outputs import OutputError, write_run_outputs
    from automation.run.after_run import record_after_run

    failed: OutputError | None = None
    try:
        write_run_outputs(artifacts, document, plan, args.junit)
    except OutputError as exc:  # the other outputs and stdout still tell what happened; exit 1 says it
        failed = exc
    record_after_run(args, fleet, artifacts.root, document, redactor)
    _emit(document, args, out, redactor)
    code = plan_exit_code(document) if document.kind == RunKind.PLAN else apply_exit_code(document)
    code = EXIT_ERROR if failed is not None else code
    # One line with the outcome, for cron's JSON logs: a person reads stdout, a log collector reads this.
    get_logger().info("run finished", command=document.kind.value, directory=str(artifacts.root),
                      interrupted=document.interrupted, exit_code=code, **summarise(document))
    if failed is not None:
        raise failed
    return code


def _locked(args: argparse.Namespace, stores: list[StoreConfig]) -> StoreLocks:
    """The locks of the run's stores (in the home): a store another run holds is waited for (--wait-lock) or
    left out, failed as locked; when another run holds them all, the run does not start."""
    from automation.home.places import paths_of
    from automation.run.lock import StoreLocks

    log = get_logger()
    shard = args.shard.label if args.shard else None
    locks = StoreLocks(paths_of(args).lock_dir, stores, args.command + (f" --shard {shard}" if shard else ""),
                       args.wait_lock, on_wait=lambda message: log.warning("waiting for lock", detail=message),
                       clock=args.clock)
    args.store_locks = locks
    return locks


def _emit(document: RunDocument, args: argparse.Namespace, out: TextIO, redactor: Redactor) -> None:
    if args.format == "json":
        out.write(json_for_terminal(redactor(document.model_dump_json(indent=2))) + "\n")
        out.flush()
        return
    styled = render_document_styled(document, diff=getattr(args, "diff", False))
    write_styled(styled, out, redactor, colour_wanted(out, getattr(args, "no_color", False)))


def cmd_plan(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    from automation.outputs.run_outputs import OutputError

    check_run_arguments(args)  # every option and output path, before the first login
    fleet, stores = _fleet_and_stores(args)
    env = load_environment(args.env_file)
    with _locked(args, stores):
        if not stores:
            return _empty_shard(args, fleet, RunKind.PLAN, out, redactor)
        artifacts = _new_run(args, fleet, stores, RunKind.PLAN, redactor)
        document, _ = _run(args, fleet, stores, env, artifacts, redactor, _options(args, RunKind.PLAN))
        failed = _write_plan_out(args.out, document, redactor) if args.out else None
        try:
            code = _finish(args, fleet, artifacts, document, out, redactor)
        except OutputError as exc:  # name every output that failed, --out included
            raise OutputError("; ".join(str(error) for error in (failed, exc) if error)) from exc
        if failed is not None:
            raise failed
        return code


def _write_plan_out(path: Path, document: RunDocument, redactor: Redactor) -> OutputError | None:
    """`plan --out`, sealed with plan_sha256 so that apply notices a file changed after this point."""
    from automation.outputs.plan_seal import seal_plan_json
    from automation.outputs.run_outputs import OutputError, output_failure

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, seal_plan_json(redactor(document.model_dump_json(indent=2))).encode("utf-8"))
    except OSError as exc:
        return OutputError(f"--out {output_failure(path, exc)}")
    return None


def _confirm(out: TextIO) -> bool:
    out.write("\nDo you want to apply these changes? Only 'yes' will be accepted: ")
    out.flush()
    return sys.stdin.readline().strip() == "yes"


def cmd_apply(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    from automation.run.saved_plan import load_saved_plan, select_from_plan

    check_run_arguments(args)
    fleet, stores = _fleet_and_stores(args)
    env = load_environment(args.env_file)
    saved = None
    if args.plan_file:  # refused whole, before any login, when it cannot be trusted (automation.run.saved_plan)
        saved, stores = select_from_plan(args.plan_file, load_saved_plan(args.plan_file, fleet), stores,
                                         explicit=bool(args.store or args.group))
        args.saved_plan_sha256 = saved.plan_sha256  # a shard's manifest says it ran only the plan's stores
    if saved is not None and saved.shard is not None and args.shard is None:
        args.shard = Shard.parse(saved.shard)  # applying one shard's plan is that shard's run (lock, manifest)
        stores = args.shard.select(stores)
    elif saved is not None and args.shard is not None and saved.shard not in (None, args.shard.label):
        raise ConfigError(f"{args.plan_file}: this plan is of shard {saved.shard}, not {args.shard.label}; "
                          f"drop --shard to apply it as the shard it was made for")
    # As in Terraform, a saved plan is the approval: applying it asks nothing.
    if saved is None and not args.auto_approve and not sys.stdin.isatty():
        raise ConfigError("apply needs confirmation but standard input is not a terminal; "
                          "review with 'ecom-privacy plan' and pass --auto-approve (for example in cron)")
    with _locked(args, stores):
        if not stores:
            return _empty_shard(args, fleet, RunKind.APPLY, out, redactor)
        return _apply_locked(args, fleet, stores, env, saved, out, redactor)


def _apply_locked(args: argparse.Namespace, fleet: Fleet, stores: list[StoreConfig], env: dict[str, str],
                  saved: RunDocument | None, out: TextIO, redactor: Redactor) -> int:
    from automation.outputs.plan_seal import seal_plan_json

    artifacts = _new_run(args, fleet, stores, RunKind.APPLY, redactor)
    if saved is None and not args.auto_approve:
        # Interactive: show the plan, ask, then apply exactly what was shown (stale stores are refused).
        planned, _ = _run(args, fleet, stores, env, artifacts, redactor, _options(args, RunKind.PLAN))
        if planned.interrupted:
            return _finish(args, fleet, artifacts, planned, out, redactor)
        artifacts.write_text("plan.json", seal_plan_json(artifacts.redact(planned.model_dump_json(indent=2))))
        _emit(planned, argparse.Namespace(**{**vars(args), "format": "text"}), out, redactor)
        if plan_exit_code(planned) == EXIT_OK:
            out.write("Nothing to apply.\n")
            return EXIT_OK
        if not _confirm(out):
            out.write("Apply cancelled; nothing was changed.\n")
            return EXIT_ERROR
        saved = planned

    if saved is not None:
        wanted = {store.id for store in stores}
        saved = saved.model_copy(update={"stores": [s for s in saved.stores if s.id in wanted]})
        stores = [store for store in stores if store.id in {s.id for s in saved.stores}]
    document, planned = _run(args, fleet, stores, env, artifacts, redactor,
                             _options(args, RunKind.APPLY, saved_plan=saved))
    verify_code = EXIT_OK
    if args.verify and not document.interrupted:
        verify_code = _verify_after_apply(args, fleet, stores, artifacts, document)
    code = _finish(args, fleet, artifacts, document, out, redactor, plan=saved or planned)
    if args.verify and args.format == "text":
        out.write(printable(redactor(render_checks(document))) + "\n")
    return max(code, verify_code)


def _verify_after_apply(args: argparse.Namespace, fleet: Fleet, stores: list[StoreConfig],
                        artifacts: RunArtifacts, document: RunDocument) -> int:
    """The storefront checks of `verify`, joined to the apply report store by store."""
    from automation.run.verify import verify_exit_code, verify_fleet

    checked = run_command(verify_fleet(fleet, stores, artifacts, _options(args, RunKind.VERIFY),
                                       _driver(args, fleet)))
    by_id = {store.id: store for store in checked.stores}
    for store in document.stores:
        if store.id in by_id:
            store.checks = by_id[store.id].checks
            store.artifacts += by_id[store.id].artifacts
    return verify_exit_code(checked)


def cmd_verify(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    from automation.outputs.run_outputs import OutputError, write_run_outputs
    from automation.run.after_run import record_after_run
    from automation.run.verify import verify_exit_code, verify_fleet

    check_run_arguments(args)
    fleet, stores = _fleet_and_stores(args)
    if not stores:
        return _empty_shard(args, fleet, RunKind.VERIFY, out, redactor)
    artifacts = _new_run(args, fleet, stores, RunKind.VERIFY, redactor)
    options = _options(args, RunKind.VERIFY)
    options.interruption = Interruption(on_event=_announce(args, sys.stderr))
    document = run_command(verify_fleet(fleet, stores, artifacts, options, _driver(args, fleet)))
    document.shard = args.shard.label if args.shard else None
    failed: OutputError | None = None
    try:
        write_run_outputs(artifacts, document, None, args.junit)
    except OutputError as exc:
        failed = exc
    record_after_run(args, fleet, artifacts.root, document, redactor)
    if args.format == "json":
        out.write(json_for_terminal(redactor(document.model_dump_json(indent=2))) + "\n")
    else:
        out.write(printable(redactor(render_checks(document))) + "\n")
    code = EXIT_ERROR if failed is not None else verify_exit_code(document)
    get_logger().info("run finished", command="verify", directory=str(artifacts.root), exit_code=code)
    if failed is not None:
        raise failed
    return code


def cmd_probe(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    from automation.run.probe import probe_exit_code, probe_fleet, render_probe

    check_run_arguments(args)
    fleet, stores = _fleet_and_stores(args)
    env = load_environment(args.env_file)
    overrides = args.loaded_ui_overrides.source if args.loaded_ui_overrides else None
    artifacts = RunArtifacts.create(args.artifacts_dir, redactor, now=args.clock.now())
    options = _options(args, RunKind.PLAN)
    options.interruption = Interruption(on_event=_announce(args, sys.stderr))
    access = _access(args, fleet, env, redactor, timeout_s=args.timeout)
    document = run_command(probe_fleet(fleet, stores, access, artifacts, options, overrides))
    artifacts.write_json("probe.json", document.model_dump(mode="json"))
    artifacts.make_private()
    if args.format == "json":
        out.write(json_for_terminal(redactor(document.model_dump_json(indent=2))) + "\n")
    else:
        out.write(printable(redactor(render_probe(document))) + f"\nbundle: {artifacts.root}\n")
    code = probe_exit_code(document)
    get_logger().info("run finished", command="probe", directory=str(artifacts.root), exit_code=code)
    return code


def cmd_export_subscribers(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    from automation.outputs.run_outputs import write_run_outputs
    from automation.run.export import export_stores, render_exports, write_exports

    check_run_arguments(args)
    fleet, stores = _fleet_and_stores(args)
    if not stores:
        return _empty_shard(args, fleet, RunKind.PLAN, out, redactor)
    env, options = load_environment(args.env_file), _options(args, RunKind.PLAN)
    settings = _driver(args, fleet).settings
    artifacts = _new_run(args, fleet, stores, RunKind.PLAN, redactor)
    try:
        document, _ = _run(args, fleet, export_stores(stores, settings), env, artifacts, redactor, options)
        if args.shard is not None:
            write_run_outputs(artifacts, document)  # the shard's report, for 'report merge'
        results = write_exports(document, args.out, redactor, settings)
    finally:
        # The run folder only holds traces and screenshots of failed stores: none, no folder.
        artifacts.finish()
    out.write(printable(redactor(render_exports(results))) + "\n")
    return EXIT_ERROR if any(result.error for result in results) else EXIT_OK


def cmd_login(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    """A person logs in once per store in a visible browser; the sessions go to the session cache.
    `--check`: the stored credentials are checked headless instead (automation.run.credentials_check)."""
    from automation.access.coordinator import LoginCoordinator
    from automation.access.human_login import HumanLogin, check_display, check_timeout, login_exit_code
    from automation.access.session_cache import SessionCache
    from automation.run.preflight import writable_directory

    if args.check:
        return _check_credentials(args, out, redactor)
    check_display()
    timeout = LOGIN_TIMEOUT_S if args.timeout is None else args.timeout
    check_timeout(timeout)
    fleet, stores = _fleet_and_stores(args)
    session_dir = _session_dir(args)
    writable_directory(session_dir, "--session-dir" if args.session_dir else "the session folder", private=True)
    env = load_environment(args.env_file)
    labels_for = _driver(args, fleet).labels_for
    human = HumanLogin(stores, env, args.env_file, SessionCache(session_dir), timeout, labels_for,
                       redactor, out, sys.stderr, args.clock, LoginCoordinator(session_dir, redactor, attempts=1,
                                                                               clock=args.clock))
    return login_exit_code(run_command(human.run(args.browser)))


def _check_credentials(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    from automation.run.credentials_check import check_credentials, check_exit_code, render_checks
    from automation.run.preflight import MAX_TIMEOUT_S, writable_directory
    from automation.run.walker import BrowserChoice

    if args.parallelism < 1:
        raise ConfigError(f"--parallelism must be at least 1, not {args.parallelism}")
    timeout = CHECK_TIMEOUT_S if args.timeout is None else args.timeout  # a page load's, not a person's
    if not 0 < timeout <= MAX_TIMEOUT_S:
        raise ConfigError(f"--timeout must be above 0 and at most {MAX_TIMEOUT_S:g} seconds, not {timeout:g}")
    fleet, stores = _fleet_and_stores(args)
    session_dir = _session_dir(args)
    writable_directory(session_dir, "--session-dir" if args.session_dir else "the session folder", private=True)
    env = load_environment(args.env_file)
    access = _access(args, fleet, env, redactor, timeout_s=timeout, checking=True)
    choice = BrowserChoice(args.browser, False, args.cdp_endpoint, int(timeout * 1000), args.clock)
    results = run_command(check_credentials(stores, access, choice, args.parallelism))
    out.write(printable(redactor(render_checks(results))) + "\n")
    return check_exit_code(results)


def cmd_where(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    """Every path in use, and where it came from."""
    import json

    from automation.home.places import paths_of, render_where, where_json

    paths = paths_of(args)
    if args.format == "json":
        out.write(json.dumps(where_json(paths), indent=2) + "\n")
    else:
        out.write(render_where(paths) + "\n")
    return EXIT_OK


def cmd_report(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    from automation.outputs.files import write_text
    from automation.outputs.html_report import load_run_document, render_html

    document = load_run_document(args.run_dir)
    target = write_text(args.run_dir / "report.html", render_html(document, args.run_dir))
    print(printable(f"{target}: {len(document.stores)} store(s), {document.kind.value} of {document.created_at}"),
          file=out)
    return EXIT_OK


def build_merge_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="ecom-privacy report merge",
        description="Merge the run directories of the shards of one run (--shard K/N) into one run: "
                    "report, JUnit, HTML, counts and exit code as if one process had run every store.")
    parser.add_argument("run_dirs", nargs="+", type=Path, metavar="DIR", help="one run directory per shard")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="the merged run's directory (new or empty)")
    parser.add_argument("--allow-partial", action="store_true",
                        help="merge although shards are missing; their stores are reported as not finished")
    parser.add_argument("--junit", type=Path, default=None, metavar="FILE", help="also write the merged JUnit XML here")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output on stdout")
    parser.add_argument("--log-format", choices=("console", "json"), default=None,
                        help="log format on stderr (default: console on a terminal, json otherwise)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.set_defaults(command="report-merge")
    _add_home(parser)
    apply_help(parser, "report merge")
    return parser


def cmd_report_merge(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    from automation.outputs.files import make_folder
    from automation.run.merge import merge_runs, render_merge

    result = merge_runs(args.run_dirs, args.out, args.clock.now(), args.allow_partial)
    document = result.document
    if args.junit is not None:
        make_folder(args.junit.parent, private=False)
        write_atomic(args.junit, (result.out_dir / "junit.xml").read_bytes())
    if args.format == "json":
        out.write(json_for_terminal(document.model_dump_json(indent=2)) + "\n")
    else:  # the shards' results come from files: made terminal-safe like any store data
        out.write(printable((render_checks(document) if document.kind == RunKind.VERIFY else
                             render_document(document)) + "\n" + render_merge(result)) + "\n")
    get_logger().info("run finished", command=f"{result.shards[0].manifest.command} (merged)",
                      directory=str(result.out_dir), interrupted=document.interrupted, exit_code=result.exit_code,
                      missing_shards=result.missing_shards, not_finished=sorted(result.not_finished),
                      **summarise(document))
    return result.exit_code


COMMANDS = {"validate": cmd_validate, "plan": cmd_plan, "apply": cmd_apply, "verify": cmd_verify, "probe": cmd_probe,
            "export-subscribers": cmd_export_subscribers, "login": cmd_login, "report": cmd_report,
            "report-merge": cmd_report_merge, "breach": cmd_breach, "where": cmd_where, **history_cli.COMMANDS}


def _run_mock(argv: list[str]) -> int:
    """`ecom-privacy mock`: the mock is the outside world, loaded on demand; Flask comes with the extra."""
    import importlib.util

    if importlib.util.find_spec("flask") is None:
        print("ecom-privacy mock: the mock backoffice needs Flask, which a plain install leaves out; install the "
              "extra: pip install 'ecom-privacy[mock]' (from a checkout: pip install -e '.[mock]')", file=sys.stderr)
        return EXIT_ERROR
    from mock_backoffice.cli import main as mock_main

    if {"-h", "--help"} & set(argv):
        entry = COMMAND_HELP["mock"]
        print(f"ecom-privacy mock: {entry.description}\n\n{entry.epilog()}\n\nthe mock's options:\n")
    try:
        return mock_main(argv)
    except SystemExit as exc:  # the mock's own parser: a usage error is 1 here too, never 2 ("changes planned")
        if exc.code == 2:
            return EXIT_ERROR
        raise


def main(argv: list[str] | None = None, out: TextIO | None = None, clock: Clock = SYSTEM_CLOCK) -> int:
    """Run one command. `clock` is the only source of the time for everything the command does (ecom_privacy/clock.py):
    the system's in a real run, a FixedClock in a test that drives deadlines, windows or stamps."""
    argv = list(sys.argv[1:] if argv is None else argv)
    out = out or sys.stdout
    if argv and argv[0] == "mock":
        return _run_mock(argv[1:])
    if argv[:2] == ["report", "merge"]:  # `report RUN_DIR` stays as it was; a run directory named merge: ./merge
        args = build_merge_parser().parse_args(argv[2:])
    else:
        args = build_parser().parse_args(argv)
    # Every handler receives the parsed arguments, so the clock travels with them to whatever the command calls.
    args.clock = clock
    redactor = Redactor()
    for secret in endpoint_secrets(getattr(args, "cdp_endpoint", None) or ""):
        redactor.add(secret)  # e.g. a browser farm's token in the endpoint's query
    configure_logging(args.log_format, redactor, args.verbose,
                      colour=colour_wanted(sys.stderr, getattr(args, "no_color", False)))
    try:
        check_env_file(args)
        return COMMANDS[args.command](args, out, redactor)
    except EcomPrivacyError as exc:
        print(printable(f"error: {exc}"), file=sys.stderr)  # messages quote store data
        return EXIT_ERROR
    except OSError as exc:  # the last net: a file the checks could not foresee (a disk filling up mid-run)
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}; free space or fix the permissions and run again",
              file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
