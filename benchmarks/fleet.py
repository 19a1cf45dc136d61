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
- the floor (benchmarks/floor.py: the same backoffice requests with urllib, no browser).
For each it prints wall time, stores per minute, the ratios, the password and code submissions per store
(from the run's own report: logins per store, 0 when cached sessions were reused) and the peak memory of
the whole process tree (RSS of the process and all its children, sampled every 100 ms; shared pages are counted in every
process, so this is an upper bound), and writes the table to benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil

from automation.access.secrets import load_environment, resolve_secrets
from automation.fleet.composition import read_fleet
from benchmarks import convergence
from benchmarks.floor import FloorClient, StoreLogin, run_floor
from mock_backoffice import MockServer, write_fleet
from tests.support import http_json

ROOT = Path(__file__).resolve().parents[1]
EXTRA_TOOL_ARGS: list[str] = []
TARGET_WALL_S = 60.0
TARGET_SPEEDUP = 4.0
TARGET_PEAK_MIB = 1536.0


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
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            total = pss = 0
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for process in processes:
                try:
                    info = process.memory_full_info()
                except psutil.Error:  # a child that just ended
                    continue
                total += info.rss
                pss += getattr(info, "pss", info.rss)
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


def measure_process(name: str, argv: list[str], stores: int, parallelism: int | None, cache: str,
                    expect: tuple[int, ...] = (0,), runs: Path | None = None) -> Measurement:
    started = time.monotonic()
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with PeakMemory(process.pid) as memory:
        out, err = process.communicate()
    wall = time.monotonic() - started
    if process.returncode not in expect:
        raise SystemExit(f"{name}: exit {process.returncode} (expected {expect})\n{out[-2000:]}\n{err[-4000:]}")
    result = Measurement(name, parallelism, cache, wall, memory.peak_mib, stores, memory.peak_pss_mib)
    counted = login_counts(runs) if runs is not None else None
    if counted is not None:
        result.passwords_per_store, result.codes_per_store = counted
    print(f"  {name:<28} p={parallelism or '-':<3} cache={cache:<5} {wall:7.1f} s  "
          f"{result.per_minute:7.1f} stores/min  peak RSS {memory.peak_mib:6.0f} MiB, "
          f"PSS {memory.peak_pss_mib:6.0f} MiB" + (f", logins per store: {counted[0]:.2f} password(s), "
                                                  f"{counted[1]:.2f} code(s)" if counted else ""), flush=True)
    return result


def tool(command: str, fleet: Path, env: Path, session_dir: Path, runs: Path, parallelism: int,
         *extra: str) -> list[str]:
    return [sys.executable, "-m", "automation", command, "-c", str(fleet), "--env-file", str(env),
            "--parallelism", str(parallelism), "--session-dir", str(session_dir), "--artifacts-dir", str(runs),
            "--log-format", "json", *extra, *EXTRA_TOOL_ARGS]


def floor_clients(fleet_file: Path, env_file: Path) -> list[FloorClient]:
    fleet = read_fleet(fleet_file)
    env = load_environment(env_file)
    clients = []
    for store in fleet.stores:
        secrets = resolve_secrets(store, env, env_file)
        clients.append(FloorClient(StoreLogin(store.backoffice_url, secrets.email, secrets.password)))
    return clients


def measure_floor(fleet_file: Path, env_file: Path, parallelism: int, stores: int) -> list[Measurement]:
    clients = floor_clients(fleet_file, env_file)
    results = []
    for cache, cold in (("cold", True), ("warm", False)):
        started = time.monotonic()
        run_floor(clients, parallelism, cold)
        result = Measurement("floor (urllib, no browser)", parallelism, cache, time.monotonic() - started, None,
                             stores)
        print(f"  {result.name:<28} p={parallelism:<3} cache={cache:<5} {result.wall_s:7.1f} s  "
              f"{result.per_minute:7.1f} stores/min", flush=True)
        results.append(result)
    return results


def table(results: list[Measurement], args: argparse.Namespace) -> str:
    naive = next((r for r in results if r.name.startswith("naive")), None)
    floors = {(r.parallelism, r.cache): r for r in results if r.name.startswith("floor")}
    lines = [
        f"Fleet benchmark, {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}: {args.stores} stores, "
        f"{args.latency_ms} ms injected latency per request, {psutil.cpu_count()} CPU(s), "
        f"{platform.python_implementation()} {platform.python_version()}, load average at start "
        f"{args.load_at_start}.",
        "",
        "| run | parallelism | session cache | wall (s) | stores/min | peak RSS sum (MiB) | peak PSS sum (MiB) "
        "| speed-up vs naive | x floor | passwords per store | codes per store |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        speedup = f"{naive.wall_s / r.wall_s:.1f}x" if naive and not r.name.startswith(("naive", "floor")) else ""
        floor = floors.get((r.parallelism, r.cache))
        versus_floor = f"{r.wall_s / floor.wall_s:.1f}" if floor and not r.name.startswith("floor") else ""
        peak = f"{r.peak_mib:.0f}" if r.peak_mib is not None else ""
        pss = f"{r.peak_pss_mib:.0f}" if r.peak_pss_mib is not None else ""
        passwords = f"{r.passwords_per_store:.2f}" if r.passwords_per_store is not None else ""
        codes = f"{r.codes_per_store:.2f}" if r.codes_per_store is not None else ""
        lines.append(f"| {r.name} | {r.parallelism or 1} | {r.cache} | {r.wall_s:.1f} | {r.per_minute:.1f} | "
                     f"{peak} | {pss} | {speedup} | {versus_floor} | {passwords} | {codes} |")
    plans = [r for r in results if r.name.startswith("plan")]
    if plans:
        best = min(plans, key=lambda r: r.wall_s)
        default = [r for r in plans if r.parallelism == 4]
        peak = max(r.peak_mib or 0 for r in plans)
        peak_pss = max(r.peak_pss_mib or 0 for r in plans)
        lines += ["", f"Targets ({args.stores} stores, {args.latency_ms} ms): "
                      f"no-op plan within {TARGET_WALL_S:.0f} s, at least {TARGET_SPEEDUP:.0f}x faster than naive, "
                      f"peak memory under {TARGET_PEAK_MIB / 1024:.1f} GiB."]
        lines.append(f"- fastest no-op plan: {best.wall_s:.1f} s (parallelism {best.parallelism}, {best.cache} cache)"
                     f" -> {'met' if best.wall_s <= TARGET_WALL_S else 'MISSED'}")
        for r in default:
            lines.append(f"- default parallelism 4, {r.cache} cache: {r.wall_s:.1f} s"
                         f" -> {'met' if r.wall_s <= TARGET_WALL_S else 'MISSED'}")
        if naive:
            lines.append(f"- speed-up of the fastest plan over naive: {naive.wall_s / best.wall_s:.1f}x"
                         f" -> {'met' if naive.wall_s / best.wall_s >= TARGET_SPEEDUP else 'MISSED'}")
        lines.append(f"- peak memory of any plan: RSS sum {peak:.0f} MiB -> "
                     f"{'met' if peak < TARGET_PEAK_MIB else 'MISSED'} (PSS sum {peak_pss:.0f} MiB -> "
                     f"{'met' if peak_pss < TARGET_PEAK_MIB else 'MISSED'})")
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fleet", description=__doc__.split("\n")[0])
    parser.add_argument("--stores", type=int, default=100, help="generated stores (default 100)")
    parser.add_argument("--latency-ms", type=int, default=100, help="injected latency per request (default 100)")
    parser.add_argument("--parallelism", default="1,4,8", help="comma-separated list (default 1,4,8)")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive baseline (the slowest part)")
    parser.add_argument("--no-floor", action="store_true", help="skip the urllib floor")
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
        for level in levels:
            sessions = work / f"sessions-{level}"
            for cache in ("cold", "warm"):
                runs = work / f"runs-{level}-{cache}"  # one run per folder: its report gives the login counts
                results.append(measure_process("plan (no-op)", tool("plan", fleet, env, sessions, runs, level),
                                               args.stores, level, cache, runs=runs))
            if not args.no_floor:
                results += measure_floor(fleet, env, level, args.stores)
        if not args.no_naive:
            results.append(measure_process("naive (browser per store)",
                                           [sys.executable, "-m", "benchmarks.naive", str(fleet), str(env)],
                                           args.stores, None, "none"))
    markdown = table(results, args)
    print()
    print(markdown)
    # benchmarks/history.py keeps its own section of the same file: carried over, not overwritten.
    kept = ""
    if args.out.is_file() and "<!-- history benchmark: begin -->" in (previous := args.out.read_text(encoding="utf-8")):
        kept = "\n" + previous[previous.index("<!-- history benchmark: begin -->"):]
    args.out.write_text("# Fleet benchmark results\n\nWritten by `python -m benchmarks.fleet` (`make bench`).\n\n"
                        + markdown + kept, encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
