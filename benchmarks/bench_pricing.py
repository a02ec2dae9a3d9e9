"""Benchmark: the Art. 72(2)(v) pricing audit at 1,000,000 orders, against the obvious
implementations of the same statistics, measured in the same run.

Workload: ``make_pricing_market(n)`` (ride-hailing orders; premium phones charged 8% more,
customers of a year or more 5% more), priced by the market's own pricing rule (a vectorised
function, so the times are the audit's, not a slow model's). Seven profile columns in three
kinds, three legitimate factors, a loyalty column and two Art. 72(2)(iv) grounds.

What is timed (median of ``--repeats`` runs; peak traced memory with ``--memory``):

* ``price_gaps`` for one profile column: raw mean/median ratios with 1000 bootstrap
  resamples, stratified and regression-adjusted gaps. Anchors: fairlearn's ``MetricFrame``
  with the mean price by group and its own bootstrap (``n_boot``), timed on ``--anchor-n``
  orders and ``--anchor-resamples`` resamples and extrapolated linearly to ``n`` orders and
  1000 resamples; and a plain numpy row bootstrap (resampling the orders), extrapolated the
  same way. The stratified gap is also recomputed with a pandas ``groupby`` on the same
  strata: the largest difference is printed.
* ``same_order_different_customer``: 2000 orders x 10 donors x 4 swaps (80,000 re-pricings).
  Anchor: the per-row loop (copy one order, set the donor's profile, price it), timed on
  ``--loop-pairs`` pairs and extrapolated.
* ``loyalty_gap`` and the whole ``Audit(task="pricing").run()`` (explanations off unless
  ``--explain``), with the time of each stage of that run (the stage functions are wrapped
  with a timer for this script only).

Run:  python benchmarks/bench_pricing.py [--n 1000000] [--repeats 3] [--memory] [--explain]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from _timing import peak_mib, timed

import szai_audit as sa
from szai_audit.datasets import make_pricing_market
from szai_audit.pricing import (
    loyalty_gap,
    price_gaps,
    same_order_different_customer,
    strata_bins,
)


def fairlearn_bootstrap_per_resample(price, groups, resamples):
    """Seconds per bootstrap resample of MetricFrame's mean price by group."""
    from fairlearn.metrics import MetricFrame

    def mean_price(_y_true, y_pred):
        return float(np.mean(y_pred))

    def run(n_boot):
        return MetricFrame(
            metrics={"mean_price": mean_price},
            y_true=price,
            y_pred=price,
            sensitive_features=pd.Series(groups, name="group"),
            n_boot=n_boot,
            ci_quantiles=[0.025, 0.975] if n_boot else None,
            random_state=0 if n_boot else None,
        )

    t_plain, _ = timed(lambda: run(None), 1)
    t_boot, frame = timed(lambda: run(resamples), 1)
    return max(t_boot - t_plain, 1e-9) / resamples, frame


def numpy_row_bootstrap_per_resample(price, groups, reference, resamples):
    """Seconds per resample of the obvious bootstrap: draw orders, recompute group means."""
    rng = np.random.default_rng(0)
    codes, names = pd.factorize(groups, sort=True)
    r = list(names).index(reference)
    t0 = time.perf_counter()
    for _ in range(resamples):
        idx = rng.integers(0, len(price), len(price))
        sums = np.bincount(codes[idx], weights=price[idx], minlength=len(names))
        counts = np.bincount(codes[idx], minlength=len(names))
        _ = (sums / counts) / (sums[r] / counts[r])
    return (time.perf_counter() - t0) / resamples


def pandas_stratified_gap(price, groups, factors, reference, group, n_bins):
    """The stratified log-price gap of ``group`` against ``reference`` with pandas groupby,
    on the same definition of strata as szai_audit's: ``n_bins`` quantile bins of each numeric
    factor, closed on the left ([a, b)), categories as they are."""
    strata = {}
    for c in factors.columns:
        col = factors[c]
        if pd.api.types.is_numeric_dtype(col) and col.nunique() > n_bins:
            cuts = col.quantile(np.linspace(0, 1, n_bins + 1)[1:-1]).unique()
            edges = [-np.inf, *cuts, np.inf]
            strata[c] = pd.cut(col, edges, right=False).cat.codes
        else:
            strata[c] = col.astype(str)
    frame = pd.DataFrame(strata)
    frame["g"], frame["logp"] = groups, np.log(price)
    frame = frame[frame["g"].isin([reference, group])]
    keys = list(factors.columns)
    means = frame.pivot_table(index=keys, columns="g", values="logp", aggfunc="mean", observed=True)
    weights = frame[frame["g"] == group].groupby(keys, observed=True).size()
    both = means.dropna()
    w = weights.reindex(both.index)
    return float(np.expm1(np.average(both[group] - both[reference], weights=w)))


def loop_counterfactual_per_pair(predict, data, profile_cols, pairs, rng):
    """Seconds per order-donor pair of the per-row loop."""
    orders = rng.integers(0, len(data), pairs)
    donors = rng.integers(0, len(data), pairs)
    t0 = time.perf_counter()
    for o, d in zip(orders, donors, strict=True):
        row = data.iloc[[o]].copy()
        for c in profile_cols:
            row[c] = data[c].iloc[d]
        predict(row)
    return (time.perf_counter() - t0) / pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory", action="store_true", help="also measure peak traced memory")
    parser.add_argument("--explain", action="store_true", help="include the explanation stage")
    parser.add_argument("--anchor-n", type=int, default=100_000)
    parser.add_argument("--anchor-resamples", type=int, default=20)
    parser.add_argument("--loop-pairs", type=int, default=300)
    args = parser.parse_args()

    t0 = time.perf_counter()
    m = make_pricing_market(args.n, ability_markup=0.08, loyalty_markup=0.05, random_state=0)
    print(f"market of {args.n:,} orders built in {time.perf_counter() - t0:.1f} s", flush=True)
    price = m.price.to_numpy()
    device = m.data["device_tier"].to_numpy(dtype=object)
    factors = m.data[m.legitimate_factors]
    profile_cols = [c for cols in m.consumer_profile.values() for c in cols]
    rows = []

    # 1. Price gaps of one profile column, with 1000 resamples and the conditional gaps.
    seeds = iter(range(1_000_000))
    t_gaps, gaps = timed(
        lambda: price_gaps(
            price, device, reference="mid", factors=factors, random_state=next(seeds)
        ),
        args.repeats,
    )
    row = gaps.table.loc["premium"]
    n_bins = strata_bins(factors)
    by_hand = pandas_stratified_gap(price, device, factors, "mid", "premium", n_bins)
    t_pandas, _ = timed(
        lambda: pandas_stratified_gap(price, device, factors, "mid", "premium", n_bins), 1
    )
    small = np.random.default_rng(1).choice(args.n, args.anchor_n, replace=False)
    per_fl, frame = fairlearn_bootstrap_per_resample(
        price[small], device[small], args.anchor_resamples
    )
    fl_total = per_fl * (args.n / args.anchor_n) * 1000
    per_np = numpy_row_bootstrap_per_resample(price, device, "mid", args.anchor_resamples)
    np_total = per_np * 1000
    fl_means = frame.by_group["mean_price"]
    ours_small = price_gaps(price[small], device[small], reference="mid", n_boot=10).table
    mean_diff = float(np.max(np.abs(fl_means.to_numpy() - ours_small.loc[fl_means.index, "mean"])))
    rows += [
        {
            "task": "price_gaps, 1 column (3 groups): ratios + 1000 resamples + conditional",
            "szai_audit_s": t_gaps,
            "anchor": "fairlearn MetricFrame n_boot (extrapolated)",
            "anchor_s": fl_total,
            "speedup": fl_total / t_gaps,
            "max_diff": mean_diff,
        },
        {
            "task": "  same, against a numpy row bootstrap",
            "szai_audit_s": t_gaps,
            "anchor": "numpy row bootstrap (extrapolated)",
            "anchor_s": np_total,
            "speedup": np_total / t_gaps,
            "max_diff": float("nan"),
        },
        {
            "task": "  stratified gap premium vs mid",
            "szai_audit_s": float("nan"),
            "anchor": "pandas groupby on the same strata",
            "anchor_s": t_pandas,
            "speedup": float("nan"),
            "max_diff": abs(float(row["stratified"]) - by_hand),
        },
    ]
    print(
        f"premium vs mid: stratified {row['stratified']:+.4f}, regression "
        f"{row['regression']:+.4f}, raw {row['mean_ratio'] - 1:+.4f} (truth +0.08)",
        flush=True,
    )

    # 2. Same order, different customer.
    t_cf, cf = timed(
        lambda: same_order_different_customer(
            m.pricing_rule, m.data, m.consumer_profile, random_state=next(seeds)
        ),
        args.repeats,
    )
    n_pairs = int(cf.summary["orders"].iloc[0] * cf.summary["donors"].iloc[0]) * len(cf.summary)
    per_loop = loop_counterfactual_per_pair(
        m.pricing_rule, m.data, profile_cols, args.loop_pairs, np.random.default_rng(2)
    )
    rows.append(
        {
            "task": f"counterfactual: {n_pairs:,} re-pricings (2000 orders x 10 donors x 4 swaps)",
            "szai_audit_s": t_cf,
            "anchor": "per-row loop (extrapolated)",
            "anchor_s": per_loop * n_pairs,
            "speedup": per_loop * n_pairs / t_cf,
            "max_diff": float("nan"),
        }
    )

    # 3. Loyalty.
    t_loyal, loyal = timed(
        lambda: loyalty_gap(price, m.data[m.loyalty], factors, predict=m.pricing_rule, data=m.data),
        args.repeats,
    )
    rows.append(
        {
            "task": "loyalty gap (stratified, regression, counterfactual)",
            "szai_audit_s": t_loyal,
            "anchor": "",
            "anchor_s": float("nan"),
            "speedup": float("nan"),
            "max_diff": float("nan"),
        }
    )
    print(
        f"loyalty: stratified {loyal.stratified:+.4f}, counterfactual "
        f"{loyal.counterfactual:+.4f} (truth +0.05)",
        flush=True,
    )

    # 4. The whole audit, with the time of each stage.
    stages: dict[str, float] = {}

    def timer(owner, name, label):
        original = getattr(owner, name)

        def wrapped(*a, **k):
            t0 = time.perf_counter()
            try:
                return original(*a, **k)
            finally:
                stages[label] = stages.get(label, 0.0) + time.perf_counter() - t0

        setattr(owner, name, wrapped)

    from szai_audit import _pricing_audit as pa

    timer(pa, "price_gaps", "price gaps, raw + conditional (9 dimensions)")
    timer(pa, "profile_groups", "grouping the profile columns")
    timer(pa, "prepare_factors", "strata and design of the legitimate factors")
    timer(pa, "same_order_different_customer", "same order, different customer")
    timer(pa, "loyalty_gap", "loyalty gap")
    timer(sa.Audit, "_input_checks", "72(4) proxies and flip tests")
    timer(sa.Audit, "_explanation", "explanation (Art. 71)")

    def audit():
        return sa.Audit(
            model=sa.CallableModel(m.pricing_rule),
            data=m.data,
            task="pricing",
            consumer_profile=m.consumer_profile,
            legitimate_factors=m.legitimate_factors,
            loyalty=m.loyalty,
            sensitive=m.sensitive,
            explain=args.explain,
        ).run(random_state=0)

    t_audit, result = timed(audit, 1)
    stage_rows = [{"stage": k, "seconds": v} for k, v in stages.items()]
    stage_rows.append(
        {
            "stage": "other (validation, findings, correction)",
            "seconds": t_audit - sum(stages.values()),
        }
    )
    rows.append(
        {
            "task": "Audit(task='pricing').run(): 9 dimensions, counterfactual, loyalty, "
            "proxies, flips" + (", explanation" if args.explain else ""),
            "szai_audit_s": t_audit,
            "anchor": "",
            "anchor_s": float("nan"),
            "speedup": float("nan"),
            "max_diff": float("nan"),
        }
    )
    table = pd.DataFrame(rows)
    with pd.option_context(
        "display.width", 250, "display.max_colwidth", 90, "display.float_format", "{:.4g}".format
    ):
        print()
        print(table.to_string(index=False))
    print(f"\nStages of the whole audit ({args.n:,} orders):")
    print(pd.DataFrame(stage_rows).to_string(index=False, float_format="{:.3f}".format))
    print(f"\nverdict {result.verdict}; findings {result.status_counts}")
    if args.memory:
        print(
            f"peak traced memory: price_gaps {peak_mib(lambda: price_gaps(price, device, reference='mid', factors=factors)):.0f} MiB, "  # noqa: E501
            f"whole audit {peak_mib(audit):.0f} MiB "
            f"(the market's data frame itself: {m.data.memory_usage(deep=True).sum() / 2**20:.0f} MiB)"  # noqa: E501
        )


if __name__ == "__main__":
    main()
