"""Audit data too large for memory: a decision log in Parquet files, read with Dask.

The audit reads the files partition by partition (twice: once for the counts, once for the
few rows the sampled checks need) and never holds the whole log; the result is the one an
in-memory audit would give. Needs ``pip install 'szai_audit[dask]'``.

Run: python examples/large_data.py [output_folder]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd

import szai_audit as sa

out = Path(sys.argv[1] if len(sys.argv) > 1 else "out")
out.mkdir(parents=True, exist_ok=True)

# A day of credit-card limit decisions, written as 8 Parquet files of 25,000 rows.
rng = np.random.default_rng(7)
folder = Path(tempfile.mkdtemp())
for part in range(8):
    n = 25_000
    sex = rng.choice(["female", "male"], n)
    log = pd.DataFrame(
        {
            "sex": sex,
            "age": rng.integers(18, 75, n),
            "hukou": rng.choice(["local", "non-local"], n, p=[0.7, 0.3]),
            # Approved slightly less often for women: a gap the audit should measure.
            "approved": (rng.random(n) < np.where(sex == "female", 0.52, 0.60)).astype(int),
        }
    )
    log.to_parquet(folder / f"day-{part}.parquet", index=False)

# Keep pandas' text dtype so the data fingerprint matches reading the files with pandas.
with dask.config.set({"dataframe.convert-string": False}):
    decisions = dd.read_parquet(str(folder / "*.parquet"))
    result = sa.Audit(
        data=decisions,
        y_pred="approved",  # a column of the log
        favorable_name=("获批", "approval"),  # its rate: 获批比例 / approval rate
        sensitive={"gender": "sex", "age": "age", "region": "hukou"},
        metadata={"system_name": "Credit-card limit decisions (example)"},
    ).run(random_state=0)

print(repr(result))
print(f"read in {result.manifest['processing']['partitions']} partitions")
rates = result.fairness.group_metrics["gender"].by_group["selection_rate"]
print("approval rate by gender:", {k: round(v, 3) for k, v in rates.items()})
for f in result.findings:
    if f.ground == "gender" and f.check.startswith("fairness.selection"):
        print(f"{f.status.value:<6} {f.check} {f.value:.3f}")
result.to_html(out / "large_data_report.html")
result.to_json(out / "large_data_report.json")
print(f"wrote {out / 'large_data_report.html'}")
