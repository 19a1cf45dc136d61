"""`python -m benchmarks.fleet --shards N`: N shard processes at once against one process, and the merge.

Same mock, same stores (made compliant first), a no-op `plan` with an empty session cache each time:
- one process at the given parallelism P;
- one process at parallelism N x P (as many stores at once as the N shards together);
- N shard processes (`--shard K/N`, parallelism P each) started together, timed until the last one ends;
- `report merge` of the N run directories.
Measures, never asserts. On one machine the shards share its CPUs with each other, so they cannot beat
one process: sharding pays off when the shards run on different machines (or against a browser farm).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

from benchmarks.fleet import ROOT, Measurement, PeakMemory, measure_process, tool

SECTION = "## Sharded runs"


def measure_shards(fleet: Path, env: Path, work: Path, stores: int, total: int, parallelism: int) -> Measurement:
    """N shard processes at once; wall time until the last ends; memory: the sum of each one's peak."""
    started = time.monotonic()
    processes = []
    for index in range(1, total + 1):
        argv = tool("plan", fleet, env, work / f"shard-sessions-{index}", work / f"shard-runs-{index}", parallelism,
                    "--shard", f"{index}/{total}")
        process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        processes.append((process, PeakMemory(process.pid).__enter__()))
    for process, memory in processes:
        out, err = process.communicate()
        memory.__exit__()
        if process.returncode != 0:
            raise SystemExit(f"shard: exit {process.returncode}\n{out[-2000:]}\n{err[-4000:]}")
    wall = time.monotonic() - started
    peak = sum(memory.peak_mib for _, memory in processes)
    pss = sum(memory.peak_pss_mib for _, memory in processes)
    result = Measurement(f"plan (no-op), {total} shards at once", parallelism, "cold", wall, peak, stores, pss)
    print(f"  {result.name:<28} p={parallelism:<3} each  {wall:7.1f} s  {result.per_minute:7.1f} stores/min  "
          f"peak RSS (sum of the shards' peaks) {peak:6.0f} MiB", flush=True)
    return result


def measure_merge(work: Path, total: int) -> float:
    run_dirs = [str(next((work / f"shard-runs-{index}").iterdir())) for index in range(1, total + 1)]
    started = time.monotonic()
    process = subprocess.run([sys.executable, "-m", "automation", "report", "merge", *run_dirs, "--out",
                              str(work / "merged"), "--log-format", "json"], cwd=ROOT, capture_output=True, text=True)
    merge_s = time.monotonic() - started
    if process.returncode != 0:
        raise SystemExit(f"merge: exit {process.returncode}\n{process.stdout[-2000:]}\n{process.stderr[-4000:]}")
    print(f"  report merge of {total} shards: {merge_s:.2f} s", flush=True)
    return merge_s


def shards_table(results: list[Measurement], merge_s: float, args: argparse.Namespace, total: int) -> str:
    lines = [
        f"Sharded runs, {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}: {args.stores} stores, "
        f"{args.latency_ms} ms injected latency per request, {total} shards, {psutil.cpu_count()} CPU(s) shared "
        f"by all processes, load average at start {args.load_at_start}; no-op plan, empty session cache.",
        "",
        "| run | parallelism | wall (s) | stores/min | peak RSS (MiB) | peak PSS (MiB) | merge (s) "
        "| wall incl. merge (s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        sharded = "shards" in r.name
        merge = f"{merge_s:.2f}" if sharded else ""
        with_merge = f"{r.wall_s + merge_s:.1f}" if sharded else f"{r.wall_s:.1f}"
        level = f"{r.parallelism} per shard" if sharded else str(r.parallelism)
        lines.append(f"| {r.name} | {level} | {r.wall_s:.1f} | {r.per_minute:.1f} | {r.peak_mib or 0:.0f} | "
                     f"{r.peak_pss_mib or 0:.0f} | {merge} | {with_merge} |")
    lines += ["", "Peak memory of the shards is the sum of each shard's own peak (an upper bound). The shards "
                  "here share the machine's CPUs with each other: see docs/many-machines.md for what scales where."]
    return "\n".join(lines) + "\n"


def write_section(path: Path, markdown: str) -> None:
    """Replace (or add) the sharded-runs section of results.md, leaving the fleet benchmark's table alone."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Fleet benchmark results\n"
    section = f"{SECTION}\n\nWritten by `python -m benchmarks.fleet --shards N`.\n\n{markdown}"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def run_shards_benchmark(args: argparse.Namespace, fleet: Path, env: Path, work: Path) -> str:
    total, level = args.shards, int(args.parallelism.split(",")[0])
    results = [
        measure_process("plan (no-op), one process", tool("plan", fleet, env, work / "one-sessions", work / "runs",
                                                          level), args.stores, level, "cold"),
        measure_process("plan (no-op), one process", tool("plan", fleet, env, work / "wide-sessions", work / "runs",
                                                          level * total), args.stores, level * total, "cold"),
        measure_shards(fleet, env, work, args.stores, total, level),
    ]
    return shards_table(results, measure_merge(work, total), args, total)
