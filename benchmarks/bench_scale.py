"""Scale: time and peak memory of a whole audit at up to 10M rows, held in memory against read
in parts (a Dask DataFrame over Parquet files, partition by partition).

Run from the repository root (it writes about 0.4 GB of Parquet under a temporary folder)::

    .venv/bin/python benchmarks/bench_scale.py                 # 1M, 2.5M, 5M, 10M rows
    .venv/bin/python benchmarks/bench_scale.py --sizes 1e6 2e6  # quicker

The data are a synthetic lending log: six inputs (two of them text), three sensitive attributes
(gender, nationality, age, the last binned into quantiles), the outcome, and a fitted
scikit-learn pipeline (one-hot encoding and logistic regression) that the audit calls. Every
configuration runs in a fresh process; its peak memory is the process's peak resident set
(``VmHWM``), of which the "base" column is the part before the audit starts (interpreter,
libraries, model, and for the in-memory path the data frame itself).

The audit is the full classification audit: group metrics with 1000 bootstrap resamples per
ground and intersection, tests, AUC and calibration (``Policy(score_resolution=1e-4)``, so the
score tables stay bounded; one extra run without it shows what exact scores cost), proxies,
flip test and the explanation on their samples. The anchor is fairlearn's MetricFrame (one
ground, three rates, no intervals), measured in the same run at 1M rows in memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import fresh_process, scale_rows

CHUNK = 1_000_000  # rows per Parquet file
ROW_GROUP = 250_000  # rows per row group: one Dask partition each
FEATURES = ["income", "debt_ratio", "duration", "amount", "purpose", "housing"]


def make_rows(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sex = rng.choice(["female", "male"], n, p=[0.45, 0.55])
    foreign = rng.choice(["no", "yes"], n, p=[0.9, 0.1])
    age = rng.integers(18, 80, n)
    income = rng.lognormal(8.5, 0.5, n) * np.where(sex == "male", 1.1, 1.0)
    frame = pd.DataFrame(
        {
            "income": income,
            "debt_ratio": rng.beta(2, 5, n),
            "duration": rng.integers(6, 72, n),
            "amount": rng.lognormal(8, 0.7, n),
            "purpose": rng.choice(["car", "home", "education", "business"], n),
            "housing": rng.choice(["own", "rent", "free"], n, p=[0.6, 0.3, 0.1]),
            "sex": sex,
            "foreign_worker": foreign,
            "age": age,
        }
    )
    logit = 0.8 * np.log(income / 5000) - 3 * frame["debt_ratio"] + 0.01 * (age - 40)
    frame["repaid"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return frame


def write_data(folder: Path, n_max: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    for i in range(int(np.ceil(n_max / CHUNK))):
        rows = min(CHUNK, n_max - i * CHUNK)
        table = pa.Table.from_pandas(make_rows(rows, seed=i), preserve_index=False)
        pq.write_table(table, folder / f"part-{i:03d}.parquet", row_group_size=ROW_GROUP)


def fit_model(folder: Path):
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    train = make_rows(50_000, seed=999)
    model = make_pipeline(
        make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), ["purpose", "housing"]),
            (StandardScaler(), ["income", "debt_ratio", "duration", "amount"]),
        ),
        LogisticRegression(max_iter=500),
    )
    return model.fit(train[FEATURES], train["repaid"])


def rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB. Linux's VmHWM is that of this
    program; ru_maxrss would also count the parent's peak before exec (the data writer's)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:  # not Linux
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(mode: str, folder: Path, n: int, resolution: float | None) -> dict:
    """One configuration, in this (fresh) process."""
    import dask

    import szai_audit as sa

    model = fit_model(folder)
    files = sorted(folder.glob("*.parquet"))[: int(np.ceil(n / CHUNK))]
    policy = sa.Policy(score_resolution=resolution)
    kw = {
        "sensitive": {"gender": "sex", "nationality": "foreign_worker", "age": "age"},
        "policy": policy,
    }
    with dask.config.set({"dataframe.convert-string": False, "scheduler": "synchronous"}):
        if mode == "memory":
            data = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True).iloc[:n]
            inputs, extra = data[FEATURES], data[["sex", "foreign_worker", "age"]]
            base = rss_mib()
            t0 = time.perf_counter()
            result = sa.Audit(model, inputs, data["repaid"], sensitive_data=extra, **kw).run()
        else:
            import dask.dataframe as dd

            ddf = dd.read_parquet([str(f) for f in files], split_row_groups=True)
            ddf = ddf.partitions[: int(np.ceil(n / ROW_GROUP))]
            base = rss_mib()
            t0 = time.perf_counter()
            result = sa.Audit(
                model,
                ddf[FEATURES],
                ddf["repaid"],
                sensitive_data=ddf[["sex", "foreign_worker", "age"]],
                **kw,
            ).run()
        seconds = time.perf_counter() - t0
    return {
        "mode": mode,
        "rows": result.scope.n_rows,
        "seconds": seconds,
        "peak_mib": rss_mib(),
        "base_mib": base,
        "verdict": result.verdict,
        "selection_rate": result.fairness.group_metrics["gender"]
        .by_group["selection_rate"]
        .round(6)
        .tolist(),
        "cells": (result.manifest.get("processing") or {}).get("cells"),
    }


def fairlearn_anchor(folder: Path, n: int) -> float:
    """Seconds for fairlearn's MetricFrame (three rates by one ground) on n rows in memory."""
    from fairlearn.metrics import (
        MetricFrame,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )

    model = fit_model(folder)
    data = pd.read_parquet(sorted(folder.glob("*.parquet"))[0]).iloc[:n]
    y_pred = model.predict(data[FEATURES])
    t0 = time.perf_counter()
    MetricFrame(
        metrics={
            "selection_rate": selection_rate,
            "tpr": true_positive_rate,
            "fpr": false_positive_rate,
        },
        y_true=data["repaid"],
        y_pred=y_pred,
        sensitive_features=data["sex"],
    )
    return time.perf_counter() - t0


def run_worker(mode: str, folder: Path, n: int, resolution: float | None) -> dict:
    return fresh_process(__file__, [mode, str(folder), str(n), str(resolution)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1e6, 2.5e6, 5e6, 1e7])
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        mode, folder, n, resolution = args.worker
        res = None if resolution == "None" else float(resolution)
        print(json.dumps(worker(mode, Path(folder), int(n), res)))
        return
    sizes = sorted(int(s) for s in args.sizes)
    if any(n % ROW_GROUP for n in sizes):
        parser.error(f"--sizes must be multiples of {ROW_GROUP:,} rows (one row group)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        write_data(folder, sizes[-1])
        print(f"data: {sizes[-1]:,} rows written as Parquet in {time.perf_counter() - t0:.1f} s")
        anchor_n = min(1_000_000, sizes[0])
        fair = fairlearn_anchor(folder, anchor_n)
        rows = []
        for n in sizes:
            for mode in ("memory", "dask"):
                rows.append(run_worker(mode, folder, n, 1e-4))
                r = rows[-1]
                print(
                    f"  {mode:<6} {n:>11,} rows: {r['seconds']:7.1f} s, peak {r['peak_mib']:7.0f} "
                    f"MiB (base {r['base_mib']:.0f})",
                    flush=True,
                )
        exact = run_worker("dask", folder, sizes[-1], None)
    print()
    print("\n".join(scale_rows(rows, "rows")))
    per = exact["seconds"] / (exact["rows"] / 1e6)
    print(
        f"{'in parts, exact scores':<24} {exact['rows']:>11,} {exact['seconds']:>8.1f} "
        f"{per:>7.2f} {exact['peak_mib']:>9.0f} {exact['peak_mib'] - exact['base_mib']:>9.0f}"
    )
    for mode in ("memory", "dask"):
        mine = [r for r in rows if r["mode"] == mode]
        growth = mine[-1]["seconds"] / mine[0]["seconds"]
        print(
            f"{mode}: {mine[-1]['rows'] / mine[0]['rows']:.0f}x the rows took {growth:.1f}x the "
            f"time (linear: {mine[-1]['rows'] / mine[0]['rows']:.0f}x)"
        )
    same = all(
        a["selection_rate"] == b["selection_rate"] and a["verdict"] == b["verdict"]
        for a, b in zip(rows[::2], rows[1::2], strict=True)
    )
    print(f"in memory and in parts give the same rates and verdicts: {same}")
    cells = {r["cells"] for r in rows if r["mode"] == "dask"}
    print(f"cells kept by the first pass, at every size: {sorted(cells)}")
    print(
        f"anchor: fairlearn MetricFrame (3 rates, 1 ground, no intervals) on {anchor_n:,} rows in "
        f"memory: {fair:.1f} s, about {fair * sizes[-1] / anchor_n:.0f} s at {sizes[-1]:,} "
        f"(linear); szai_audit's whole audit in parts at {sizes[-1]:,}: "
        f"{rows[-1]['seconds']:.0f} s"
    )


if __name__ == "__main__":
    main()
