"""Benchmark of the run history: `status` over a year of nightly runs, and what recording costs a run.

    python -m benchmarks.history                          # 100 stores x 365 nights; overhead at 10 stores
    python -m benchmarks.history --postgres               # the status query on a real PostgreSQL too
    python -m benchmarks.history --overhead-stores 100    # the overhead at the issue's fleet size (slow)

1. Generates a year of nightly apply runs of N stores (every store result with its settings: mostly
   compliant, some drift corrected, a few blocked and failed) into a fresh database, then times
   `fleet_status` (the query behind `ecom-privacy status`) and `drift_timeline` of one store, each the
   median of several tries, plus the whole `ecom-privacy status --format json` command in a new process.
2. Starts the mock with a small fleet, applies once, then runs the no-op `plan` alternately with
   `--no-history` and with the history on SQLite (a real `python -m automation plan` each), and reports
   the medians and the difference; and times the recording step alone (open the database, record a plan
   of the benchmark's size) in this process, the part of the difference that is history's.
Measures, never asserts; writes its table into benchmarks/results.md (its own section).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from automation.db import open_database
from automation.history.recorder import record_run
from automation.history.status import fleet_status
from automation.history.timeline import drift_timeline
from benchmarks.fleet import tool
from ecom_privacy.models import (
    BlockReason,
    Change,
    RunDocument,
    RunKind,
    SettingResult,
    SettingStatus,
    StoreResult,
    StoreStatus,
)
from mock_backoffice import MockServer, write_fleet
from tests.support import http_json

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.md"
BEGIN, END = "<!-- history benchmark: begin -->", "<!-- history benchmark: end -->"
SETTINGS = ("cookie_law", "privacy_policy", "analytics")
TARGET_STATUS_S = 1.0
TARGET_OVERHEAD = 0.03


def _store_result(store_id: str, rng: random.Random) -> StoreResult:
    roll = rng.random()
    settings, changes = [], []
    for name in SETTINGS:
        status = SettingStatus.COMPLIANT
        if roll < 0.02:
            status = SettingStatus.FAILED
        elif roll < 0.06 and name == "cookie_law":
            status = SettingStatus.CHANGED
            changes.append(Change(setting=name, action="update", before={"mode": "none"}, after={"mode": "confirm"},
                                  summary="mode none -> confirm"))
        elif roll < 0.07 and name == "privacy_policy":
            status = SettingStatus.DRIFT
            changes.append(Change(setting=name, action="update", summary="append 2 missing element(s)",
                                  blocked=BlockReason.NEEDS_OPT_IN))
        settings.append(SettingResult(setting=name, status=status,
                                      error="HTTP 500 from the backoffice, 6 tries" if status == "failed" else None,
                                      error_kind="transient" if status == "failed" else None))
    failed = any(s.status == SettingStatus.FAILED for s in settings)
    return StoreResult(id=store_id, status=StoreStatus.ERROR if failed else StoreStatus.OK, changes=changes,
                       settings=settings, duration_s=round(rng.uniform(2, 9), 3))


def generate_year(url: str, stores: int, nights: int, runs_dir: Path) -> float:
    engine = open_database(url)
    rng = random.Random(14)
    start = datetime.now(UTC).replace(hour=2, minute=30, second=0, microsecond=0) - timedelta(days=nights)
    ids = [f"shop-{n:03d}" for n in range(1, stores + 1)]
    began = time.perf_counter()
    try:
        for night in range(nights):
            at = start + timedelta(days=night)
            document = RunDocument(kind=RunKind.APPLY, created_at=at.isoformat(timespec="seconds"),
                                   fleet_file="fleet.yaml", fleet_sha256="0" * 64,
                                   stores=[_store_result(store, rng) for store in ids])
            record_run(engine, document, runs_dir / at.strftime("%Y%m%dT%H%M%SZ"), recorded_at=at,
                       source="import")
    finally:
        engine.dispose()
    return time.perf_counter() - began


def median_time(action: Callable[[], object], tries: int) -> float:
    times = []
    for _ in range(tries):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def child_times(argv: list[str], env: dict[str, str], tries: int) -> tuple[float, float]:
    """Median wall time and CPU time (user + system) of a command; CPU time shows through a busy machine."""
    walls, cpus = [], []
    for _ in range(tries):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=False)
        walls.append(time.perf_counter() - began)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def command_verdict(wall: float, cpu: float) -> str:
    """The user waits for the wall time; on a shared machine the CPU time is what the command itself costs."""
    if wall < TARGET_STATUS_S:
        return "met"
    if cpu < TARGET_STATUS_S:
        return f"met in CPU time ({cpu:.2f} s); {wall:.2f} s wall on this loaded machine"
    return "MISSED"


def measure_status(url: str, label: str, args: argparse.Namespace, work: Path) -> list[tuple[str, str]]:
    generated = generate_year(url, args.stores, args.nights, work / "runs")
    engine = open_database(url)
    now = datetime.now(UTC).replace(tzinfo=None)
    try:
        status_s = median_time(lambda: fleet_status(engine, max_age=timedelta(hours=36), now=now), args.tries)
        one_store_s = median_time(lambda: drift_timeline(engine, stores=["shop-001"]), args.tries)
        fleet_s = median_time(lambda: drift_timeline(engine), max(1, args.tries // 2))
        page_s = median_time(lambda: drift_timeline(engine, points=True), 1)
    finally:
        engine.dispose()
    night = RunDocument(kind=RunKind.PLAN, created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                        fleet_file="fleet.yaml", fleet_sha256="0" * 64,
                        stores=[_store_result(f"shop-{n:03d}", random.Random(n)) for n in range(1, args.stores + 1)])

    def record_night() -> None:  # what the end of a run does: open (and check the schema), record, close
        night.created_at = (datetime.fromisoformat(night.created_at) + timedelta(seconds=1)).isoformat()
        engine = open_database(url)
        record_run(engine, night, work / "runs" / "one-more", recorded_at=datetime.now(UTC))
        engine.dispose()

    record_s = median_time(record_night, args.tries)
    env = {**os.environ, "ECOM_PRIVACY_DB": url}
    # An installed tool has its bytecode compiled (pip does it); with PYTHONDONTWRITEBYTECODE set, as in some
    # shells and containers, every start would compile the tool's modules again and time that instead.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "automation", "status", "--format", "json"], env=env,
                   capture_output=True, check=False)  # the warm-up run writes the bytecode
    command_s, command_cpu = child_times([sys.executable, "-m", "automation", "status", "--format", "json"], env,
                                         args.tries)
    _, import_cpu = child_times([sys.executable, "-c", "import automation.cli"], env, args.tries)
    size = f"{args.stores} stores x {args.nights} nights = {args.stores * args.nights} store results " \
           f"({args.stores * args.nights * len(SETTINGS)} setting rows)"
    rows = [
        (f"generate ({label}): {size}", f"{generated:.1f} s"),
        (f"status query ({label})", f"{status_s * 1000:.0f} ms"),
        (f"`ecom-privacy status --format json`, whole command in a new process ({label})",
         f"{command_s:.2f} s wall, {command_cpu:.2f} s CPU"),
        ("for comparison: only importing the CLI (`python -c 'import automation.cli'`)", f"{import_cpu:.2f} s CPU"),
        (f"recording one more run of {args.stores} stores into that year ({label}): open, record, close",
         f"{record_s * 1000:.0f} ms"),
        (f"history timeline of one store over the year ({label})", f"{one_store_s * 1000:.0f} ms"),
        (f"history timeline of the whole fleet over the year ({label})", f"{fleet_s:.2f} s"),
        (f"the same with every result for the HTML page ({label})", f"{page_s:.2f} s"),
    ]
    for name, value in rows:
        print(f"{name}: {value}", flush=True)
    verdict = "met" if status_s < TARGET_STATUS_S else "MISSED"
    rows.append((f"target: status under {TARGET_STATUS_S:.0f} s ({label})", verdict))
    rows.append((f"target: the whole `status` command under {TARGET_STATUS_S:.0f} s ({label})",
                 command_verdict(command_s, command_cpu)))
    return rows


def measure_overhead(args: argparse.Namespace, work: Path) -> list[tuple[str, str]]:
    seed = {"generate": {"count": args.overhead_stores}}
    with MockServer(seed) as server:
        fleet, env = (Path(p) for p in write_fleet(server.world, server.url, work / "fleet" / "fleet.yaml"))
        http_json(f"{server.url}/__mock__/faults", {"latency_ms": args.latency_ms})
        sessions, runs, db = work / "sessions", work / "plan-runs", work / "overhead.sqlite3"
        subprocess.run(tool("apply", fleet, env, sessions, runs, args.parallelism, "--auto-approve", "--no-history"),
                       cwd=ROOT, capture_output=True, check=True)
        variants = {"off": ["--no-history"], "on": ["--db", f"sqlite:///{db}"]}
        walls: dict[str, list[float]] = {"off": [], "on": []}
        # ABBA order (off, on, on, off, ...), so a drift of the machine's load hits both alike.
        order = [name for index in range(args.repeats) for name in (("off", "on") if index % 2 == 0 else ("on", "off"))]
        for name in order:
            began = time.perf_counter()
            done = subprocess.run(tool("plan", fleet, env, sessions, runs, args.parallelism, *variants[name]),
                                  cwd=ROOT, capture_output=True, text=True, check=False)
            walls[name].append(time.perf_counter() - began)
            print(f"  no-op plan, history {name}: {walls[name][-1]:.2f} s", flush=True)
            if done.returncode != 0:
                raise SystemExit(f"the no-op plan exited {done.returncode}: {done.stderr[-2000:]}")
        plan_dir = sorted(path for path in runs.iterdir() if (path / "plan.json").is_file())[-1]
        document = RunDocument.model_validate_json((plan_dir / "plan.json").read_text(encoding="utf-8"))

    def record_once() -> None:  # a new database file each time: the first run's migration cost included
        fresh = work / f"record-{time.perf_counter_ns()}.sqlite3"
        engine = open_database(f"sqlite:///{fresh}")
        record_run(engine, document, plan_dir, recorded_at=datetime.now(UTC))
        engine.dispose()

    def record_existing() -> None:
        engine = open_database(f"sqlite:///{db}")
        record_run(engine, document.model_copy(update={"created_at": datetime.now(UTC).isoformat()}), plan_dir,
                   recorded_at=datetime.now(UTC))
        engine.dispose()

    off, on = statistics.median(walls["off"]), statistics.median(walls["on"])
    step_new, step = median_time(record_once, args.tries), median_time(record_existing, args.tries)
    size = f"{args.overhead_stores} stores, {args.latency_ms} ms latency, parallelism {args.parallelism}, warm " \
           f"session cache, median of {args.repeats} each"
    rows = [
        (f"no-op plan, history off ({size})", f"{off:.2f} s"),
        (f"no-op plan, history on SQLite ({size})", f"{on:.2f} s ({(on - off) / off * 100:+.1f}%)"),
        (f"recording step alone: open the existing database and record a {len(document.stores)}-store plan",
         f"{step * 1000:.0f} ms ({step / off * 100:.1f}% of the plan)"),
        ("recording step alone, first run (creates and migrates the database)", f"{step_new * 1000:.0f} ms"),
    ]
    for name, value in rows:
        print(f"{name}: {value}", flush=True)
    return rows


def write_results(rows: list[tuple[str, str]], args: argparse.Namespace) -> None:
    """Its own section of results.md; rows measured again replace theirs, the others are kept."""
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    stamp = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load {load}"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else "# Benchmark results\n"
    table: dict[str, tuple[str, str]] = {}
    if BEGIN in text and END in text:
        for line in text[text.index(BEGIN):text.index(END)].splitlines():
            cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
            if line.startswith("| ") and len(cells) == 3 and cells[0] not in ("measurement",):
                table[cells[0]] = (cells[1], cells[2])
    table.update({name: (value, stamp) for name, value in rows})
    section = [BEGIN, "", "## Run history benchmark", "",
               f"Written by `python -m benchmarks.history` on {os.cpu_count()} CPU(s), CPython "
               f"{platform.python_version()}; the machine is shared, so the load average is given per row. Wall "
               "times on a loaded machine are upper bounds; CPU times suffer less from the load but not nothing "
               "(the same command measured 0.92 to 1.54 s CPU within minutes).", "",
               "| measurement | result | measured |", "|---|---|---|",
               *(f"| {name} | {value} | {when} |" for name, (value, when) in table.items()), "", END]
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + "\n".join(section) + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(section) + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    print(f"wrote {RESULTS}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=100, help="stores in the generated year (default 100)")
    parser.add_argument("--nights", type=int, default=365, help="nightly runs generated (default 365)")
    parser.add_argument("--tries", type=int, default=5, help="tries per timing, the median is reported (default 5)")
    parser.add_argument("--postgres", action="store_true",
                        help="also on a throw-away PostgreSQL server (Debian's postgresql package)")
    parser.add_argument("--overhead-stores", type=int, default=10, help="fleet size of the overhead runs (default 10)")
    parser.add_argument("--latency-ms", type=int, default=100, help="injected latency per request (default 100)")
    parser.add_argument("--parallelism", type=int, default=4, help="parallelism of the plans (default 4)")
    parser.add_argument("--repeats", type=int, default=3, help="plans per variant (default 3)")
    parser.add_argument("--no-overhead", action="store_true", help="skip the plan runs")
    parser.add_argument("--no-status", action="store_true", help="skip the generated year")
    parser.add_argument("--no-write", action="store_true", help="print only; leave benchmarks/results.md alone")
    args = parser.parse_args(argv)
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="ecom-privacy-history-bench-") as tmp:
        work = Path(tmp)
        if not args.no_status:
            rows += measure_status(f"sqlite:///{work / 'year.sqlite3'}", "SQLite", args, work)
        if args.postgres and not args.no_status:
            from tests.postgres import running_postgres

            with running_postgres() as server:
                rows += measure_status(server.create_database("history_bench"), "PostgreSQL", args, work)
        if not args.no_overhead:
            rows += measure_overhead(args, work)
    if not args.no_write:
        write_results(rows, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
