"""Time per stage of a whole audit, at the default Policy and with the settings that make a
run faster (the manifest's ``stage_seconds``), on a synthetic lending log held in memory.

Run from the repository root::

    .venv/bin/python benchmarks/bench_stages.py                        # 1M rows, tree model
    .venv/bin/python benchmarks/bench_stages.py --function --rows 2e5  # a model-agnostic case

The model is a gradient-boosted tree pipeline (one-hot text inputs), explained exactly (tree
SHAP); with ``--function`` the same model is wrapped in a plain function
(``sa.CallableModel``), which only a model-agnostic (permutation) explanation can explain,
the slow case. The anchor is the default Policy, measured in the same run; the "faster"
column sets
``n_bootstrap=200``, ``proxy_max_rows=5_000``, ``flip_max_rows=5_000``,
``explain_sample_size=500``, ``explain_background_size=50`` and ``score_resolution=1e-3``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import FEATURES, make_rows

FASTER = {
    "n_bootstrap": 200,
    "proxy_max_rows": 5_000,
    "flip_max_rows": 5_000,
    "explain_sample_size": 500,
    "explain_background_size": 50,
    "score_resolution": 1e-3,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=float, default=1e6)
    parser.add_argument("--function", action="store_true")
    args = parser.parse_args()
    n = int(args.rows)

    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    import szai_audit as sa
    from szai_audit.core.progress import STAGES

    train = make_rows(50_000, seed=999)
    model = make_pipeline(
        make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), ["purpose", "housing"]),
            remainder="passthrough",
        ),
        HistGradientBoostingClassifier(max_iter=50, random_state=0),
    ).fit(train[FEATURES], train["repaid"])
    audited = model
    if args.function:
        audited = sa.CallableModel(lambda X: model.predict_proba(X)[:, 1], output="score")
    data = make_rows(n, seed=1)
    kw = {
        "sensitive": {"gender": "sex", "nationality": "foreign_worker", "age": "age"},
        "sensitive_data": data[["sex", "foreign_worker", "age"]],
        "verbose": False,
    }
    # Warm up (imports, first calls) on a small slice, so that neither column pays for it.
    small = data.iloc[:20_000]
    warm = {**kw, "sensitive_data": small[["sex", "foreign_worker", "age"]]}
    sa.Audit(audited, small[FEATURES], small["repaid"], **warm).run().to_html()
    runs = {}
    results = {}
    for name, policy in (("default", sa.Policy()), ("faster", sa.Policy(**FASTER))):
        t0 = time.perf_counter()
        result = sa.Audit(audited, data[FEATURES], data["repaid"], policy=policy, **kw).run()
        total = time.perf_counter() - t0
        result.to_html()
        runs[name] = (dict(result.manifest["stage_seconds"]), total, result.verdict)
        results[name] = result

    what = "as a function (permutation explanation)" if args.function else "(tree SHAP)"
    print(f"\n{n:,} rows, {model.steps[-1][1].__class__.__name__} {what}; seconds per stage")
    print(f"{'stage':<14}{'default (anchor)':>18}{'faster':>10}{'ratio':>8}")
    names = [s for s in STAGES if any(s in r[0] for r in runs.values())]
    for stage in names:
        a, b = (runs[k][0].get(stage, 0.0) for k in ("default", "faster"))
        print(f"{stage:<14}{a:>18.2f}{b:>10.2f}{(b / a if a else float('nan')):>8.2f}")
    a, b = runs["default"][1], runs["faster"][1]
    print(f"{'run() total':<14}{a:>18.2f}{b:>10.2f}{b / a:>8.2f}")
    print(f"verdicts: default {runs['default'][2]}, faster {runs['faster'][2]}")
    print()
    print("What the faster settings cost in precision (faster / default):")
    for line in _precision(results["default"], results["faster"]):
        print("  " + line)


def _precision(default, faster) -> list[str]:  # type: ignore[no-untyped-def]
    """Interval widths and estimates of the two runs, side by side."""
    import numpy as np

    def widths(result, metric: str) -> np.ndarray:  # type: ignore[no-untyped-def]
        out = []
        for ci in result.fairness.cis.values():
            out += list((ci[(metric, "high")] - ci[(metric, "low")]).dropna())
        return np.asarray(out)

    lines = []
    for metric in ("selection_rate", "true_positive_rate"):
        ratio = np.median(widths(faster, metric) / widths(default, metric))
        lines.append(f"{metric} interval width (n_bootstrap): median ratio {ratio:.2f}")
    for g, rep in default.fairness.proxies.items():
        other = faster.fairness.proxies[g]
        lines.append(
            f"proxies {g}: top input AUC standard error {rep.features['auc_se'].iloc[0]:.4f} -> "
            f"{other.features['auc_se'].iloc[0]:.4f} (proxy_max_rows); same top input: "
            f"{rep.features.index[0] == other.features.index[0]}"
        )
    for g, sm in default.fairness.score_metrics.items():
        diff = np.max(np.abs(sm.by_group["auc"] - faster.fairness.score_metrics[g].by_group["auc"]))
        lines.append(f"AUC by {g}: largest change {diff:.1e} (score_resolution)")
    a, b = default.explanation_summary, faster.explanation_summary
    if a is not None and b is not None and a.factors and b.factors:
        wa = np.median([f.share_high - f.share_low for f in a.factors])
        wb = np.median([f.share_high - f.share_low for f in b.factors])
        same = [f.feature for f in a.factors[:3]] == [f.feature for f in b.factors[:3]]
        lines.append(
            f"explanation: median share interval {wa:.3f} -> {wb:.3f} "
            f"(explain_sample_size); same three main factors: {same}"
        )
    return lines


if __name__ == "__main__":
    main()
