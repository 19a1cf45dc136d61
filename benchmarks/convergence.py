"""Convergence under faults: how many stores are as declared after 1, 2 and 3 applies. Measures, never asserts.

    python -m benchmarks.fleet --convergence --stores 8                 # 20% and 30% HTTP 500s
    python -m benchmarks.fleet --convergence --stores 8 --error-rates 0.2 --session-ttl-s 20

For each error rate a fresh mock with N generated stores (50 newsletter subscribers each, 10 of them to be
archived) gets the faults: that share of all requests (pages, redirects, CSS and JS) answers HTTP 500, and
sessions expire after `--session-ttl-s` seconds. With `--lose-answers` (the default) a write's HTTP 500 comes
after the backoffice carried it out (its answer lost), so a tool that writes again without reading first makes
a change twice; the mock counts every write that set what already was (`GET /__mock__/writes`).
Every store must get the cookie bar, a privacy policy
through the page editor and its passive subscribers archived through the newsletter page. Then
`apply --auto-approve --allow-archive` runs up to three times, as a nightly cron job would on three nights
(the session cache kept between runs); after each, a store counts as converged when that apply reported
it `ok`. After the last apply the faults are switched off and a `plan` checks the truth: a store is really
converged when nothing is left to change; the mock's write counts say whether any change was made twice, and
its subscribers whether anyone was archived off plan (not added manually or by import before 2018-05-25).
The figures go to the "Convergence under faults" section of results.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil
import yaml

from automation.fleet.defaults import STORE_DEADLINE_S
from mock_backoffice import MockServer, write_fleet
from tests.support import http_json

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "config" / "templates"
SECTION = "## Convergence under faults"
DESIRED = {
    "cookie_law": {"mode": "confirm"},
    "privacy_policy": {"mode": "replace", "template": str(TEMPLATES / "privacy-policy.{locale}.html"),
                       "vars": {"company": "Benchmark BV", "address": "Benchmarkstraat 1, Utrecht",
                                "email": "privacy@bench.test",
                                "updated": "2025-03-01"}},
    "newsletter_archive": {"enabled": True, "subscribed_before": "2018-05-25", "sources": ["manual", "import"]},
}


@dataclass
class Outcome:
    error_rate: float
    stores: int
    #: stores reported ok by apply 1, 2, 3
    ok_after: list[int] = field(default_factory=list)
    wall_s: list[float] = field(default_factory=list)
    #: error kinds of the stores and settings that failed, per apply
    failures: list[dict[str, int]] = field(default_factory=list)
    #: stores with nothing left to change, by a fault-free plan after the last apply
    truly_converged: int = 0
    #: writes that set what already was (a change made twice), over all stores and applies
    repeated_writes: int = 0
    #: archived subscribers the rule does not select (must be 0), and archived ones in all
    archived_off_plan: int = 0
    archived: int = 0


def _error_kinds(report: dict) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for store in report["stores"]:
        for kind in {store.get("error_kind"), *(s.get("error_kind") for s in store["settings"])} - {None}:
            kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def _run(command: list[str]) -> tuple[int, float]:
    started = time.monotonic()
    process = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if process.returncode not in (0, 1, 2):
        raise SystemExit(f"exit {process.returncode}: {' '.join(command)}\n{process.stderr[-4000:]}")
    return process.returncode, time.monotonic() - started


def measure(error_rate: float, args: argparse.Namespace) -> Outcome:
    seed = {"generate": {"count": args.stores, "subscribers": {"generate": {"count": 50, "passive_before_2018": 10}}}}
    outcome = Outcome(error_rate, args.stores)
    with tempfile.TemporaryDirectory(prefix="ecom-privacy-converge-") as scratch, MockServer(seed) as server:
        work = Path(scratch)
        fleet_path, env = (Path(p) for p in write_fleet(server.world, server.url, work / "fleet.yaml"))
        fleet = yaml.safe_load(fleet_path.read_text())
        fleet["defaults"] = DESIRED
        fleet_path.write_text(yaml.safe_dump(fleet, sort_keys=False))
        base = [sys.executable, "-m", "automation", "-c", str(fleet_path), "--env-file", str(env),
                "--parallelism", str(args.parallelism), "--session-dir", str(work / "sessions"),
                "--artifacts-dir", str(work / "runs"), "--log-format", "json",
                "--store-deadline", str(args.store_deadline)]
        # The rule archives by source (manual, import): the list must show a Source column (most real ones do not).
        http_json(f"{server.url}/__mock__/store-options", {"newsletter_source_column": True})
        http_json(f"{server.url}/__mock__/faults", {"error_rate": error_rate, "session_ttl_s": args.session_ttl_s,
                                                    "latency_ms": args.latency_ms, "seed": args.seed,
                                                    "lose_answer": args.lose_answers})
        for number in range(1, args.applies + 1):
            command = [base[0], base[1], base[2], "apply", *base[3:], "--auto-approve", "--allow-archive"]
            _, wall = _run(command)
            report = json.loads((max((work / "runs").iterdir()) / "report.json").read_text())
            ok = sum(1 for store in report["stores"] if store["status"] == "ok")
            outcome.ok_after.append(ok)
            outcome.wall_s.append(wall)
            outcome.failures.append(_error_kinds(report))
            print(f"  error rate {error_rate:.0%}: apply {number}: {ok}/{args.stores} stores ok in {wall:.0f} s; "
                  f"failures by kind {outcome.failures[-1] or '-'}", flush=True)
        http_json(f"{server.url}/__mock__/faults", {})
        _run([base[0], base[1], base[2], "plan", *base[3:]])
        plan = json.loads((max((work / "runs").iterdir()) / "plan.json").read_text())
        outcome.truly_converged = sum(1 for store in plan["stores"] if store["status"] == "ok" and not store["changes"])
        writes = http_json(f"{server.url}/__mock__/writes")
        outcome.repeated_writes = sum(count["unchanged"] for targets in writes.values() for count in targets.values())
        archived = [subscriber for store in http_json(f"{server.url}/__mock__/state")["stores"].values()
                    for subscriber in store["subscribers"] if subscriber["archived"]]
        outcome.archived = len(archived)
        rule = DESIRED["newsletter_archive"]
        outcome.archived_off_plan = sum(1 for s in archived if s["source"] not in rule["sources"]
                                        or s["subscribed_at"] >= rule["subscribed_before"])
        print(f"  error rate {error_rate:.0%}: fault-free plan afterwards: {outcome.truly_converged}/{args.stores} "
              f"stores with nothing left to change; {outcome.repeated_writes} write(s) made twice; "
              f"{outcome.archived} archived, {outcome.archived_off_plan} off plan", flush=True)
    return outcome


def section(outcomes: list[Outcome], args: argparse.Namespace) -> str:
    applies = range(1, args.applies + 1)
    lines = [
        SECTION, "",
        f"Written by `python -m benchmarks.fleet --convergence`, {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}: "
        f"**{args.stores} stores** (a small run: the machine has {psutil.cpu_count()} CPUs shared with other work), "
        f"parallelism {args.parallelism}, sessions expire after {args.session_ttl_s} s, {args.latency_ms} ms latency, "
        f"fault seed {args.seed}, load average at start {args.load_at_start}, store deadline "
        f"{args.store_deadline:g} s. Each store: cookie bar, privacy policy through the page editor, 10 of 50 "
        "newsletter subscribers archived. HTTP 500s hit every request, CSS and JS included"
        + ("; a write's HTTP 500 comes after the backoffice carried it out (its answer lost)." if args.lose_answers
           else "."), "",
        "| HTTP 500 rate | " + " | ".join(f"ok after apply {n}" for n in applies)
        + " | nothing left to change (fault-free plan after) | writes made twice | archived off plan "
          "| wall per apply (s) | failures by kind, per apply |",
        "|---|" + "---|" * args.applies + "---|---|---|---|---|",
    ]
    for o in outcomes:
        cells = " | ".join(f"{ok}/{o.stores}" for ok in o.ok_after)
        walls = ", ".join(f"{w:.0f}" for w in o.wall_s)
        kinds = "; ".join(", ".join(f"{k} {n}" for k, n in sorted(f.items())) or "-" for f in o.failures)
        lines.append(f"| {o.error_rate:.0%} | {cells} | {o.truly_converged}/{o.stores} | {o.repeated_writes} | "
                     f"{o.archived_off_plan} of {o.archived} | {walls} | {kinds} |")
    return "\n".join(lines) + "\n"


def write_section(path: Path, text: str) -> None:
    """Replace the convergence section of results.md where it stands (up to the next heading or marker comment,
    such as the history benchmark's), or add it at the end; the rest of the file is kept."""
    current = path.read_text(encoding="utf-8") if path.exists() else "# Fleet benchmark results\n"
    start = current.find(SECTION)
    if start < 0:
        path.write_text(current.rstrip("\n") + "\n\n" + text, encoding="utf-8")
        return
    ends = [found for marker in ("\n## ", "\n<!-- ") if (found := current.find(marker, start + len(SECTION))) >= 0]
    rest = current[min(ends) + 1:] if ends else ""
    path.write_text(current[:start] + text + ("\n" + rest if rest else ""), encoding="utf-8")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("convergence mode (--convergence)")
    group.add_argument("--convergence", action="store_true",
                       help="measure stores converged after 1, 2, 3 applies under HTTP 500s and short sessions")
    group.add_argument("--error-rates", default="0.2,0.3", help="comma-separated HTTP 500 rates (default 0.2,0.3)")
    group.add_argument("--session-ttl-s", type=float, default=20, help="session lifetime in seconds (default 20)")
    group.add_argument("--applies", type=int, default=3, help="applies per error rate (default 3)")
    group.add_argument("--seed", type=int, default=5, help="seed of the fault generator (default 5)")
    group.add_argument("--lose-answers", action=argparse.BooleanOptionalAction, default=True,
                       help="a write's HTTP 500 comes after the mock carried it out (default: on)")
    group.add_argument("--store-deadline", type=float, default=STORE_DEADLINE_S,
                       help=f"the tool's --store-deadline (default {STORE_DEADLINE_S:g})")


def main(args: argparse.Namespace) -> int:
    levels = [int(part) for part in str(args.parallelism).split(",") if part.strip()]
    # One parallelism here: the tool's default (4) unless a single other value was asked for.
    args.parallelism = levels[0] if len(levels) == 1 else 4
    args.load_at_start = " / ".join(f"{value:.1f}" for value in psutil.getloadavg())
    rates = [float(part) for part in args.error_rates.split(",") if part.strip()]
    outcomes = []
    for rate in rates:
        print(f"convergence: {args.stores} stores, {rate:.0%} HTTP 500s, sessions of {args.session_ttl_s} s",
              flush=True)
        outcomes.append(measure(rate, args))
    text = section(outcomes, args)
    print()
    print(text)
    write_section(args.out, text)
    print(f"written to {args.out}")
    return 0
