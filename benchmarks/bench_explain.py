"""Benchmark: szai_audit.explain against calling shap directly, in the same run.

Workload (issue 4, item 10): ``--n`` rows (default 100,000), 20 features, binary target.

* HistGradientBoostingClassifier (100 trees): ``explain(model, X)`` against
  ``shap.TreeExplainer(model)(X)``.
* LightGBM (100 trees, 31 leaves): ``explain(model, X)`` against ``shap.TreeExplainer``.
* A Pipeline (OneHotEncoder on 5 categorical columns, passthrough numbers, then
  HistGradientBoosting): ``explain(pipe, X)`` against what a user must write with shap alone
  (transform, TreeExplainer on the transformed matrix, then sum the one-hot columns back per raw
  column by name).

Each time is one run (these take minutes at 100k rows); the overhead target is at most 1.2x. The
results are compared: the largest absolute difference between the two sets of contributions.

Run:  python benchmarks/bench_explain.py [--n 100000]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

import szai_audit as sa


def make_data(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 15)), columns=[f"x{i}" for i in range(15)])
    for i in range(5):
        X[f"c{i}"] = rng.choice([f"level_{j}" for j in range(6)], n)
    logit = X["x0"] - 0.5 * X["x1"] + 0.3 * X["x2"] * X["x3"] + (X["c0"] == "level_1")
    y = (logit + rng.normal(size=n) > 0).astype(int).to_numpy()
    return X, y


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    import lightgbm
    import shap
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    X, y = make_data(args.n)
    numeric = X[[c for c in X.columns if c.startswith("x")]]
    train = slice(0, min(20_000, args.n))
    rows = []

    # Warm-up so that one-off costs (imports, compilation) count for neither side.
    warm = HistGradientBoostingClassifier(max_iter=5).fit(numeric[:500], y[:500])
    shap.TreeExplainer(warm)(numeric[:50])
    sa.explain.explain(warm, numeric[:50], progress=False)

    hgb = HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0)
    hgb.fit(numeric[train], y[train])
    t_ours, ours = timed(lambda: sa.explain.explain(hgb, numeric, progress=False))
    t_shap, theirs = timed(
        lambda: shap.TreeExplainer(hgb)(numeric.to_numpy(), check_additivity=False)
    )
    diff = np.abs(ours.values.to_numpy() - theirs.values).max()
    rows.append(("HistGradientBoosting, 15 numeric", t_ours, t_shap, diff))

    lgb = lightgbm.LGBMClassifier(n_estimators=100, num_leaves=31, verbose=-1, random_state=0)
    lgb.fit(numeric[train], y[train])
    t_ours, ours = timed(lambda: sa.explain.explain(lgb, numeric, progress=False))
    t_shap, theirs = timed(lambda: shap.TreeExplainer(lgb)(numeric, check_additivity=False))
    values = np.asarray(theirs.values)
    values = values[:, :, 1] if values.ndim == 3 else values
    diff = np.abs(ours.values.to_numpy() - values).max()
    rows.append(("LightGBM, 15 numeric", t_ours, t_shap, diff))

    cats = [f"c{i}" for i in range(5)]
    pipe = Pipeline(
        [
            (
                "pre",
                ColumnTransformer(
                    [("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False), cats)],
                    remainder="passthrough",
                ),
            ),
            (
                "hgb",
                HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0),
            ),
        ]
    ).fit(X[train], y[train])
    t_ours, ours = timed(lambda: sa.explain.explain(pipe, X, progress=False))

    def by_hand() -> pd.DataFrame:
        xt = pipe[:-1].transform(X)
        values = shap.TreeExplainer(pipe[-1])(xt, check_additivity=False).values
        names = pipe[:-1].get_feature_names_out()
        raw = [n.split("__", 1)[1] for n in names]
        source = [
            next(c for c in cats if r.startswith(c + "_")) if n.startswith("onehot__") else r
            for n, r in zip(names, raw, strict=True)
        ]
        return pd.DataFrame(values, columns=source).T.groupby(level=0).sum().T

    t_shap, theirs = timed(by_hand)
    diff = np.abs(ours.values[theirs.columns].to_numpy() - theirs.to_numpy()).max()
    rows.append(("Pipeline with OneHotEncoder + HGB, 20 raw", t_ours, t_shap, diff))

    table = pd.DataFrame(
        rows, columns=["case", "szai_audit_s", "shap_direct_s", "max_abs_diff"]
    ).assign(rows=args.n)
    table["overhead"] = table["szai_audit_s"] / table["shap_direct_s"]
    with pd.option_context("display.width", 160, "display.float_format", "{:.4g}".format):
        print(
            table[
                ["case", "rows", "szai_audit_s", "shap_direct_s", "overhead", "max_abs_diff"]
            ].to_string(index=False)
        )
    worst = table["overhead"].max()
    print(
        f"\nTarget: overhead at most 1.2x. Largest here: {worst:.2f}x "
        f"({'met' if worst <= 1.2 else 'NOT met'})."
    )


if __name__ == "__main__":
    main()
