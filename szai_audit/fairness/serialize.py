"""The Art. 72(2)(iv) parts of an audit's JSON (``AuditResult.to_dict()``): statistics by
group, never a row; rates resting on fewer than the policy's minimum group size withheld."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..core.conditional import ConditionalGaps
from ..core.findings import jsonable
from ..core.policy import Policy
from ..core.stats import z_value
from .counterfactual import FlipResult
from .metrics import METRICS, GroupMetrics
from .proxies import ProxyReport
from .regression import RegressionMetrics, ScoringRates
from .scores import ScoreMetrics

__all__ = [
    "conditional_dict",
    "flip_dict",
    "metrics_table_dict",
    "mitigation_dict",
    "proxy_dict",
    "regression_dict",
    "score_dict",
]


def metrics_table_dict(
    gm: GroupMetrics,
    min_size: int,
    ci: pd.DataFrame | None = None,
    tests: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Group rows for JSON; figures not shown (:meth:`GroupMetrics.shown`: too few people, or
    withheld to protect a small group) are None, and a group without its decision figures is
    ``suppressed``."""
    by_group = gm.by_group
    # Positional arrays, not .loc by group label: 21 tables of 625 groups took 25 s that way.
    shown = gm.shown(min_size)[list(METRICS[1:])].to_numpy(dtype=bool)
    values = by_group[list(METRICS[1:])].to_numpy(dtype=float)
    counts = by_group["count"].to_numpy()
    bounds_of = None
    if ci is not None:
        bounds_of = {m: ci[[(m, "low"), (m, "high")]].to_numpy(dtype=float) for m in METRICS[1:]}
    test_rows = None if tests is None else _tests_by_row(tests)
    rows = []
    for i, key in enumerate(by_group.index):
        keys = list(key) if isinstance(key, tuple) else [key]
        suppressed = not shown[i, METRICS.index("selection_rate") - 1]
        entry: dict[str, Any] = {
            "group": [str(k) for k in keys],
            "suppressed": suppressed,
            "count": int(counts[i]),
        }
        intervals: dict[str, Any] = {}
        for j, m in enumerate(METRICS[1:]):
            withheld = suppressed or not shown[i, j]
            entry[m] = None if withheld else jsonable(float(values[i, j]))
            if bounds_of is not None and not withheld:
                bounds = [jsonable(float(b)) for b in bounds_of[m][i]]
                intervals[m] = None if None in bounds else bounds
        entry["ci"] = intervals
        entry["tests"] = {
            m: p
            for m, p in ({} if test_rows is None else test_rows[i]).items()
            if m not in METRICS or entry.get(m) is not None
        }
        rows.append(entry)
    overall = {m: None if m in gm.overall_private else jsonable(gm.overall[m]) for m in METRICS}
    overall["count"] = int(gm.overall["count"])
    return {
        "attributes": gm.sensitive_names,
        "positive_label": jsonable(gm.pos_label),
        "groups": rows,
        "overall": overall,
    }


def score_dict(sm: ScoreMetrics, policy: Policy) -> dict[str, Any]:
    """Score metrics for JSON; groups and bins not shown (too few people, or withheld to
    protect a small group: :meth:`ScoreMetrics.shown`, :meth:`ScoreMetrics.bins_shown`)
    keep their count only."""
    z = z_value(policy.confidence_level)
    min_size = policy.min_group_size
    groups = []
    visible = sm.shown(min_size)
    for (name, row), shown in zip(sm.by_group.iterrows(), visible, strict=True):
        entry: dict[str, Any] = {"group": str(name), "count": int(row["count"])}
        for m in (
            "auc",
            "calibration_offset",
            "mean_score",
            "observed_rate",
            "positive_rate_at_threshold",
        ):
            entry[m] = jsonable(float(row[m])) if shown else None
        for m, se in (("auc", "auc_se"), ("calibration_offset", "calibration_se")):
            v, s = float(row[m]), float(row[se])
            ok = shown and np.isfinite(v) and np.isfinite(s)
            entry[m + "_ci"] = [v - z * s, v + z * s] if ok else None
        groups.append(entry)
    bins = [
        {
            "group": str(r["group"]),
            "bin": int(r["bin"]),
            "count": int(r["count"]),
            "mean_score": float(r["mean_score"]) if ok else None,
            "observed_rate": float(r["observed_rate"]) if ok else None,
        }
        for (_, r), ok in zip(
            sm.calibration.iterrows(), sm.bins_shown(min_size, policy.k_anonymity), strict=True
        )
    ]
    return {
        "threshold": sm.threshold,
        "probabilities": sm.probabilities,
        "groups": groups,
        "calibration": bins,
    }


def proxy_dict(report: ProxyReport) -> dict[str, Any]:
    rows = [
        {"feature": str(name), **{k: jsonable(v) for k, v in row.items()}}
        for name, row in report.features.iterrows()
    ]
    return {
        "features": rows,
        "all_features_auc": jsonable(report.all_features_auc),
        "all_features_balanced_accuracy": jsonable(report.all_features_balanced_accuracy),
        "all_features_auc_se": jsonable(report.all_features_auc_se),
        "rows_used": report.n_rows,
        "groups": report.n_classes,
    }


def regression_dict(
    rm: RegressionMetrics,
    ci: pd.DataFrame | None,
    min_size: int,
    scoring: ScoringRates | None = None,
) -> dict[str, Any]:
    """Numeric-output metrics for JSON; groups below the minimum size withheld. With
    ``scoring`` (data in memory), each group's scoring rate and the table's median."""
    rows = []
    visible = rm.shown(min_size)
    for i, (key, row) in enumerate(rm.by_group.iterrows()):
        keys = list(key) if isinstance(key, tuple) else [key]
        shown = bool(visible[i])
        entry: dict[str, Any] = {
            "group": [str(k) for k in keys],
            "suppressed": not shown,
            "count": int(row["count"]),
        }
        intervals: dict[str, Any] = {}
        for m in ("mean_prediction", "mean_outcome", "mean_residual", "mae"):
            entry[m] = jsonable(float(row[m])) if shown else None
            if shown and ci is not None:
                bounds = [jsonable(float(ci.iloc[i][(m, b)])) for b in ("low", "high")]
                intervals[m] = None if None in bounds else bounds
        entry["ci"] = intervals
        entry["scoring_rate"] = (
            jsonable(float(scoring.rates[i])) if shown and scoring is not None else None
        )
        rows.append(entry)
    return {
        "attributes": rm.sensitive_names,
        "groups": rows,
        "overall": {
            k: jsonable(v) if k == "count" or not rm.overall_hidden else None
            for k, v in rm.overall.items()
        },
        "scoring": None
        if scoring is None
        else {"median": jsonable(scoring.median), "side": scoring.side},
    }


def conditional_dict(gaps: ConditionalGaps) -> dict[str, Any]:
    return {
        "reference": gaps.reference,
        "factors": gaps.factors,
        "strata": gaps.n_strata,
        "scale": "log" if gaps.log else "difference",
        "groups": [
            {"group": str(g), **{k: jsonable(v) for k, v in row.items()}}
            for g, row in gaps.table.iterrows()
        ],
    }


def mitigation_dict(frame: pd.DataFrame) -> dict[str, Any]:
    return {
        "note": "Illustration on the audit data (in-sample), not a validated or deployed fix.",
        "method": "fairlearn.postprocessing.ThresholdOptimizer",
        "rows_used": frame.attrs.get("rows_used"),
        "rows": {str(k): {c: jsonable(v) for c, v in row.items()} for k, row in frame.iterrows()},
    }


def flip_dict(flip: FlipResult) -> dict[str, Any]:
    return {
        "rows_tested": flip.n_rows,
        "pairs": [{k: jsonable(v) for k, v in row.items()} for _, row in flip.pairs.iterrows()],
    }


def _tests_by_row(tests: pd.DataFrame) -> list[dict[str, dict[str, float]]]:
    """{metric: {test: p}} for each group in order, tests that were not run left out."""
    names = [(str(metric), str(test)) for metric, test in tests.columns]
    out: list[dict[str, dict[str, float]]] = []
    for row in tests.to_numpy(dtype=float):
        entry: dict[str, dict[str, float]] = {}
        for (metric, test), value in zip(names, row, strict=True):
            if not np.isnan(value):
                entry.setdefault(metric, {})[test] = float(value)
        out.append(entry)
    return out
