"""The command line: validate, plan, apply (Terraform's contract) and the mock backoffice."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError

from automation import __version__
from automation.alerts.config import notify_problems
from automation.artifacts import RunArtifacts
from automation.engine import FleetRunner, RunOptions, plan_input_for
from automation.errors import ConfigError, EcomPrivacyError
from automation.export import export_stores, render_exports, write_exports
from automation.fleet import DEFAULT_FLEET_FILE, Fleet, StoreConfig, load_fleet
from automation.history import cli as history_cli
from automation.history.hook import record_after_run
from automation.html_report import load_run_document, render_html
from automation.interrupt import Interruption
from automation.lock import FleetLock
from automation.logs import configure_logging, get_logger
from automation.models import PLAN_FORMAT_VERSION, RunDocument, RunKind
from automation.progress import ProgressBar
from automation.render import apply_exit_code, plan_exit_code, render_checks, render_document, summarise
from automation.run_outputs import write_run_outputs
from automation.secrets import Redactor, load_environment, resolve_secrets
from automation.session_cache import SessionCache, default_session_dir
from automation.verify import verify_exit_code, verify_fleet
from flows.registry import all_settings

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


def _common(parser: argparse.ArgumentParser, *, runs: bool) -> None:
    parser.add_argument("-c", "--config", type=Path, default=DEFAULT_FLEET_FILE,
                        help=f"fleet file (default {DEFAULT_FLEET_FILE})")
    parser.add_argument("--env-file", type=Path, default=Path(".env"),
                        help="file with NAME=value secrets, read under the process environment (default ./.env)")
    parser.add_argument("--log-format", choices=("console", "json"), default=None,
                        help="log format on stderr (default: console on a terminal, json otherwise)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    if not runs:
        return
    parser.add_argument("--store", action="append", default=[], metavar="ID", help="only this store (repeatable)")
    parser.add_argument("--group", action="append", default=[], metavar="NAME",
                        help="only stores in this group (repeatable)")
    parser.add_argument("--parallelism", type=int, default=4, metavar="N", help="stores at once (default 4)")
    parser.add_argument("--browser", metavar="PATH", default=None,
                        help="Chromium/Chrome binary (default: $ECOM_PRIVACY_BROWSER, Playwright's, or the system's)")
    parser.add_argument("--headed", action="store_true", help="show the browser window")
    parser.add_argument("--timeout", type=float, default=15.0, metavar="SECONDS",
                        help="timeout of one browser action or page load (default 15)")
    parser.add_argument("--artifacts-dir", type=Path, default=Path("runs"),
                        help="where run directories runs/<UTC timestamp>/ are written (default ./runs)")
    parser.add_argument("--session-dir", type=Path, default=None, metavar="DIR",
                        help="private folder of cached logins and run locks "
                             "(default $ECOM_PRIVACY_SESSION_DIR or ~/.cache/ecom-privacy/sessions)")
    parser.add_argument("--no-session-cache", action="store_true",
                        help="log in to every store, neither reading nor writing cached sessions")
    parser.add_argument("--wait-lock", type=float, default=0.0, metavar="SECONDS",
                        help="when another run holds this fleet file's lock, wait up to SECONDS (default: exit 1)")
    parser.add_argument("--junit", type=Path, default=None, metavar="FILE",
                        help="also write a JUnit XML file (one test case per store and setting)")
    parser.add_argument("--no-trace", action="store_true",
                        help="record no Playwright traces (by default kept only for stores that failed)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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

    apply = commands.add_parser("apply", help="plan, confirm, apply through the backoffice, read back, verify")
    _common(apply, runs=True)
    apply.add_argument("plan_file", nargs="?", type=Path, metavar="PLAN.json",
                       help="apply exactly this saved plan (stores that changed since are refused)")
    apply.add_argument("--auto-approve", action="store_true", help="do not ask for confirmation")
    apply.add_argument("--allow-archive", action="store_true",
                       help="allow irreversible changes (archiving newsletter subscribers) in every store")
    apply.add_argument("--format", choices=("text", "json"), default="text", help="output on stdout")
    apply.add_argument("--verify", action="store_true", help="after applying, run the storefront checks of 'verify'")

    verify = commands.add_parser("verify", help="check each live storefront as a visitor, with evidence")
    _common(verify, runs=True)
    verify.add_argument("--format", choices=("text", "json"), default="text", help="output on stdout")

    export = commands.add_parser("export-subscribers", help="write the newsletter subscribers that "
                                 "newsletter_archive would archive to CSV, one file per store; archives nothing")
    _common(export, runs=True)
    export.add_argument("--out", type=Path, default=Path("exports"), metavar="DIR",
                        help="folder for <store>-newsletter-archive.csv (default ./exports)")

    report = commands.add_parser("report", help="(re)build report.html of a run directory")
    report.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="a run directory, e.g. runs/20250101T020000Z")
    report.add_argument("--log-format", choices=("console", "json"), default=None, help=argparse.SUPPRESS)
    report.add_argument("-v", "--verbose", action="store_true", help=argparse.SUPPRESS)

    # Run history and alerts (automation/history): --db for the runs, and the status and history commands.
    for run_command in (plan, apply, verify):
        history_cli.add_run_options(run_command)
    history_cli.register(commands)

    commands.add_parser("mock", add_help=False,
                        help="run the mock backoffice (see 'ecom-privacy mock --help')")
    return parser


def _fleet_and_stores(args: argparse.Namespace) -> tuple[Fleet, list[StoreConfig]]:
    fleet = load_fleet(args.config)
    stores = fleet.select(args.store, getattr(args, "group", []))
    if not stores:
        raise ConfigError(f"{args.config}: no store matches the selection")
    return fleet, stores


def cmd_validate(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    fleet, stores = _fleet_and_stores(args)
    env = load_environment(args.env_file)
    problems = []
    settings = all_settings()
    for store in stores:
        try:
            resolve_secrets(store, env, args.env_file)
        except ConfigError as exc:
            problems.append(str(exc))
        for name, desired in store.desired.items():
            try:  # templates and their variables: found now rather than after logging in to every store
                settings[name].check(desired, plan_input_for(fleet, store))
            except ConfigError as exc:
                problems.append(f"{name}: {exc}")
    problems += notify_problems(fleet.notify, env, args.env_file)  # alert URLs are secrets too
    if problems:
        raise ConfigError(f"{args.config}: " + f"\n{args.config}: ".join(problems))
    managed = sorted({name for store in stores for name in store.desired})
    print(f"{args.config}: valid: {len(stores)} store(s), settings: {', '.join(managed) or 'none'}; "
          f"all secrets present", file=out)
    return EXIT_OK


def _load_saved_plan(path: Path, fleet: Fleet) -> RunDocument:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: plan file not found") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not a JSON plan file: {exc}") from exc
    if not isinstance(raw, dict) or raw.get("format_version") != PLAN_FORMAT_VERSION:
        found = raw.get("format_version") if isinstance(raw, dict) else None
        raise ConfigError(f"{path}: unsupported plan format_version {found!r};"
                          f" this version reads {PLAN_FORMAT_VERSION}; make a new plan with 'ecom-privacy plan --out'")
    try:
        document = RunDocument.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: not a valid plan file: {exc.errors()[0]['msg']} at "
                          f"{'.'.join(map(str, exc.errors()[0]['loc']))}") from exc
    if document.kind != RunKind.PLAN:
        raise ConfigError(f"{path}: this is a {document.kind.value} report, not a plan")
    if document.fleet_sha256 and document.fleet_sha256 != fleet.sha256:
        raise ConfigError(f"{path}: the fleet file {fleet.path} changed since this plan was made; "
                          f"run 'ecom-privacy plan --out {path}' again")
    return document


def _session_dir(args: argparse.Namespace) -> Path:
    return args.session_dir or default_session_dir()


def _options(args: argparse.Namespace, kind: RunKind, **extra: object) -> RunOptions:
    if args.parallelism < 1:
        raise ConfigError(f"--parallelism must be at least 1, not {args.parallelism}")
    return RunOptions(
        kind=kind, parallelism=args.parallelism, browser_path=args.browser, headed=args.headed,
        timeout_ms=int(args.timeout * 1000), env_file=args.env_file,
        allow_irreversible=getattr(args, "allow_archive", False),
        session_cache=SessionCache(_session_dir(args), enabled=not args.no_session_cache),
        trace=not args.no_trace, **extra,  # type: ignore[arg-type]
    )


def _run(args: argparse.Namespace, fleet: Fleet, stores: list[StoreConfig], env: dict[str, str],
         artifacts: RunArtifacts, redactor: Redactor, options: RunOptions) -> tuple[RunDocument, RunDocument]:
    log = get_logger()
    options.interruption = Interruption(on_event=lambda message: log.warning(message))
    bar = ProgressBar(sys.stderr, len(stores), options.kind.value)
    if bar.enabled:
        # Log lines go through the bar, which clears itself before each one and redraws after.
        configure_logging(args.log_format, redactor, args.verbose, stream=bar.stream)  # type: ignore[arg-type]
        options.on_store_start, options.on_store_done = bar.store_started, bar.store_done
    runner = FleetRunner(fleet, stores, env, artifacts, redactor, options)
    try:
        document = asyncio.run(runner.run())
    finally:
        bar.close()
        if bar.enabled:
            configure_logging(args.log_format, redactor, args.verbose)
    return document, runner.planned_document(document)


def _finish(args: argparse.Namespace, artifacts: RunArtifacts, document: RunDocument, out: TextIO,
            redactor: Redactor, plan: RunDocument | None = None) -> int:
    write_run_outputs(artifacts, document, plan, args.junit)
    record_after_run(args, artifacts.root, document, redactor)
    _emit(document, args.format, out, redactor)
    code = plan_exit_code(document) if document.kind == RunKind.PLAN else apply_exit_code(document)
    # One line with the outcome, for cron's JSON logs: a person reads stdout, a log collector reads this.
    get_logger().info("run finished", command=document.kind.value, directory=str(artifacts.root),
                      interrupted=document.interrupted, exit_code=code, **summarise(document))
    return code


def _locked(args: argparse.Namespace) -> FleetLock:
    log = get_logger()
    return FleetLock(_session_dir(args), args.config, args.command, args.wait_lock,
                     on_wait=lambda message: log.warning("waiting for lock", detail=message))


def _emit(document: RunDocument, fmt: str, out: TextIO, redactor: Redactor) -> None:
    if fmt == "json":
        out.write(redactor(document.model_dump_json(indent=2)) + "\n")
    else:
        out.write(redactor(render_document(document)) + "\n")
    out.flush()


def cmd_plan(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    fleet, stores = _fleet_and_stores(args)
    env = load_environment(args.env_file)
    with _locked(args):
        artifacts = RunArtifacts.create(args.artifacts_dir, redactor)
        document, _ = _run(args, fleet, stores, env, artifacts, redactor, _options(args, RunKind.PLAN))
        if args.out:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(redactor(document.model_dump_json(indent=2)), encoding="utf-8")
        return _finish(args, artifacts, document, out, redactor)


def _confirm(out: TextIO) -> bool:
    out.write("\nDo you want to apply these changes? Only 'yes' will be accepted: ")
    out.flush()
    return sys.stdin.readline().strip() == "yes"


def cmd_apply(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    fleet, stores = _fleet_and_stores(args)
    env = load_environment(args.env_file)
    saved = _load_saved_plan(args.plan_file, fleet) if args.plan_file else None
    # As in Terraform, a saved plan is the approval: applying it asks nothing.
    if saved is None and not args.auto_approve and not sys.stdin.isatty():
        raise ConfigError("apply needs confirmation but standard input is not a terminal; "
                          "review with 'ecom-privacy plan' and pass --auto-approve (for example in cron)")
    with _locked(args):
        return _apply_locked(args, fleet, stores, env, saved, out, redactor)


def _apply_locked(args: argparse.Namespace, fleet: Fleet, stores: list[StoreConfig], env: dict[str, str],
                  saved: RunDocument | None, out: TextIO, redactor: Redactor) -> int:
    artifacts = RunArtifacts.create(args.artifacts_dir, redactor)
    if saved is None and not args.auto_approve:
        # Interactive: show the plan, ask, then apply exactly what was shown (stale stores are refused).
        planned, _ = _run(args, fleet, stores, env, artifacts, redactor, _options(args, RunKind.PLAN))
        if planned.interrupted:
            return _finish(args, artifacts, planned, out, redactor)
        artifacts.write_text("plan.json", planned.model_dump_json(indent=2))
        _emit(planned, "text", out, redactor)
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
    code = _finish(args, artifacts, document, out, redactor, plan=saved or planned)
    if args.verify and args.format == "text":
        out.write(redactor(render_checks(document)) + "\n")
    return max(code, verify_code)


def _verify_after_apply(args: argparse.Namespace, fleet: Fleet, stores: list[StoreConfig],
                        artifacts: RunArtifacts, document: RunDocument) -> int:
    """The storefront checks of `verify`, joined to the apply report store by store."""
    checked = asyncio.run(verify_fleet(fleet, stores, artifacts, _options(args, RunKind.VERIFY)))
    by_id = {store.id: store for store in checked.stores}
    for store in document.stores:
        if store.id in by_id:
            store.checks = by_id[store.id].checks
            store.artifacts += by_id[store.id].artifacts
    return verify_exit_code(checked)


def cmd_verify(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    fleet, stores = _fleet_and_stores(args)
    artifacts = RunArtifacts.create(args.artifacts_dir, redactor)
    document = asyncio.run(verify_fleet(fleet, stores, artifacts, _options(args, RunKind.VERIFY)))
    write_run_outputs(artifacts, document, None, args.junit)
    record_after_run(args, artifacts.root, document, redactor)
    if args.format == "json":
        out.write(redactor(document.model_dump_json(indent=2)) + "\n")
    else:
        out.write(redactor(render_checks(document)) + "\n")
    code = verify_exit_code(document)
    get_logger().info("run finished", command="verify", directory=str(artifacts.root), exit_code=code)
    return code


def cmd_export_subscribers(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    fleet, stores = _fleet_and_stores(args)
    artifacts = RunArtifacts.create(args.artifacts_dir, redactor)
    document, _ = _run(args, fleet, export_stores(stores), load_environment(args.env_file), artifacts, redactor,
                       _options(args, RunKind.PLAN))
    results = write_exports(document, args.out, redactor)
    out.write(redactor(render_exports(results)) + "\n")
    return EXIT_ERROR if any(result.error for result in results) else EXIT_OK


def cmd_report(args: argparse.Namespace, out: TextIO, redactor: Redactor) -> int:
    document = load_run_document(args.run_dir)
    target = args.run_dir / "report.html"
    target.write_text(render_html(document, args.run_dir), encoding="utf-8")
    print(f"{target}: {len(document.stores)} store(s), {document.kind.value} of {document.created_at}", file=out)
    return EXIT_OK


COMMANDS = {"validate": cmd_validate, "plan": cmd_plan, "apply": cmd_apply, "verify": cmd_verify,
            "export-subscribers": cmd_export_subscribers, "report": cmd_report, **history_cli.COMMANDS}


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    out = out or sys.stdout
    if argv and argv[0] == "mock":
        from mock_backoffice.cli import main as mock_main  # the mock is the outside world: loaded on demand

        return mock_main(argv[1:])
    args = build_parser().parse_args(argv)
    redactor = Redactor()
    configure_logging(args.log_format, redactor, args.verbose)
    try:
        return COMMANDS[args.command](args, out, redactor)
    except EcomPrivacyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
