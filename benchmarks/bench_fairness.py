"""Benchmark: szai_audit.group_metrics against fairlearn's MetricFrame, in the same run.

Workload (issue 2, item 9): 1,000,000 rows, two sensitive attributes given as strings, ``sex``
(2 levels) and ``race`` (5 levels), analysed by their intersection (10 groups), with the seven
metrics of ``GroupMetrics.by_group``: count, selection rate, true-positive rate, false-positive
rate, false-negative rate, precision, accuracy. Target: at least 50x faster than MetricFrame.

Both libraries get the same numpy arrays and a pandas DataFrame of the sensitive columns; each
time is the median of ``--repeats`` runs (fairlearn is run fewer times when slow). The results
are compared too: the largest absolute difference between the two tables is printed.

Bootstrap (issue 3, item 1): 1,000 resamples of every group metric of the intersection at
``--n`` rows with ``GroupMetrics.ci`` (target: under 1 s), against fairlearn's own bootstrap
(``MetricFrame(n_boot=...)``) timed in the same run on ``--boot-n`` rows and
``--boot-resamples`` resamples, then extrapolated linearly in rows and resamples.

Run:  python benchmarks/bench_fairness.py [--n 1000000] [--repeats 3] [--memory]
      python benchmarks/bench_fairness.py --only-bootstrap
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from _timing import peak_mib, timed

import szai_audit as sa

# The columns of GroupMetrics.by_group, without mean_score (no scores in this workload).
METRICS = tuple(m for m in sa.fairness.METRICS if m != "mean_score")


def make_data(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    sex = rng.choice(np.array(["female", "male"], dtype=object), n, p=[0.45, 0.55])
    race = rng.choice(
        np.array(["asian", "black", "hispanic", "other", "white"], dtype=object),
        n,
        p=[0.1, 0.15, 0.2, 0.05, 0.5],
    )
    y_true = rng.integers(0, 2, n)
    p = 0.35 + 0.3 * y_true + np.where(sex == "male", 0.05, 0.0)
    y_pred = (rng.random(n) < p).astype(np.int64)
    return y_true, y_pred, pd.DataFrame({"sex": sex, "race": race})


def fairlearn_metrics():
    from fairlearn.metrics import (
        count,
        false_negative_rate,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )
    from sklearn.metrics import accuracy_score, precision_score

    return {
        "count": count,
        "selection_rate": selection_rate,
        "true_positive_rate": true_positive_rate,
        "false_positive_rate": false_positive_rate,
        "false_negative_rate": false_negative_rate,
        "precision": lambda yt, yp: precision_score(yt, yp, zero_division=np.nan),
        "accuracy": accuracy_score,
    }


def run_ours(y_true, y_pred, sensitive):
    return sa.group_metrics(y_true, y_pred, sensitive).by_group


def run_fairlearn(y_true, y_pred, sensitive):
    from fairlearn.metrics import MetricFrame

    mf = MetricFrame(
        metrics=fairlearn_metrics(), y_true=y_true, y_pred=y_pred, sensitive_features=sensitive
    )
    return mf.by_group


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--fairlearn-repeats", type=int, default=1)
    parser.add_argument("--memory", action="store_true", help="also measure peak traced memory")
    parser.add_argument("--boot-n", type=int, default=100_000)
    parser.add_argument("--boot-resamples", type=int, default=5)
    parser.add_argument("--only-bootstrap", action="store_true")
    args = parser.parse_args()
    if not args.only_bootstrap:
        bench_metrics(args)
    bench_bootstrap(args)


def bench_bootstrap(args: argparse.Namespace) -> None:
    """1000 resamples on the cell counts against fairlearn's row bootstrap, extrapolated."""
    from fairlearn.metrics import MetricFrame

    y_true, y_pred, sensitive = make_data(args.n)
    gm = sa.group_metrics(y_true, y_pred, sensitive)
    seeds = iter(range(1_000_000))  # a new seed each repeat: no cached resamples are reused
    ours, _ = timed(lambda: gm.ci(n_boot=1000, random_state=next(seeds)), args.repeats)

    yt, yp, sf = make_data(args.boot_n, seed=1)

    def fairlearn_boot():
        return MetricFrame(
            metrics=fairlearn_metrics(),
            y_true=yt,
            y_pred=yp,
            sensitive_features=sf,
            n_boot=args.boot_resamples,
            ci_quantiles=[0.025, 0.975],
            random_state=0,
        )

    def fairlearn_plain():
        return run_fairlearn(yt, yp, sf)

    t_boot, _ = timed(fairlearn_boot, 1)
    t_plain, _ = timed(fairlearn_plain, 1)
    per_resample = max(t_boot - t_plain, 1e-9) / args.boot_resamples
    extrapolated = per_resample * (args.n / args.boot_n) * 1000
    table = pd.DataFrame(
        [
            {
                "what": "1000 resamples, all groups (sex x race, 7 metrics)",
                "rows": args.n,
                "szai_audit_s": ours,
                "fairlearn_measured": f"{per_resample:.2f} s/resample at {args.boot_n} rows",
                "fairlearn_extrapolated_s": extrapolated,
                "speedup": extrapolated / ours,
            }
        ]
    )
    with pd.option_context("display.width", 200, "display.float_format", "{:.4g}".format):
        print()
        print(table.to_string(index=False))
    print(
        f"\nTarget: 1000 resamples at {args.n} rows in under 1 s: {ours:.3f} s "
        f"({'met' if ours < 1 else 'NOT met'}); "
        f"about {extrapolated / ours:,.0f}x faster than fairlearn's bootstrap."
    )


def bench_metrics(args: argparse.Namespace) -> None:
    """group_metrics against MetricFrame on the same data."""

    y_true, y_pred, sensitive = make_data(args.n)
    import fairlearn.metrics  # noqa: F401  (import cost kept out of the timings)

    cases = [
        ("sex (2 groups)", sensitive[["sex"]]),
        ("race (5 groups)", sensitive[["race"]]),
        ("sex x race (10 groups)", sensitive),
    ]
    rows = []
    for label, sf in cases:
        t_ours, ours = timed(lambda sf=sf: run_ours(y_true, y_pred, sf), args.repeats)
        t_fl, theirs = timed(
            lambda sf=sf: run_fairlearn(y_true, y_pred, sf), args.fairlearn_repeats
        )
        theirs = theirs.loc[ours.index]
        diff = float(
            np.nanmax(
                np.abs(ours[list(METRICS)].to_numpy(float) - theirs[list(METRICS)].to_numpy(float))
            )
        )
        row = {
            "case": label,
            "rows": args.n,
            "szai_audit_s": t_ours,
            "fairlearn_s": t_fl,
            "speedup": t_fl / t_ours,
            "max_abs_diff": diff,
        }
        if args.memory:
            row["szai_audit_peak_MiB"] = peak_mib(lambda sf=sf: run_ours(y_true, y_pred, sf))
            row["fairlearn_peak_MiB"] = peak_mib(lambda sf=sf: run_fairlearn(y_true, y_pred, sf))
        rows.append(row)
        print(f"  done: {label}", flush=True)

    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 160, "display.float_format", "{:.4g}".format):
        print()
        print(table.to_string(index=False))
    worst = table["speedup"].min()
    print(
        f"\nTarget: >= 50x faster than fairlearn MetricFrame. Lowest speed-up here: {worst:.0f}x "
        f"({'met' if worst >= 50 else 'NOT met'})."
    )


if __name__ == "__main__":
    main()
