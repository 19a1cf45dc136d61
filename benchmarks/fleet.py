"""Benchmark of a fleet run: the no-op plan against a naive baseline and the HTTP floor. Measures, never asserts.

    python -m benchmarks.fleet                       # 100 stores, 100 ms latency, parallelism 1, 4, 8
    python -m benchmarks.fleet --stores 10 --parallelism 4 --no-naive     # a quick look
    python -m benchmarks.fleet --convergence --stores 8 --latency-ms 20   # converged after 1, 2, 3 applies
                                                                          # under faults (benchmarks/convergence.py)

It starts the mock backoffice with N generated stores and the injected latency, applies once so every
store is compliant, then measures in one go:
- the tool's no-op `plan` (a real `python -m automation plan` process) at each parallelism, first with an
  empty session cache (cold: every store logs in) and then again with the cache it filled (warm);
- the naive baseline (benchmarks/naive.py: a new browser per store, one store after the other, a login
  every time);
- the fair floor (benchmarks/floor.py: with urllib and no browser, the login chain when cold and each JSON
  twin the tool's warm no-op plan read, once).
Each plan runs with light admin pages (the mock's own, a few KiB) and with realistic ones (the mock's
`page_weight_kb` and `script_cpu_ms` faults: 1,500 KiB of script and 150 ms of main-thread time per admin
page, as the real backoffice's pages load).
For each it prints wall time, stores per minute, the ratios, the requests per store from the mock's access
log (documents, JSON, scripts and styles, other assets) beside the floor's, the password and code
submissions per store (from the run's own report: logins per store, 0 when cached sessions were reused) and
the peak memory of the whole process tree (RSS of the process and all its children, sampled every 100 ms;
shared pages are counted in every process, so this is an upper bound), and writes the table to
benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

from automation.access.secrets import load_environment, resolve_secrets
from automation.fleet.composition import read_fleet
from benchmarks import convergence
from benchmarks.floor import KINDS, FloorClient, RequestSplit, StoreLogin, floor_reads, run_floor
from mock_backoffice import MockServer, write_fleet
from tests.support import http_json

ROOT = Path(__file__).resolve().parents[1]
#: the tool's processes run as an installed tool does: pip compiles its bytecode at install, so a shell's
#: PYTHONDONTWRITEBYTECODE (set in some containers) would only add ~0.2 s of compiling to every run measured
TOOL_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
EXTRA_TOOL_ARGS: list[str] = []
TARGET_PEAK_MIB = 1536.0
#: issue #21: at parallelism 4, a warm no-op plan within 2x the fair floor, a cold one within 1.5x, and no more
#: than 1.2x the floor's requests per store; peak RSS at parallelism 8 under 1.5 GiB
TARGET_WARM_X_FLOOR = 2.0
TARGET_COLD_X_FLOOR = 1.5
TARGET_REQUESTS_X_FLOOR = 1.2


@dataclass
class Measurement:
    name: str
    parallelism: int | None
    cache: str
    wall_s: float
    peak_mib: float | None
    stores: int
    peak_pss_mib: float | None = None
    #: password and code submissions per store, from the run's own report (None: not a run of the tool)
    passwords_per_store: float | None = None
    codes_per_store: float | None = None
    #: `light` (the mock's own pages) or `realistic` (page_weight_kb, script_cpu_ms); "" for the floor
    weight: str = ""
    #: requests per store, by kind, from the mock's access log
    split: RequestSplit | None = None
    #: at the RSS peak, MiB by kind of process
    peak_parts: dict[str, float] = field(default_factory=dict)
    #: the access log of the run (the floor reads the twins the warm plan read)
    records: list[dict[str, object]] = field(default_factory=list, repr=False)

    @property
    def per_minute(self) -> float:
        return self.stores / self.wall_s * 60 if self.wall_s else 0.0


class PeakMemory:
    """Samples the memory of a process and all its children in a thread; keeps the peak of their sums.

    RSS counts the pages Chromium's processes share once per process, so its sum overstates what the tree
    really uses; PSS (proportional set size) splits shared pages between the processes that share them.
    Both are kept: RSS is what was asked for, PSS is closer to what the machine gives up.
    """

    def __init__(self, pid: int, interval_s: float = 0.1) -> None:
        self.root = psutil.Process(pid)
        self.interval_s = interval_s
        self.peak_bytes = 0
        self.peak_pss_bytes = 0
        #: at the RSS peak: MiB by kind of process (`python`, `driver`, `chromium: renderer`, ...)
        self.peak_parts: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            total = pss = 0
            parts: dict[str, float] = {}
            counts: dict[str, int] = {}
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for process in processes:
                try:
                    info = process.memory_full_info()
                    kind = process_kind(process.name(), process.cmdline())
                except psutil.Error:  # a child that just ended
                    continue
                total += info.rss
                pss += getattr(info, "pss", info.rss)
                parts[kind] = parts.get(kind, 0) + info.rss / 2**20
                counts[kind] = counts.get(kind, 0) + 1
            if total > self.peak_bytes:
                self.peak_parts = {f"{kind} x{counts[kind]}": mib for kind, mib in parts.items()}
            self.peak_bytes = max(self.peak_bytes, total)
            self.peak_pss_bytes = max(self.peak_pss_bytes, pss)
            self._stop.wait(self.interval_s)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mib(self) -> float:
        return self.peak_bytes / 2**20

    @property
    def peak_pss_mib(self) -> float:
        return self.peak_pss_bytes / 2**20


def process_kind(name: str, cmdline: list[str]) -> str:
    """What a process of the tree is, for the memory breakdown: the tool's Python, Playwright's driver (node),
    Chromium's browser process, or one of its helpers by `--type` (renderer, gpu-process, utility, zygote)."""
    if "python" in name:
        return "python"
    if name == "node" or any(part.endswith(("cli.js", "playwright")) for part in cmdline[:3]):
        return "driver"
    kind = next((part.split("=", 1)[1] for part in cmdline if part.startswith("--type=")), "browser")
    return f"chromium {kind}"


def login_counts(runs: Path) -> tuple[float, float] | None:
    """Password and code submissions per store of the newest run below `runs`, as its report counts them."""
    reports = sorted(runs.glob("*/report.json")) or sorted(runs.glob("*/plan.json"))
    if not reports:
        return None
    stores = json.loads(reports[-1].read_text(encoding="utf-8")).get("stores", [])
    if not stores:
        return None
    passwords = sum(store.get("logins", {}).get("password", 0) for store in stores)
    codes = sum(store.get("logins", {}).get("code", 0) for store in stores)
    return passwords / len(stores), codes / len(stores)


class AccessLog:
    """The mock's access log (`/__mock__/requests`): emptied before a run, read after it."""

    def __init__(self, mock_url: str) -> None:
        self.mock_url = mock_url

    def clear(self) -> None:
        http_json(f"{self.mock_url}/__mock__/requests/clear", {})

    def records(self) -> list[dict[str, object]]:
        return http_json(f"{self.mock_url}/__mock__/requests")["requests"]


def measure_process(name: str, argv: list[str], stores: int, parallelism: int | None, cache: str,
                    expect: tuple[int, ...] = (0,), runs: Path | None = None, log: AccessLog | None = None,
                    weight: str = "") -> Measurement:
    if log is not None:
        log.clear()
    started = time.monotonic()
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=TOOL_ENV)
    with PeakMemory(process.pid) as memory:
        out, err = process.communicate()
    wall = time.monotonic() - started
    if process.returncode not in expect:
        raise SystemExit(f"{name}: exit {process.returncode} (expected {expect})\n{out[-2000:]}\n{err[-4000:]}")
    result = Measurement(name, parallelism, cache, wall, memory.peak_mib, stores, memory.peak_pss_mib, weight=weight,
                         peak_parts=dict(memory.peak_parts))
    if log is not None:
        result.records = log.records()
        result.split = RequestSplit.of(result.records, stores)
    counted = login_counts(runs) if runs is not None else None
    if counted is not None:
        result.passwords_per_store, result.codes_per_store = counted
    print(f"  {name:<28} {weight:<9} p={parallelism or '-':<3} cache={cache:<5} {wall:7.1f} s  "
          f"{result.per_minute:7.1f} stores/min  peak RSS {memory.peak_mib:6.0f} MiB, "
          f"PSS {memory.peak_pss_mib:6.0f} MiB" + (f", logins per store: {counted[0]:.2f} password(s), "
                                                  f"{counted[1]:.2f} code(s)" if counted else "")
          + (f"\n  {'':<28} {result.split.describe()}" if result.split else "")
          + (f"\n  {'':<28} at the RSS peak: " + ", ".join(f"{kind} {mib:.0f} MiB" for kind, mib in
                                                          sorted(memory.peak_parts.items())) if memory.peak_parts
             else ""), flush=True)
    return result


def tool(command: str, fleet: Path, env: Path, session_dir: Path, runs: Path, parallelism: int,
         *extra: str) -> list[str]:
    return [sys.executable, "-m", "automation", command, "-c", str(fleet), "--env-file", str(env),
            "--parallelism", str(parallelism), "--session-dir", str(session_dir), "--artifacts-dir", str(runs),
            "--log-format", "json", *extra, *EXTRA_TOOL_ARGS]


def floor_clients(fleet_file: Path, env_file: Path, reads: dict[str, list[str]]) -> list[FloorClient]:
    """One client per store, reading the twins the tool's warm no-op plan read for that store."""
    fleet = read_fleet(fleet_file)
    env = load_environment(env_file)
    clients = []
    for store in fleet.stores:
        secrets = resolve_secrets(store, env, env_file)
        client = FloorClient(StoreLogin(store.id, store.backoffice_url, secrets.email, secrets.password,
                                        secrets.totp_secret))
        client.reads = reads.get(store.id, [])
        clients.append(client)
    return clients


def measure_floor(fleet_file: Path, env_file: Path, parallelism: int, stores: int, reads: dict[str, list[str]],
                  log: AccessLog) -> list[Measurement]:
    clients = floor_clients(fleet_file, env_file, reads)
    results = []
    for cache, cold in (("cold", True), ("warm", False)):
        log.clear()
        started = time.monotonic()
        run_floor(clients, parallelism, cold)
        result = Measurement("floor (urllib, no browser)", parallelism, cache, time.monotonic() - started, None,
                             stores, split=RequestSplit.of(log.records(), stores))
        print(f"  {result.name:<28} {'':<9} p={parallelism:<3} cache={cache:<5} {result.wall_s:7.1f} s  "
              f"{result.per_minute:7.1f} stores/min\n  {'':<28} {result.split.describe()}", flush=True)
        results.append(result)
    return results


def _ratio(value: float, floor: float) -> str:
    return f"{value / floor:.2f}" if floor else ""


def table(results: list[Measurement], args: argparse.Namespace) -> str:
    naive = next((r for r in results if r.name.startswith("naive")), None)
    floors = {(r.parallelism, r.cache): r for r in results if r.name.startswith("floor")}
    kinds = " / ".join(kind.replace("_", " and ") for kind in KINDS)
    lines = [
        f"Fleet benchmark, {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}: {args.stores} stores, "
        f"{args.latency_ms} ms injected latency per request, {psutil.cpu_count()} CPU(s), "
        f"{platform.python_implementation()} {platform.python_version()}, load average (1/5/15 min) at start "
        f"{args.load_at_start}, at the end {args.load_at_end}. Page weight: light = the mock's own admin pages, "
        f"realistic = {args.page_weight_kb} KiB of script and {args.script_cpu_ms} ms of main-thread time per "
        f"admin page.",
        "",
        f"| run | page weight | parallelism | session cache | wall (s) | stores/min | x floor | requests per store "
        f"({kinds}) | x floor's requests | peak RSS sum (MiB) | peak PSS sum (MiB) | speed-up vs naive "
        f"| passwords per store | codes per store |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        speedup = f"{naive.wall_s / r.wall_s:.1f}x" if naive and not r.name.startswith(("naive", "floor")) else ""
        floor = floors.get((r.parallelism, r.cache))
        theirs = floor is not None and not r.name.startswith("floor")
        versus_floor = _ratio(r.wall_s, floor.wall_s) if theirs else ""
        requests = (f"{r.split.per_store():.1f} (" + " / ".join(f"{r.split.per_store(k):.1f}" for k in KINDS) + ")"
                    if r.split else "")
        versus_requests = (_ratio(r.split.per_store(), floor.split.per_store())
                           if theirs and r.split and floor.split else "")
        peak = f"{r.peak_mib:.0f}" if r.peak_mib is not None else ""
        pss = f"{r.peak_pss_mib:.0f}" if r.peak_pss_mib is not None else ""
        passwords = f"{r.passwords_per_store:.2f}" if r.passwords_per_store is not None else ""
        codes = f"{r.codes_per_store:.2f}" if r.codes_per_store is not None else ""
        lines.append(f"| {r.name} | {r.weight} | {r.parallelism or 1} | {r.cache} | {r.wall_s:.1f} | "
                     f"{r.per_minute:.1f} | {versus_floor} | {requests} | {versus_requests} | {peak} | {pss} | "
                     f"{speedup} | {passwords} | {codes} |")
    lines += ["", f"Targets (issue #21; {args.stores} stores, {args.latency_ms} ms latency):"]
    for r in results:
        floor = floors.get((r.parallelism, r.cache))
        if not r.name.startswith("plan") or floor is None:
            continue
        if r.parallelism == 4:
            target = TARGET_WARM_X_FLOOR if r.cache == "warm" else TARGET_COLD_X_FLOOR
            ratio = r.wall_s / floor.wall_s
            lines.append(f"- p4, {r.cache}, {r.weight} pages: {ratio:.2f}x the floor's wall time (target <= "
                         f"{target:.1f}x) -> {'met' if ratio <= target else 'MISSED'}")
        if r.split and floor.split and floor.split.per_store():
            ratio = r.split.per_store() / floor.split.per_store()
            lines.append(f"- p{r.parallelism}, {r.cache}, {r.weight} pages: {ratio:.2f}x the floor's requests per "
                         f"store (target <= {TARGET_REQUESTS_X_FLOOR:.1f}x) -> "
                         f"{'met' if ratio <= TARGET_REQUESTS_X_FLOOR else 'MISSED'}")
    for r in results:
        if r.name.startswith("plan") and r.parallelism == 8 and r.peak_mib is not None:
            lines.append(f"- p8, {r.cache}, {r.weight} pages: peak RSS sum {r.peak_mib:.0f} MiB (target < "
                         f"{TARGET_PEAK_MIB:.0f}) -> {'met' if r.peak_mib < TARGET_PEAK_MIB else 'MISSED'}")
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fleet", description=__doc__.split("\n")[0])
    parser.add_argument("--stores", type=int, default=100, help="generated stores (default 100)")
    parser.add_argument("--latency-ms", type=int, default=100, help="injected latency per request (default 100)")
    parser.add_argument("--parallelism", default="1,4,8", help="comma-separated list (default 1,4,8)")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive baseline (the slowest part)")
    parser.add_argument("--no-floor", action="store_true", help="skip the urllib floor")
    parser.add_argument("--weights", default="light,realistic",
                        help="page weights to run the plans with, comma-separated: light, realistic (default both)")
    parser.add_argument("--page-weight-kb", type=int, default=1500,
                        help="realistic page weight: KiB of script per admin page (default 1500)")
    parser.add_argument("--script-cpu-ms", type=int, default=150,
                        help="realistic page weight: main-thread ms per admin page (default 150)")
    parser.add_argument("--shards", type=int, default=0, metavar="N",
                        help="instead: N shard processes at once vs one process, and the merge (benchmarks/shards.py); "
                             "parallelism per process: the first of --parallelism")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.md",
                        help="Markdown file for the table (default benchmarks/results.md)")
    convergence.add_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.convergence:
        return convergence.main(args)
    args.load_at_start = " / ".join(f"{value:.1f}" for value in psutil.getloadavg())
    levels = [int(part) for part in args.parallelism.split(",") if part.strip()]
    results: list[Measurement] = []
    with tempfile.TemporaryDirectory(prefix="ecom-privacy-bench-") as scratch, \
            MockServer({"generate": {"count": args.stores}}) as server:
        work = Path(scratch)
        # Every run is recorded, as in production, in a history of its own (never the user's database).
        EXTRA_TOOL_ARGS[:] = ["--db", f"sqlite:///{work / 'history.sqlite3'}"]
        fleet, env = (Path(p) for p in write_fleet(server.world, server.url, work / "fleet.yaml"))
        http_json(f"{server.url}/__mock__/faults", {"latency_ms": args.latency_ms})
        log = AccessLog(server.url)
        print(f"mock: {args.stores} stores at {server.url}, {args.latency_ms} ms latency; making them compliant",
              flush=True)
        measure_process("apply (setup, not a target)", tool("apply", fleet, env, work / "setup-sessions",
                                                            work / "runs", max(levels), "--auto-approve"),
                        args.stores, max(levels), "cold")
        if args.shards:  # the sharded comparison alone (benchmarks/shards.py), into its own section of --out
            from benchmarks.shards import run_shards_benchmark, write_section

            markdown = run_shards_benchmark(args, fleet, env, work)
            print(f"\n{markdown}")
            write_section(args.out, markdown)
            print(f"written to {args.out}")
            return 0
        weights = {"light": (0, 0), "realistic": (args.page_weight_kb, args.script_cpu_ms)}
        floors_measured: set[int] = set()
        for weight in [part.strip() for part in args.weights.split(",") if part.strip()]:
            if weight not in weights:
                raise SystemExit(f"--weights: {weight!r} is not one of {', '.join(weights)}")
            kb, ms = weights[weight]
            http_json(f"{server.url}/__mock__/faults", {"latency_ms": args.latency_ms, "page_weight_kb": kb,
                                                        "script_cpu_ms": ms})
            for level in levels:
                sessions = work / f"sessions-{weight}-{level}"
                plans = []
                for cache in ("cold", "warm"):
                    runs = work / f"runs-{weight}-{level}-{cache}"  # one run per folder: its report gives the logins
                    plans.append(measure_process("plan (no-op)", tool("plan", fleet, env, sessions, runs, level),
                                                 args.stores, level, cache, runs=runs, log=log, weight=weight))
                results += plans
                if not args.no_floor and level not in floors_measured:  # the floor renders nothing: no weight
                    floors_measured.add(level)
                    results += measure_floor(fleet, env, level, args.stores, floor_reads(plans[-1].records), log)
        if not args.no_naive:
            results.append(measure_process("naive (browser per store)",
                                           [sys.executable, "-m", "benchmarks.naive", str(fleet), str(env)],
                                           args.stores, None, "none"))
    args.load_at_end = " / ".join(f"{value:.1f}" for value in psutil.getloadavg())
    markdown = table(results, args)
    print()
    print(markdown)
    # The other benchmarks (shards, convergence, history) keep their own sections (## headings) of the same file:
    # carried over, not overwritten.
    kept = ""
    if args.out.is_file() and "\n## " in (previous := args.out.read_text(encoding="utf-8")):
        kept = previous[previous.index("\n## "):]
    args.out.write_text("# Fleet benchmark results\n\nWritten by `python -m benchmarks.fleet` (`make bench`).\n\n"
                        + markdown + kept, encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
