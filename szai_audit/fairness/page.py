"""The Article 72(4) part of the report: one section per ground and intersection.

Each section holds the group table with intervals, the charts, the score metrics, the proxies,
the flip test, the fix-cost illustration, the gaps after legitimate factors and the group tests,
as plain dicts and :class:`~szai_audit.core.messages.Message` texts for the templates
(``templates/_fairness_section.html.j2``). Nothing here renders HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np
import pandas as pd

from ..core.conditional import ConditionalGaps
from ..core.data import group_label, is_missing_group_key
from ..core.findings import Finding
from ..core.grounds import ground_label
from ..core.messages import Message, fmt_amount, fmt_pct, fmt_ratio
from ..core.policy import Policy
from ..core.scope import Scope, SensitiveInfo, binning_note, missing_note, source_note
from ..core.stats import z_value
from .charts import rates_chart, regression_chart, reliability_chart
from .checks import ARTICLE, INTERSECTION_NOT_ASSESSED, PROXY
from .counterfactual import FlipResult
from .metrics import GroupMetrics
from .proxies import ProxyReport
from .regression import RegressionMetrics
from .scores import ScoreMetrics
from .words import METRIC_LABELS

__all__ = ["Results", "flip_section", "ground_notes", "proxy_section", "sections"]


class Results(Protocol):
    """What the Article 72(4) page part reads of an audit's result
    (:class:`szai_audit.AuditResult` has all of it)."""

    @property
    def findings(self) -> list[Finding]: ...
    @property
    def policy(self) -> Policy: ...
    @property
    def scope(self) -> Scope: ...
    @property
    def sensitive(self) -> tuple[SensitiveInfo, ...]: ...
    @property
    def cis(self) -> Mapping[str, pd.DataFrame]: ...
    @property
    def group_tests(self) -> Mapping[str, pd.DataFrame]: ...
    @property
    def score_metrics(self) -> Mapping[str, ScoreMetrics]: ...
    @property
    def proxies(self) -> Mapping[str, ProxyReport]: ...
    @property
    def flips(self) -> Mapping[str, FlipResult]: ...
    @property
    def mitigation(self) -> Mapping[str, pd.DataFrame]: ...
    @property
    def conditional(self) -> Mapping[str, ConditionalGaps]: ...
    @property
    def regression_metrics(self) -> Mapping[str, RegressionMetrics]: ...
    def tables(self) -> dict[str, GroupMetrics]: ...


TABLE_METRICS = (
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
    "precision",
    "accuracy",
)


def _group_row(key: Any, count: int, suppressed: bool, cells: list[Any]) -> dict[str, Any]:
    """One row of a group table (a group, or an intersection of groups)."""
    return {
        "group": group_label(key),
        "group_keys": [str(k) for k in (key if isinstance(key, tuple) else (key,))],
        "count": count,
        "suppressed": suppressed,
        "missing": is_missing_group_key(key),
        "cells": cells,
    }


def _regression_table(
    rm: Any, min_size: int, columns: dict[str, str | None], ci: pd.DataFrame | None
) -> dict[str, Any]:
    """Rows of a numeric-output table: means with intervals, small groups withheld."""
    metrics = ["mean_prediction"]
    if rm.has_outcomes:
        metrics += ["mean_outcome", "mean_residual", "mae"]
    rows = []
    for i, (key, row) in enumerate(rm.by_group.iterrows()):
        count = int(row["count"])
        suppressed = count < min_size
        cells = []
        for m in metrics:
            if suppressed:
                cells.append({"text": "—", "withheld": True, "ci": ""})
                continue
            interval = ""
            if ci is not None:
                lo, hi = float(ci.iloc[i][(m, "low")]), float(ci.iloc[i][(m, "high")])
                if np.isfinite(lo) and np.isfinite(hi):
                    interval = f"{fmt_amount(lo)}–{fmt_amount(hi)}"
            cells.append({"text": fmt_amount(float(row[m])), "withheld": False, "ci": interval})
        rows.append(_group_row(key, count, suppressed, cells))
    overall = rm.overall
    return {
        "attributes": [_attribute_header(a, columns) for a in rm.sensitive_names],
        "columns": [METRIC_LABELS[m] for m in metrics],
        "rows": rows,
        "overall": {
            "count": int(overall["count"]),
            "cells": [fmt_amount(float(overall[m])) for m in metrics],
        },
    }


def _attribute_header(ground: str, columns: dict[str, str | None]) -> Message:
    label, column = ground_label(ground), columns.get(ground)
    if not column or column == ground:
        return label
    return Message(f"{label.zh}（{column}）", f"{label.en} ({column})")


def _table(
    gm: GroupMetrics,
    min_size: int,
    columns: dict[str, str | None],
    ci: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Rows of formatted cells with intervals; rates resting on fewer than ``min_size`` people
    withheld."""
    metrics = [m for m in TABLE_METRICS if gm.has_outcomes or m == "selection_rate"]
    if gm.has_scores:
        metrics.append("mean_score")
    by_group, den = gm.by_group, gm.denominators()
    rows = []
    for i, (key, row) in enumerate(by_group.iterrows()):
        count = int(row["count"])
        suppressed = count < min_size
        cells = []
        for m in metrics:
            if suppressed or int(den.loc[key, m]) < min_size:
                cells.append({"text": "—", "withheld": True, "ci": ""})
                continue
            fmt = (lambda v: fmt_ratio(v, 3)) if m == "mean_score" else fmt_pct
            interval = ""
            if ci is not None:
                lo, hi = float(ci.iloc[i][(m, "low")]), float(ci.iloc[i][(m, "high")])
                if np.isfinite(lo) and np.isfinite(hi):
                    interval = f"{fmt(lo)}–{fmt(hi)}"
            cells.append({"text": fmt(float(row[m])), "withheld": False, "ci": interval})
        rows.append(_group_row(key, count, suppressed, cells))
    overall = gm.overall
    overall_cells = [
        fmt_ratio(float(overall[m]), 3) if m == "mean_score" else fmt_pct(float(overall[m]))
        for m in metrics
    ]
    return {
        "attributes": [_attribute_header(a, columns) for a in gm.sensitive_names],
        "columns": [METRIC_LABELS[m] for m in metrics],
        "rows": rows,
        "overall": {"count": int(overall["count"]), "cells": overall_cells},
    }


def _score_section(result: Results, key: str, lang: str, chart_id: str) -> dict[str, Any] | None:
    """Score metrics of one ground: table with intervals and a reliability chart."""
    sm = result.score_metrics.get(key)
    if sm is None:
        return None
    z = z_value(result.policy.confidence_level)
    min_size = result.policy.min_group_size
    rows = []
    for name, row in sm.by_group.iterrows():
        shown = int(row["count"]) >= min_size

        def cell(value: float, se: float | None, fmt: Any, shown: bool = shown) -> dict[str, str]:
            if not shown or not np.isfinite(value):
                return {"text": "—", "ci": ""}
            ci = ""
            if se is not None and np.isfinite(se):
                ci = f"{fmt(value - z * se)}–{fmt(value + z * se)}"
            return {"text": fmt(value), "ci": ci}

        def three(v: float) -> str:
            return f"{v:.3f}"

        def points(v: float) -> str:
            return f"{100 * v:+.1f}".replace("-", "−")

        rows.append(
            {
                "group": str(name),
                "count": int(row["count"]),
                "cells": [
                    cell(float(row["auc"]), float(row["auc_se"]), three),
                    cell(float(row["calibration_offset"]), float(row["calibration_se"]), points)
                    if sm.probabilities
                    else {"text": "—", "ci": ""},
                ]
                + (
                    []
                    if sm.threshold is None
                    else [cell(float(row["positive_rate_at_threshold"]), None, fmt_pct)]
                ),
            }
        )
    return {
        "threshold": None if sm.threshold is None else f"{sm.threshold:g}",
        "columns": [
            METRIC_LABELS["auc"],
            METRIC_LABELS["calibration_offset"].join(Message("（百分点）", "(points)")),
        ]
        + ([] if sm.threshold is None else [METRIC_LABELS["positive_rate_at_threshold"]]),
        "rows": rows,
        "chart": reliability_chart(sm, min_size, lang, chart_id) if sm.probabilities else None,
    }


def proxy_section(result: Results, key: str) -> dict[str, Any] | None:
    """The proxy ranking of one ground (top 10 features); bold rows are those the proxy
    finding shows beyond the limit."""
    report = result.proxies.get(key)
    if report is None or report.features.empty:
        return None
    threshold = result.policy.proxy_auc_threshold
    alpha = result.policy.significance_level
    finding = next((f for f in result.findings if f.check == PROXY.id and f.ground == key), None)
    shown = {
        c["group"]
        for c in (finding.details.get("comparisons", []) if finding is not None else [])
        if c["p_value"] < alpha
    }
    rows = []
    for name, row in report.features.head(10).iterrows():
        low, high = float(row["auc_low"]), float(row["auc_high"])
        rows.append(
            {
                "feature": str(name),
                "kind": Message("类别", "categorical")
                if row["kind"] == "categorical"
                else Message("数值", "numeric"),
                "auc": f"{row['auc']:.3f}",
                "auc_ci": f"{low:.3f}–{high:.3f}" if np.isfinite(low + high) else "",
                "balanced_accuracy": fmt_pct(float(row["balanced_accuracy"])),
                "mi": f"{row['mutual_information']:.3f}",
                "nmi": fmt_pct(float(row["normalized_mi"])),
                "flagged": str(name) in shown,
            }
        )
    all_auc = report.all_features_auc
    return {
        "rows": rows,
        "all_auc": "—" if not np.isfinite(all_auc) else f"{all_auc:.3f}",
        "n_rows": report.n_rows,
        "threshold": f"{threshold:.2f}",
    }


def flip_section(result: Results, key: str) -> dict[str, Any] | None:
    """The counterfactual flip test of one ground, one row per (from, to) pair."""
    flip = result.flips.get(key)
    if flip is None or flip.pairs.empty:
        return None
    rows = [
        {
            "source": str(r["from_group"]),
            "target": str(r["to_group"]),
            "n": int(r["n"]),
            "changed": fmt_pct(float(r["changed"])),
            "to_favourable": fmt_pct(float(r["to_favourable"])),
            "to_unfavourable": fmt_pct(float(r["to_unfavourable"])),
            "score": "—"
            if not np.isfinite(r["mean_score_change"])
            else f"{r['mean_score_change']:+.3f}",
            "flagged": float(r["changed"]) > result.policy.flip_tolerance,
        }
        for _, r in flip.pairs.iterrows()
    ]
    return {"rows": rows, "n_rows": flip.n_rows}


_MITIGATION_ROWS = {
    "audited": Message("审计的决定", "Audited decisions"),
    "demographic_parity": Message("分组阈值：人口均等", "Group thresholds: demographic parity"),
    "equalized_odds": Message("分组阈值：均等化几率", "Group thresholds: equalized odds"),
}


def _mitigation_section(result: Results, key: str) -> dict[str, Any] | None:
    """What group thresholds would reach, and cost, on the audit data."""
    frame = result.mitigation.get(key)
    if frame is None:
        return None

    def points(v: float, signed: bool = False) -> str:
        if not np.isfinite(v):
            return "—"
        return f"{100 * v:+.1f}" if signed else f"{100 * v:.1f}"

    rows = []
    for name, row in frame.iterrows():
        rows.append(
            {
                "label": _MITIGATION_ROWS.get(str(name), Message(str(name), str(name))),
                "accuracy": fmt_pct(float(row["accuracy"])),
                "change": "—" if name == "audited" else points(float(row["accuracy_change"]), True),
                "dp": points(float(row["selection_rate_difference"])),
                "eo": points(float(row["equalized_odds_difference"])),
                "error": row["error"],
            }
        )
    return {"rows": rows, "rows_used": frame.attrs.get("rows_used"), "n_rows": result.scope.n_rows}


def _conditional_section(result: Results, key: str) -> dict[str, Any] | None:
    """Favourable-decision gaps against the reference, before and after legitimate factors."""
    gaps = result.conditional.get(key)
    if gaps is None or gaps.table.empty:
        return None
    z = z_value(result.policy.confidence_level)

    def fmt(v: float, se: float) -> dict[str, str]:
        if not np.isfinite(v):
            return {"text": "—", "ci": ""}
        ci = "" if not np.isfinite(se) else f"{100 * (v - z * se):+.1f}–{100 * (v + z * se):+.1f}"
        return {"text": f"{100 * v:+.1f}", "ci": ci}

    rows = [
        {
            "group": str(g),
            "count": int(r["count"]),
            "cells": [
                fmt(float(r["raw_gap"]), float(r["raw_se"])),
                fmt(float(r["stratified_gap"]), float(r["stratified_se"])),
                fmt(float(r["regression_gap"]), float(r["regression_se"])),
                {"text": fmt_pct(float(r["coverage"])), "ci": ""},
            ],
        }
        for g, r in gaps.table.iterrows()
        if int(r["count"]) >= result.policy.min_group_size
    ]
    return {
        "reference": gaps.reference,
        "factors": ", ".join(gaps.factors),
        "strata": gaps.n_strata,
        "rows": rows,
    }


def _tests_table(result: Results, key: str) -> dict[str, Any] | None:
    """Adjusted p-values of each group against the rest (and the reference), formatted."""
    tests = result.group_tests.get(key)
    if tests is None or tests.empty:
        return None
    alpha = result.policy.significance_level
    columns = []
    for metric, test in tests.columns:
        if test.endswith("_adjusted"):
            continue
        versus = (
            Message("对其余各组", "vs rest")
            if test == "p_vs_rest"
            else Message("对参照组", "vs reference")
        )
        columns.append(((metric, test + "_adjusted"), METRIC_LABELS[metric].join(versus, " ")))
    rows = []
    for group, row in tests.iterrows():
        cells = []
        for col, _label in columns:
            p = float(row[col])
            if not np.isfinite(p):
                cells.append({"text": "—", "significant": False})
            else:
                text = "<0.001" if p < 0.001 else f"{p:.3f}"
                cells.append({"text": text, "significant": p < alpha})
        if any(c["text"] != "—" for c in cells):
            rows.append({"group": str(group), "cells": cells})
    if not rows:
        return None
    return {"columns": [label for _col, label in columns], "rows": rows}


def ground_notes(info: SensitiveInfo | None) -> list[Message]:
    """Where a ground's values came from, how they were grouped, and the rows missing them."""
    if info is None:
        return []
    notes = [source_note(info), binning_note(info), missing_note(info)]
    return [n for n in notes if n is not None]


def _section_findings(result: Results, key: str) -> list[Finding]:
    return [
        f
        for f in result.findings
        if f.ground == key and f.article == ARTICLE and f.check != INTERSECTION_NOT_ASSESSED.id
    ]


def _regression_section(
    result: Results, key: str, rm: RegressionMetrics, index: int, lang: str
) -> dict[str, Any]:
    infos = {s.ground: s for s in result.sensitive}
    columns = {s.ground: s.column for s in result.sensitive}
    policy, ci = result.policy, result.cis.get(key)
    return {
        "key": key,
        "label": ground_label(key),
        "intersection": infos.get(key) is None,
        "notes": ground_notes(infos.get(key)),
        "table": _regression_table(rm, policy.min_group_size, columns, ci),
        "tests": None,
        "scores": None,
        "proxies": proxy_section(result, key),
        "flips": flip_section(result, key),
        "mitigation": None,
        "conditional": None,
        "chart": regression_chart(rm, f"chart-{index}", policy, lang, ci),
        "chart_caption": Message(
            f"各组平均预测值，横线为置信区间；人数不足 {policy.min_group_size} 的组不画柱。",
            "Mean prediction by group with confidence intervals; groups of fewer "
            f"than {policy.min_group_size} people have no bar.",
        ),
        "outcome_panels": False,
        "prices": None,
        "findings": _section_findings(result, key),
    }


def _rates_section(
    result: Results, key: str, gm: GroupMetrics, index: int, lang: str
) -> dict[str, Any]:
    infos = {s.ground: s for s in result.sensitive}
    columns = {s.ground: s.column for s in result.sensitive}
    policy, ci = result.policy, result.cis.get(key)
    fav_positive = result.scope.favorable_is_positive
    return {
        "key": key,
        "label": ground_label(key),
        "intersection": infos.get(key) is None,
        "notes": ground_notes(infos.get(key)),
        "table": _table(gm, policy.min_group_size, columns, ci),
        "tests": _tests_table(result, key),
        "scores": _score_section(result, key, lang, f"calibration-{index}"),
        "proxies": proxy_section(result, key),
        "flips": flip_section(result, key),
        "mitigation": _mitigation_section(result, key),
        "conditional": _conditional_section(result, key),
        "chart": rates_chart(gm, f"chart-{index}", policy, lang, fav_positive, ci),
        "chart_caption": None,
        "outcome_panels": gm.has_outcomes,
        "prices": None,
        "findings": _section_findings(result, key),
    }


def sections(result: Results, lang: str) -> list[dict[str, Any]]:
    """One section per ground, then per intersection, of a classification or regression audit
    (a pricing audit's grounds are drawn with its prices; see :mod:`szai_audit.report`)."""
    if result.scope.task == "regression":
        return [
            _regression_section(result, key, rm, index, lang)
            for index, (key, rm) in enumerate(result.regression_metrics.items(), start=1)
        ]
    return [
        _rates_section(result, key, gm, index, lang)
        for index, (key, gm) in enumerate(result.tables().items(), start=1)
    ]
