"""Timing and memory helpers shared by the benchmark scripts."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median wall time of ``repeats`` calls of ``fn``, and the last result."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def peak_mib(fn: Callable[[], Any]) -> float:
    """Peak memory traced by ``tracemalloc`` during one call of ``fn``, in MiB."""
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def fresh_process(script: str, args: list[str]) -> dict[str, Any]:
    """Run ``script --worker *args`` in a new Python process (two BLAS threads unless
    ``OMP_NUM_THREADS`` says otherwise) and return the JSON its last line prints."""
    command = [sys.executable, script, "--worker", *args]
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "2")}
    out = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def scale_rows(rows: list[dict[str, Any]], unit: str) -> list[str]:
    """Table lines of in-memory and in-parts runs: time, time per million, peak and audit
    memory (``seconds``, ``rows``, ``peak_mib``, ``base_mib`` and ``mode`` of each run)."""
    lines = [f"{'path':<24} {unit:>11} {'time s':>8} {'s / M':>7} {'peak MiB':>9} {'audit MiB':>9}"]
    for r in rows:
        name = "in memory (pandas)" if r["mode"] == "memory" else "in parts (Dask, 250k)"
        per = r["seconds"] / (r["rows"] / 1e6)
        lines.append(
            f"{name:<24} {r['rows']:>11,} {r['seconds']:>8.1f} {per:>7.2f} "
            f"{r['peak_mib']:>9.0f} {r['peak_mib'] - r['base_mib']:>9.0f}"
        )
    return lines
