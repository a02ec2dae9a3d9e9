"""Time and memory against the number of groups: 10, 100, 1,000 and 10,000 groups of one ground.

Workload (issue 26, item 4): a decision log of ``--rows`` rows (100,000 by default) with six
inputs, one ground whose groups are drawn uniformly, outcomes and decisions at random; the
whole audit (``run()``) and the report (``to_html()``) at the default Policy, each size in a
fresh process (peak memory is the process's peak resident set, ``VmHWM``, less what it held
before the audit). Also the two cases the issue saw never finish: six grounds of 25 groups, and
5,000 groups of 4 people. The anchor, measured in the same run, is fairlearn's MetricFrame
(selection rate by group) on the same rows.

A ground of more than 10 groups is not given the all-inputs proxy model (one boosting tree per
group and round); the proxy finding says so, and the single inputs are still ranked.

Run from the repository root::

    .venv/bin/python benchmarks/bench_groups.py
    .venv/bin/python benchmarks/bench_groups.py --groups 10 100 --rows 20000
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd


def _peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _rows(n: int, grounds: dict[str, int], seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({f"x{i}": rng.normal(size=n) for i in range(5)})
    data["kind"] = rng.choice(["a", "b", "c", "d"], n)
    groups = pd.DataFrame(
        {name: np.char.add("g", rng.integers(0, k, n).astype(str)) for name, k in grounds.items()}
    )
    return data, groups


def worker(n: int, grounds: dict[str, int]) -> dict:
    import szai_audit as sa

    data, groups = _rows(n, grounds)
    rng = np.random.default_rng(1)
    y_pred, y_true = rng.integers(0, 2, n), rng.integers(0, 2, n)
    base = _peak_kib()
    t0 = time.perf_counter()
    result = sa.Audit(
        data=data,
        y_pred=y_pred,
        y_true=y_true,
        sensitive={g: g for g in grounds},
        sensitive_data=groups,
        verbose=False,
    ).run(random_state=0)
    run = time.perf_counter() - t0
    t0 = time.perf_counter()
    result.to_html()
    html = time.perf_counter() - t0
    anchor = None
    if len(grounds) == 1:
        from fairlearn.metrics import MetricFrame, selection_rate

        t0 = time.perf_counter()
        MetricFrame(
            metrics=selection_rate,
            y_true=y_true,
            y_pred=y_pred,
            sensitive_features=groups[next(iter(grounds))],
        )
        anchor = time.perf_counter() - t0
    capped = [
        f.ground
        for f in result.findings
        if f.check == "fairness.proxy" and "all_features_not_computed" in f.details
    ]
    return {
        "groups": int(sum(result.fairness.group_metrics[g].counts.shape[0] for g in grounds)),
        "run": run,
        "html": html,
        "stages": result.manifest["stage_seconds"],
        "peak_mib": (_peak_kib() - base) / 1024,
        "anchor": anchor,
        "capped": capped,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, nargs="+", default=[10, 100, 1_000, 10_000])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        spec = json.loads(args.worker)
        print(json.dumps(worker(spec["rows"], spec["grounds"])))
        return
    cases = [(f"1 ground, {k:,} groups", args.rows, {"region": k}) for k in args.groups]
    cases += [
        ("6 grounds of 25 groups", 20_000, {f"g{j}": 25 for j in range(6)}),
        ("5,000 groups of 4 people", 20_000, {"region": 5_000}),
    ]
    print(
        f"{'case':<28} {'rows':>8} {'groups':>7} {'run s':>7} {'report s':>9} "
        f"{'bootstrap':>10} {'proxies':>8} {'peak MiB':>9} {'MetricFrame s':>14}"
    )
    for label, n, grounds in cases:
        spec = json.dumps({"rows": n, "grounds": grounds})
        out = subprocess.run(
            [sys.executable, __file__, "--worker", spec], capture_output=True, text=True
        )
        if out.returncode != 0:
            print(f"{label:<28} failed: {out.stderr[-500:]}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        anchor = "-" if r["anchor"] is None else f"{r['anchor']:.2f}"
        note = f"  all-inputs proxy model not fitted: {r['capped']}" if r["capped"] else ""
        print(
            f"{label:<28} {n:>8,} {r['groups']:>7,} {r['run']:>7.2f} {r['html']:>9.2f} "
            f"{r['stages'].get('bootstrap', 0):>10.2f} {r['stages'].get('proxies', 0):>8.2f} "
            f"{r['peak_mib']:>9.0f} {anchor:>14}{note}",
            flush=True,
        )


if __name__ == "__main__":
    main()
