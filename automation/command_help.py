"""What `ecom-privacy COMMAND --help` says beyond the options: what the command does, an example, its exit codes.

One table for every command and sub-command, applied to the parser once it is built (`document_commands`),
so the commands' own modules keep only their options. tests/cli/test_help.py walks every sub-command of the
parser and fails when one is missing here (or this names one that does not exist). The full reference is
docs/cli.md.
"""

from __future__ import annotations

import argparse
import textwrap
from dataclasses import dataclass


@dataclass(frozen=True)
class CommandHelp:
    description: str
    examples: tuple[str, ...]
    #: exit code -> what it means for this command
    exit_codes: tuple[tuple[int, str], ...]

    def epilog(self) -> str:
        lines = ["examples:", *(f"  {example}" for example in self.examples), "", "exit codes:"]
        lines += [f"  {code}  {meaning}" for code, meaning in self.exit_codes]
        lines += ["", "reference: docs/cli.md"]
        return "\n".join(lines)


USAGE = (1, "a usage error (an unknown option, a refused value) or an --env-file that does not exist")
ERROR = (1, "an error: one line on stderr naming the file, key or store and what to do")

COMMANDS: dict[str, CommandHelp] = {
    "validate": CommandHelp(
        "Check the fleet file, render every content template for every store and shop language, check the "
        "ui_overrides file and that every secret the fleet file names is set. Opens no browser.",
        ("ecom-privacy validate -c my-fleet/fleet.yaml --env-file my-fleet/.env",),
        ((0, "valid, every secret present"), (1, "any problem (each one line, naming file, store and key)"))),
    "plan": CommandHelp(
        "Log in to each store, read every managed setting and show what would change: one line per changed "
        "setting (--diff: every diff whole). Changes nothing.",
        ("ecom-privacy plan -c fleet.yaml", "ecom-privacy plan -c fleet.yaml --store my-shop --diff",
         "ecom-privacy plan -c fleet.yaml --out plan.json    # apply exactly this later"),
        ((0, "nothing to change"), (1, "a store failed, the run was interrupted, another run holds a store's lock"),
         (2, "changes planned (also ones that await an opt-in)"), USAGE)),
    "apply": CommandHelp(
        "Plan, show the plan, ask 'yes' (or apply a saved plan as it is), apply through the backoffice and "
        "read each setting back from it (with --verify, then also the storefront checks of 'verify'). "
        "Irreversible changes (archiving subscribers) only with --allow-archive.",
        ("ecom-privacy apply -c fleet.yaml", "ecom-privacy apply -c fleet.yaml --auto-approve    # cron, CI",
         "ecom-privacy apply plan.json --allow-archive"),
        ((0, "every store as declared, or as declared but for changes that await an opt-in"),
         (1, "a store failed or was refused as stale, a change was not applied, the run was interrupted, "
             "another run holds a store's lock"), USAGE)),
    "verify": CommandHelp(
        "Visit each store's public storefront as a new visitor (no login) and check the cookie bar, tracking "
        "before and after consent, and the privacy and CCPA pages, with evidence.",
        ("ecom-privacy verify -c fleet.yaml", "ecom-privacy verify -c fleet.yaml --junit verify.xml"),
        ((0, "no check failed (warnings allowed)"), (1, "a check failed or a storefront could not be checked"),
         USAGE)),
    "probe": CommandHelp(
        "Read-only first contact: log in, visit every backoffice page the settings use, check every element "
        "they need (clicking nothing that saves) and write a scrubbed bundle of what was seen.",
        ("ecom-privacy probe -c fleet.yaml --store my-shop",),
        ((0, "every element of every page found"), (1, "an element missing, or a store could not be probed"),
         USAGE)),
    "export-subscribers": CommandHelp(
        "Write the newsletter subscribers that newsletter_archive would archive to one CSV per store "
        "(for the re-subscribe email). Archives nothing.",
        ("ecom-privacy export-subscribers -c fleet.yaml --out exports",),
        ((0, "every store's CSV written"), (1, "a store failed"), USAGE)),
    "report": CommandHelp(
        "(Re)build RUN_DIR/report.html from the run's report.json or plan.json, for example after copying a "
        "run directory from a server. To merge the runs of shards: ecom-privacy report merge DIR... --out DIR.",
        ("ecom-privacy report runs/20260301T023000Z",),
        ((0, "report.html written"), (1, "no report in that directory"), USAGE)),
    "report merge": CommandHelp(
        "Merge the run directories of the shards of one run (--shard K/N) into one run: report, JUnit, HTML, "
        "counts and exit code as if one process had run every store.",
        ("ecom-privacy report merge runs/shard-1/20260301T020000Z runs/shard-2/20260301T020001Z --out runs/merged",),
        ((0, "the merged run's own code: as one process would have exited"),
         (1, "the merged run failed, or the merge was refused (different runs, a shard twice, shards missing)"),
         (2, "a merged plan with changes"), USAGE)),
    "login": CommandHelp(
        "A person logs in once, in a visible browser, to stores whose login a run cannot pass alone (a bot "
        "challenge, a code only their phone has); the session is saved for later headless runs. With --check: "
        "log each store in headless with the stored credentials, leaving its cached session alone.",
        ("ecom-privacy login -c fleet.yaml --store my-shop", "xvfb-run -a ecom-privacy login --store my-shop",
         "ecom-privacy login --check -c fleet.yaml --store my-shop --store other-shop"),
        ((0, "every store's session saved (--check: every store's credentials accepted)"),
         (1, "a store timed out, was interrupted or failed; no display (--check: a store's credentials refused, "
             "not tried or not checked)"), USAGE)),
    "where": CommandHelp(
        "Every path the tool keeps state in (the home, the history and breach database, the session folder "
        "with refused logins and spent recovery codes, the store locks) and where each came from: --home, "
        "$ECOM_PRIVACY_HOME, another flag or variable, or the default.",
        ("ecom-privacy where", "ecom-privacy where --home /var/lib/ecom-privacy --format json"),
        ((0, "the paths were printed"), USAGE)),
    "status": CommandHelp(
        "The fleet now, from the run history: the newest result of every store and setting, its age, and "
        "the stores whose newest result is older than --max-age.",
        ("ecom-privacy status", "ecom-privacy status -c fleet.yaml --html status.html"),
        ((0, "every store and setting compliant or corrected, none older than --max-age"),
         (1, "anything drifted, blocked, failed, never checked or stale; nothing recorded; no database"), USAGE)),
    "history": CommandHelp(
        "The drift timeline (when each drift was found and by which run, and which run corrected it) and "
        "failures in a row. 'history import RUNS_DIR' records run directories not in the history yet.",
        ("ecom-privacy history --store my-shop --since 30d", "ecom-privacy history import runs"),
        ((0, "shown (import: every run directory read)"),
         (1, "the database cannot be opened (import: a run directory could not be read)"), USAGE)),
    "mock": CommandHelp(
        "Run the mock backoffice (Flask, the 'mock' extra) in the foreground: stores on --port, their "
        "identity service on --id-port; --write-fleet writes a fleet file and .env for the seeded stores.",
        ("ecom-privacy mock --seed config/demo-seed.yaml --write-fleet demo/fleet.yaml",),
        ((0, "stopped by Ctrl-C"), (1, "Flask is not installed, the seed is invalid, or a usage error"))),
    "breach": CommandHelp(
        "The data-breach register (GDPR Art. 33/34): register an incident across stores, assess it, draft "
        "the letters, notify the people affected, publish a notice, export the register.",
        ("ecom-privacy breach new --file incident.yaml", "ecom-privacy breach list"),
        ((0, "done"), ERROR, (2, "notify/publish without --apply: something to do"), USAGE)),
    "breach new": CommandHelp(
        "Register an incident from flags or a facts file (title, stores, discovered_at, discovered_by are "
        "required); prints its number and 72-hour deadline.",
        ("ecom-privacy breach new --file incident.yaml --tz Europe/Amsterdam",),
        ((0, "registered"), ERROR, USAGE)),
    "breach list": CommandHelp(
        "Open incidents (--all: closed too) with the time left to the 72-hour deadline; overdue first.",
        ("ecom-privacy breach list", "ecom-privacy breach list --all --format json"),
        ((0, "shown"), ERROR, USAGE)),
    "breach show": CommandHelp(
        "One incident: the facts, the deadline, the assessment, per store the decisions and what was sent "
        "when, and its full history.",
        ("ecom-privacy breach show 1",),
        ((0, "shown"), ERROR, USAGE)),
    "breach update": CommandHelp(
        "Add or correct facts, or record a decision (authority notified or not required, informing people); "
        "each change is a new event, nothing is overwritten.",
        ("ecom-privacy breach update 1 --store my-shop --authority-notified now --authority-reference AP-123",),
        ((0, "recorded"), ERROR, USAGE)),
    "breach assess": CommandHelp(
        "The guided risk assessment (EDPB Guidelines 9/2022): no risk, risk or high risk, with the answers "
        "as reasons; asks on a terminal what the flags leave open.",
        ("ecom-privacy breach assess 1 --answer personal_data=yes --answer sensitive=no",),
        ((0, "recorded"), ERROR, USAGE)),
    "breach check": CommandHelp(
        "For cron: fail when an open incident has a store with no authority decision and its deadline is "
        "past or near; with -c FLEET also send the breach_deadline alerts.",
        ("ecom-privacy breach check --tz Europe/Amsterdam", "ecom-privacy breach check -c fleet.yaml"),
        ((0, "no deadline past or near without a decision"), (1, "a deadline past or near without a decision, "
                                                                "or an error"), USAGE)),
    "breach export": CommandHelp(
        "The whole register, never-notified incidents included, as CSV, JSON and printable HTML.",
        ("ecom-privacy breach export --out breach-register",),
        ((0, "written"), ERROR, USAGE)),
    "breach draft": CommandHelp(
        "Render the notification to the authority, the message to the people affected, or the public notice, "
        "per store and language, to files you review before sending.",
        ("ecom-privacy breach draft 1 --authority -c fleet.yaml", "ecom-privacy breach draft 1 --customers"),
        ((0, "written"), ERROR, USAGE)),
    "breach notify": CommandHelp(
        "Plan, and with --apply send, the message to the people affected: one per person in their language, "
        "at most --rate a minute, never twice.",
        ("ecom-privacy breach notify 1 --store my-shop", "ecom-privacy breach notify 1 --store my-shop --apply"),
        ((0, "sent (or nothing to send)"), ERROR, (2, "without --apply: people to send to"), USAGE)),
    "breach publish": CommandHelp(
        "Plan, and with --apply publish (or --withdraw), the public notice page in every shop language, "
        "checked on the storefront.",
        ("ecom-privacy breach publish 1 --store my-shop --apply",),
        ((0, "published (or nothing to do)"), ERROR, (2, "without --apply: something to do"), USAGE)),
}


def subcommands(parser: argparse.ArgumentParser, prefix: str = "") -> dict[str, argparse.ArgumentParser]:
    """Every sub-command of `parser`, by its path ("breach notify"), nested ones included."""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                path = f"{prefix} {name}".strip()
                found[path] = sub
                found.update(subcommands(sub, path))
    return found


def apply_help(parser: argparse.ArgumentParser, path: str) -> None:
    """Give one parser its description, examples and exit codes."""
    entry = COMMANDS[path]
    parser.description = textwrap.fill(entry.description, width=100)
    parser.epilog = entry.epilog()
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def document_commands(parser: argparse.ArgumentParser) -> None:
    """Every sub-command of the tool's parser gets its description, examples and exit codes."""
    for path, sub in subcommands(parser).items():
        if path in COMMANDS:
            apply_help(sub, path)
