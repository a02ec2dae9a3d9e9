"""Scale of the pricing audit (Art. 72(2)(v)): time and peak memory of a whole
``task="pricing"`` audit at up to 10M orders, held in memory against read in parts (a Dask
DataFrame over Parquet files, partition by partition).

Run from the repository root (it writes about 0.3 GB of Parquet under a temporary folder)::

    .venv/bin/python benchmarks/bench_scale_pricing.py                  # 1M, 5M, 10M orders
    .venv/bin/python benchmarks/bench_scale_pricing.py --sizes 1e6 2e6   # quicker

The orders are :func:`szai_audit.datasets.make_pricing_market` (ride-hailing: distance,
vehicle and time band set the fare; premium phones pay 8% more, customers of a year or more
5% more), 1M orders per Parquet file; the model is a scikit-learn pipeline (one-hot encoding,
histogram gradient boosting) fitted on 50,000 other orders without sex and age, which the
audit calls. The audit is the whole pricing audit: price gaps for seven profile columns and
two grounds with 1000 bootstrap resamples, gaps given the three legitimate factors
(stratified and regression-adjusted), trends, the same-order re-pricing (2000 orders x 10
donors), the loyalty gap, proxies, the flip test and the explanation on their samples. Each
configuration runs in a fresh process; its peak memory is the process's peak resident set
(``VmHWM``), of which "base" is the part before the audit starts (interpreter, libraries,
model, and in memory the data frame itself). The anchor is the same audit in memory, in the
same run, at each size: the two must give the same verdict and the same price gaps.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import fresh_process, scale_rows
from bench_scale import rss_mib

CHUNK = 1_000_000  # orders per Parquet file
ROW_GROUP = 250_000  # orders per row group: one Dask partition each
PRIVATE = ["sex", "age"]


def write_data(folder: Path, n_max: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    import szai_audit as sa

    for i in range(int(np.ceil(n_max / CHUNK))):
        rows = min(CHUNK, n_max - i * CHUNK)
        market = sa.datasets.make_pricing_market(
            rows, ability_markup=0.08, loyalty_markup=0.05, random_state=i
        )
        table = pa.Table.from_pandas(market.data, preserve_index=False)
        pq.write_table(table, folder / f"part-{i:03d}.parquet", row_group_size=ROW_GROUP)


def fit_model():
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    import szai_audit as sa

    market = sa.datasets.make_pricing_market(
        50_000, ability_markup=0.08, loyalty_markup=0.05, random_state=999
    )
    X = market.data.drop(columns=PRIVATE)
    text = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    model = make_pipeline(
        make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), text), remainder="passthrough"
        ),
        HistGradientBoostingRegressor(max_iter=100, random_state=0),
    )
    return model.fit(X, market.price), market


def worker(mode: str, folder: Path, n: int) -> dict:
    """One configuration, in this (fresh) process."""
    import dask

    import szai_audit as sa

    model, market = fit_model()
    files = sorted(folder.glob("*.parquet"))[: int(np.ceil(n / CHUNK))]
    kw = {
        "task": "pricing",
        "consumer_profile": market.consumer_profile,
        "legitimate_factors": market.legitimate_factors,
        "loyalty": market.loyalty,
        "sensitive": market.sensitive,
        "verbose": False,
    }
    with dask.config.set({"dataframe.convert-string": False, "scheduler": "synchronous"}):
        if mode == "memory":
            data = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True).iloc[:n]
            inputs, private = data.drop(columns=PRIVATE), data[PRIVATE]
            base = rss_mib()
            t0 = time.perf_counter()
            result = sa.Audit(model, inputs, sensitive_data=private, **kw).run()
        else:
            import dask.dataframe as dd

            ddf = dd.read_parquet([str(f) for f in files], split_row_groups=True)
            ddf = ddf.partitions[: int(np.ceil(n / ROW_GROUP))]
            base = rss_mib()
            t0 = time.perf_counter()
            result = sa.Audit(
                model, ddf.drop(columns=PRIVATE), sensitive_data=ddf[PRIVATE], **kw
            ).run()
        seconds = time.perf_counter() - t0
    gaps = result.pricing.gaps["device_tier"].table
    changes = result.pricing.counterfactual.summary["mean_change"]
    return {
        "mode": mode,
        "rows": result.scope.n_rows,
        "seconds": seconds,
        "peak_mib": rss_mib(),
        "base_mib": base,
        "verdict": result.verdict,
        "stages": result.manifest.get("stage_seconds", {}),
        "gaps": gaps[["mean_ratio", "stratified", "regression"]].round(10).to_numpy().tolist(),
        "counterfactual": round(float(changes.iloc[0]), 10),
    }


def run_worker(mode: str, folder: Path, n: int) -> dict:
    return fresh_process(__file__, [mode, str(folder), str(n)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1e6, 5e6, 1e7])
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        mode, folder, n = args.worker
        print(json.dumps(worker(mode, Path(folder), int(n))))
        return
    sizes = sorted(int(s) for s in args.sizes)
    if any(n % ROW_GROUP for n in sizes):
        parser.error(f"--sizes must be multiples of {ROW_GROUP:,} orders (one row group)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        write_data(folder, sizes[-1])
        print(f"data: {sizes[-1]:,} orders written as Parquet in {time.perf_counter() - t0:.1f} s")
        rows = []
        for n in sizes:
            for mode in ("memory", "dask"):
                rows.append(run_worker(mode, folder, n))
                r = rows[-1]
                print(
                    f"  {mode:<6} {n:>11,} orders: {r['seconds']:7.1f} s, peak "
                    f"{r['peak_mib']:7.0f} MiB (base {r['base_mib']:.0f})",
                    flush=True,
                )
    print()
    print("\n".join(scale_rows(rows, "orders")))
    print("verdicts: " + ", ".join(f"{r['mode']} {r['rows']:,}: {r['verdict']}" for r in rows))
    for a, b in zip(rows[::2], rows[1::2], strict=True):
        same = a["gaps"] == b["gaps"] and a["verdict"] == b["verdict"]
        same = same and a["counterfactual"] == b["counterfactual"]
        print(
            f"{a['rows']:,} orders: in memory and in parts give the same gaps and verdict: {same}"
        )
    last = rows[-1]["stages"]
    print(
        "stages of the last run in parts (s): " + ", ".join(f"{k} {v:.1f}" for k, v in last.items())
    )


if __name__ == "__main__":
    main()
