"""Time and memory of one audit against the number of groups: 10, 100, 1,000 and 10,000.

Workload (issue 26, item 4; issue 29, item 7): a decision log of ``--rows`` rows (100,000 by
default) with six inputs, one ground whose groups are drawn uniformly, outcomes and decisions
at random; the whole audit (``run()``) and the report (``to_html()``) at the default Policy,
each size in a fresh process (peak memory is the process's peak resident set, ``VmHWM``, less
what it held before the audit). Then the cases issue 29 saw never finish: six grounds of 25
groups (20,000 rows; 150 groups and 15 pairs of 625), 5,000 groups of 4 people, and four grounds
of 30 groups (8,000 rows) with the intersection of all four kept
(``max_intersection_groups=10_000``, the largest accepted; the issue's ``10**6`` is refused,
saying its cost). The anchor, measured in the same process, is fairlearn's MetricFrame
(selection rate by group) on the same rows.

Each line gives the seconds of each stage of the audit (``manifest["stage_seconds"]``;
"judging" is the rest of ``run()``: the adjusted tests and intervals, the messages), the groups
of every table (grounds and intersections) and milliseconds per group: linear cost in the
groups keeps that column flat. A ground of more than 10 groups has no all-inputs proxy model,
and one of more than 20 has its smallest groups taken together in the proxy analysis; the
proxy finding says so (the last column).

``--before DIR`` also runs every case with the package as it is in DIR (an earlier commit's
files, e.g. ``git archive c6e5fc0 szai_audit templates | tar -x -C /tmp/before``, the commit
before issue 29), each in its own process right after today's, so that the two lines are
measured under the same load; a case that gives no answer within ``--timeout`` seconds says
so. Run from the repository root::

    .venv/bin/python benchmarks/bench_groups.py
    .venv/bin/python benchmarks/bench_groups.py --quick   # 20,000 rows; 10 to 1,000 groups
    .venv/bin/python benchmarks/bench_groups.py --groups 10 100 --rows 20000 --before /tmp/before
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

STAGES = ("predictions", "bootstrap", "proxies", "judging", "report")


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


def worker(n: int, grounds: dict[str, int], policy: dict) -> dict:
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
        policy=sa.Policy(**policy),
        verbose=False,
    ).run(random_state=0)
    run = time.perf_counter() - t0
    stages = dict(result.manifest["stage_seconds"])  # to_html adds its own
    t0 = time.perf_counter()
    result.to_html()
    html = time.perf_counter() - t0
    peak = (_peak_kib() - base) / 1024
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
    proxy = [f for f in result.findings if f.check == "fairness.proxy"]
    tables = [*result.fairness.group_metrics.values(), *result.fairness.intersections.values()]
    return {
        "groups": int(sum(gm.counts.shape[0] for gm in tables)),
        "run": run,
        "html": html,
        "stages": {**stages, "judging": run - sum(stages.values()), "report": html},
        "tables": len(tables),
        "peak_mib": peak,
        "anchor": anchor,
        "no_all_inputs_model": [
            f.ground for f in proxy if "all_features_not_computed" in f.details
        ],
        "lumped": [f.ground for f in proxy if "lumped" in f.details],
    }


def cases(args: argparse.Namespace) -> list[tuple[str, int, dict[str, int], dict]]:
    """The configurations run: one ground of each size, then the cases of issue 29."""
    out = [(f"1 ground, {k:,} groups", args.rows, {"region": k}, {}) for k in args.groups]
    if args.quick:
        return out
    return [
        *out,
        ("6 grounds of 25 groups", 20_000, {f"g{j}": 25 for j in range(6)}, {}),
        ("5,000 groups of 4 people", 20_000, {"region": 5_000}, {}),
        (
            "4 x 30 groups, all 4 kept",
            8_000,
            {f"g{j}": 30 for j in range(4)},
            {"max_intersection_groups": 10_000},
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, nargs="+", default=None)
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="20,000 rows, 10 to 1,000 groups")
    parser.add_argument("--before", help="an earlier version of the package, run alongside")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per case and code")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        spec = json.loads(args.worker)
        print(json.dumps(worker(spec["rows"], spec["grounds"], spec["policy"])))
        return
    args.groups = args.groups or ([10, 100, 1_000] if args.quick else [10, 100, 1_000, 10_000])
    args.rows = args.rows or (20_000 if args.quick else 100_000)
    stage_head = " ".join(f"{s[:11]:>11}" for s in STAGES)
    print(
        f"{'case':<27} {'code':<6} {'rows':>8} {'tables':>6} {'groups':>7} {'total s':>8} "
        f"{stage_head} {'ms/group':>9} {'peak MiB':>9} {'MetricFrame':>11}  proxy analysis"
    )
    here = str(Path(__file__).resolve().parent.parent)
    codes = [("today", here)] + ([("before", str(Path(args.before).resolve()))] * bool(args.before))
    for label, n, grounds, policy in cases(args):
        spec = json.dumps({"rows": n, "grounds": grounds, "policy": policy})
        for code, source in codes:
            print(_line(label, code, n, _measure(spec, source, args.timeout)), flush=True)


def _measure(spec: str, source: str, timeout: float) -> dict | str:
    """One case in a fresh process with the package found in ``source``: the worker's
    figures, or why there are none."""
    env = {**os.environ, "PYTHONPATH": source}
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--worker", spec],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return f"no answer after {timeout:.0f} s"
    if out.returncode != 0:
        return f"failed: {out.stderr.strip().splitlines()[-1][-300:]}"
    return json.loads(out.stdout.strip().splitlines()[-1])


def _line(label: str, code: str, n: int, r: dict | str) -> str:
    """A line of the table."""
    if isinstance(r, str):
        return f"{label:<27} {code:<6} {n:>8,} {r}"
    total = r["run"] + r["html"]
    cells = " ".join(f"{r['stages'].get(s, 0.0):>11.2f}" for s in STAGES)
    anchor = "-" if r["anchor"] is None else f"{r['anchor']:.2f}"
    notes = []
    if r["lumped"]:
        notes.append(f"smallest groups taken together: {', '.join(r['lumped'])}")
    if r["no_all_inputs_model"]:
        notes.append(f"no all-inputs model: {', '.join(r['no_all_inputs_model'])}")
    return (
        f"{label:<27} {code:<6} {n:>8,} {r['tables']:>6} {r['groups']:>7,} {total:>8.2f} {cells} "
        f"{1000 * total / r['groups']:>9.2f} {r['peak_mib']:>9.0f} {anchor:>11}  "
        f"{'; '.join(notes) or '-'}"
    )


if __name__ == "__main__":
    main()
