"""Proxy step: the ranking of input features that stand in for a sensitive attribute.

Workload (issue 13, item 12): a 200,000-row lending log with six inputs, three of which carry
a sensitive attribute (a postcode that encodes ethnicity, an income that differs by sex, a
tenure that grows with age), and three grounds (sex, ethnicity with four groups, age in four
quantile bins): what ``Audit.run`` does for its proxy check, ``find_proxies`` once per ground
on the audit's stratified sample of ``Policy.proxy_max_rows`` rows (20,000), three-fold
cross-validation, and the all-features gradient-boosting model.

Compared in the same run, each configuration in a fresh process: the implementation before
issue 13 (``_proxies_before.py``: a lookup-table model fitted and scored row by row with
scikit-learn, and the booster with the default threads) with the default threads and with
8 OpenMP threads, as on a machine that reports more cores than it may use (a container's CPU
quota: the case where the step took 28-101 s for 5 s on one thread); and today's (the
per-feature statistics from counts, the booster on one thread). The rankings, the AUCs and
the all-features AUC are compared too.

Run:  python benchmarks/bench_proxies.py [--n 200000] [--repeats 3]
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

HERE = Path(__file__).parent


def make_data(n: int, seed: int = 0) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    sex = rng.choice(np.array(["female", "male"], dtype=object), n, p=[0.48, 0.52])
    ethnicity = rng.choice(
        np.array(["han", "hui", "uyghur", "zhuang"], dtype=object), n, p=[0.7, 0.1, 0.1, 0.1]
    )
    age = rng.integers(18, 80, n)
    home = {"han": 0, "hui": 1, "uyghur": 2, "zhuang": 3}
    district = np.array([home[e] for e in ethnicity]) * 5 + rng.integers(0, 5, n)
    postcode = np.where(rng.random(n) < 0.7, district, rng.integers(0, 20, n)).astype(str)
    data = pd.DataFrame(
        {
            "postcode": postcode,
            "income": rng.lognormal(8.5, 0.5, n) * np.where(sex == "male", 1.25, 1.0),
            "tenure_years": np.clip((age - 18) * 0.3 + rng.normal(0, 3, n), 0, None),
            "debt_ratio": rng.beta(2, 5, n),
            "amount": rng.lognormal(8, 0.7, n),
            "purpose": rng.choice(["car", "home", "education", "business"], n),
        }
    )
    bins = pd.qcut(age, 4).astype(str)
    return data, {"sex": sex, "ethnicity": ethnicity, "age": np.asarray(bins, dtype=object)}


def _child(implementation: str, n: int, repeats: int) -> None:
    """Run in a fresh process: time the proxy step, print the results as JSON."""
    if implementation == "before":
        sys.path.insert(0, str(HERE))
        from _proxies_before import find_proxies  # type: ignore[import-not-found]
    else:
        from szai_audit.fairness.proxies import find_proxies
    import sklearn.ensemble  # noqa: F401 - imported before the clock starts, as in an audit

    data, grounds = make_data(n)
    times, out = [], {}
    for _ in range(repeats):
        t0 = time.perf_counter()
        reports = {
            g: find_proxies(data, s, max_rows=20_000, random_state=0) for g, s in grounds.items()
        }
        times.append(time.perf_counter() - t0)
    for g, r in reports.items():
        out[g] = {
            "ranking": list(r.features.index),
            "auc": [float(v) for v in r.features["auc"]],
            "all_features_auc": float(r.all_features_auc),
        }
    print(json.dumps({"seconds": float(np.median(times)), "grounds": out}))


def _run(implementation: str, threads: str | None, n: int, repeats: int) -> dict:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.pop(var, None)
    if threads is not None:
        env["OMP_NUM_THREADS"] = threads
    cmd = [
        sys.executable,
        __file__,
        "--child",
        implementation,
        "--n",
        str(n),
        "--repeats",
        str(repeats),
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", choices=["before", "today"])
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.n, args.repeats)
        return
    configs = [
        ("before issue 13, default threads", "before", None),
        ("before issue 13, 8 OpenMP threads", "before", "8"),
        ("today, default threads", "today", None),
        ("today, 8 OpenMP threads", "today", "8"),
    ]
    results = {}
    for label, impl, threads in configs:
        results[label] = _run(impl, threads, args.n, args.repeats)
        print(f"  done: {label}", flush=True)
    base = results["before issue 13, default threads"]
    rows = []
    for label, r in results.items():
        same = all(
            r["grounds"][g]["ranking"] == base["grounds"][g]["ranking"] for g in base["grounds"]
        )
        auc_diff = max(
            float(np.max(np.abs(np.subtract(r["grounds"][g]["auc"], base["grounds"][g]["auc"]))))
            for g in base["grounds"]
        )
        all_diff = max(
            abs(r["grounds"][g]["all_features_auc"] - base["grounds"][g]["all_features_auc"])
            for g in base["grounds"]
        )
        rows.append(
            {
                "configuration": label,
                "seconds": round(r["seconds"], 3),
                "speed-up vs before (default)": round(base["seconds"] / r["seconds"], 1),
                "speed-up vs before (8 threads)": round(
                    results["before issue 13, 8 OpenMP threads"]["seconds"] / r["seconds"], 1
                ),
                "same rankings": same,
                "max |AUC diff|": f"{auc_diff:.1e}",
                "max |all-features AUC diff|": f"{all_diff:.1e}",
            }
        )
    print()
    print(
        f"Proxy step, {args.n:,} rows, 3 grounds, median of {args.repeats}; "
        f"{os.cpu_count()} CPUs reported, {len(os.sched_getaffinity(0))} usable"
    )
    print(pd.DataFrame(rows).to_string(index=False))
    for g, r in base["grounds"].items():
        print(
            f"  {g}: top features {r['ranking'][:3]}, all-features AUC {r['all_features_auc']:.3f}"
        )


if __name__ == "__main__":
    main()
