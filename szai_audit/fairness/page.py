"""The Art. 72(2)(iv) part of the report: one section per ground and intersection.

Each section holds the group table with intervals, the charts, the score metrics, the proxies,
the flip test, the fix-cost illustration, the gaps after legitimate factors and the group tests,
as plain dicts and :class:`~szai_audit.core.messages.Message` texts for the templates
(``templates/_fairness_section.html.j2``). Nothing here renders HTML.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd

from ..core.catalog import say
from ..core.conclusion import Statement, most_serious_first
from ..core.data import group_label, is_missing_group_key
from ..core.findings import Finding, Status
from ..core.grounds import INTERSECTION_SEP, ground_label
from ..core.labels import ValueLabels
from ..core.messages import Message, fmt_amount, fmt_pct, fmt_ratio, minus
from ..core.policy import Policy
from ..core.scope import Scope, SensitiveInfo, binning_note, missing_note, source_note
from ..core.stats import z_value
from . import words
from .analysis import FairnessAnalysis
from .charts import rates_chart, regression_chart, reliability_chart
from .checks import (
    ARTICLE,
    CONDITIONAL,
    FLIP,
    GROUND_NOT_PROVIDED,
    INTERSECTION_NOT_ASSESSED,
    PROXY,
    RATE_CHECKS,
    SELECTION_RATE,
    SELECTION_RATIO,
    TREND,
    TURNED,
)
from .metrics import GroupMetrics
from .proxies import proxies_of, stand_in
from .regression import RegressionMetrics
from .words import METRIC_LABELS, rate_label

__all__ = [
    "Results",
    "conclusion_statements",
    "display_names",
    "flip_section",
    "ground_anchor",
    "ground_notes",
    "limits",
    "proxy_section",
    "sections",
]

#: The check id of the attribute's share of the model's influence (declared by
#: :mod:`szai_audit.explain`, which this package does not import).
SHARE_CHECK = "fairness.attribution_share"


class Results(Protocol):
    """What the Art. 72(2)(iv) page part reads of an audit's result
    (:class:`szai_audit.AuditResult` has all of it)."""

    @property
    def findings(self) -> list[Finding]: ...
    @property
    def value_labels(self) -> ValueLabels: ...
    @property
    def feature_labels(self) -> Mapping[str, Sequence[str]]: ...
    @property
    def policy(self) -> Policy: ...
    @property
    def scope(self) -> Scope: ...
    @property
    def sensitive(self) -> tuple[SensitiveInfo, ...]: ...
    @property
    def fairness(self) -> FairnessAnalysis: ...


TABLE_METRICS = (
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
    "precision",
    "accuracy",
)


def _chart_group_name(result: Results, key: str, lang: str) -> Callable[[str], str]:
    """A chart's name for a group of ``key``: its value label, in Chinese unless the page is
    English-only (a bilingual chart keeps one line per group)."""
    labels, side = result.value_labels, "en" if lang == "en" else "zh"
    return lambda raw: labels.group(key, raw)[side]


def display_names(result: Results) -> Mapping[str, Any]:
    """Display names of the model's inputs: the audit's ``feature_labels``
    (``{column: (zh, en[, unit])}``)."""
    return dict(result.feature_labels)


def ground_anchor(key: str) -> str:
    """The id of a ground's (or an intersection's) section: ``ground-gender``,
    ``ground-gender-x-age``.

    >>> ground_anchor("gender × nationality")
    'ground-gender-x-nationality'
    """
    slug = key.replace(INTERSECTION_SEP, "-x-")
    return "ground-" + "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in slug)


def _pts(v: float) -> str:
    return minus(f"{100 * v:.1f}")


def _label_groups(table: dict[str, Any] | None, names: Any, vl: ValueLabels) -> None:
    """The group cells of a table written with the value labels (a Message each)."""
    if table is None:
        return
    for r in table["rows"]:
        r["group_keys"] = [
            vl.value(n, part) for n, part in zip(names, r["group_keys"], strict=False)
        ]


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
    visible = rm.shown(min_size)
    for i, (key, row) in enumerate(rm.by_group.iterrows()):
        count = int(row["count"])
        suppressed = not visible[i]
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
    big = rm.by_group["count"].to_numpy() >= min_size
    return {
        "attributes": [_attribute_header(a, columns) for a in rm.sensitive_names],
        "columns": [METRIC_LABELS[m] for m in metrics],
        "rows": rows,
        "overall": {
            "count": int(overall["count"]),
            "cells": ["—" if rm.overall_hidden else fmt_amount(float(overall[m])) for m in metrics],
        },
        # Figures withheld to protect a small group (the table's note).
        "protected": bool(rm.overall_hidden or (big & ~visible).any()),
    }


def _attribute_header(ground: str, columns: dict[str, str | None]) -> Message:
    """A table's heading for a ground: its display name, in either language (the data column
    is code, named only in the method appendix's technical names)."""
    return ground_label(ground)


def _table(
    gm: GroupMetrics,
    min_size: int,
    columns: dict[str, str | None],
    ci: pd.DataFrame | None = None,
    favorable_is_positive: bool = True,
    name: Message | None = None,
) -> dict[str, Any] | None:
    """Rows of formatted cells with intervals; rates resting on fewer than ``min_size`` people
    withheld; a column withheld in every row is left out, and a table with no column left is
    None (``name``: the favourable decision's, which names its rate)."""
    metrics = [m for m in TABLE_METRICS if gm.has_outcomes or m == "selection_rate"]
    if gm.has_scores:
        metrics.append("mean_score")
    by_group = gm.by_group
    # Positional arrays (not .loc by label per cell: 15 tables of 625 groups took 13 s).
    shown = gm.shown(min_size)[metrics].to_numpy(dtype=bool)
    decided = gm.shown(min_size)["selection_rate"].to_numpy(dtype=bool)
    # Figures resting on enough people, withheld to protect a small group (the table's note).
    big = gm.denominators()[metrics].to_numpy() >= min_size
    big &= by_group["count"].to_numpy()[:, None] >= min_size
    protected = bool((big & ~shown).any()) or bool(gm.overall_private)
    values = by_group[metrics].to_numpy(dtype=float)
    counts = by_group["count"].to_numpy()
    bounds = None
    if ci is not None:
        bounds = {m: ci[[(m, "low"), (m, "high")]].to_numpy(dtype=float) for m in metrics}
    rows = []
    for i, key in enumerate(by_group.index):
        count = int(counts[i])
        suppressed = not decided[i]
        cells = []
        for j, m in enumerate(metrics):
            if suppressed or not shown[i, j]:
                cells.append({"text": "—", "withheld": True, "ci": ""})
                continue
            fmt = (lambda v: fmt_ratio(v, 3)) if m == "mean_score" else fmt_pct
            interval = ""
            if bounds is not None:
                lo, hi = (float(b) for b in bounds[m][i])
                if np.isfinite(lo) and np.isfinite(hi):
                    interval = f"{fmt(lo)}–{fmt(hi)}"
            cells.append({"text": fmt(float(values[i, j])), "withheld": False, "ci": interval})
        rows.append(_group_row(key, count, suppressed, cells))
    overall = gm.overall
    overall_cells = [
        "—"
        if m in gm.overall_private
        else fmt_ratio(float(overall[m]), 3)
        if m == "mean_score"
        else fmt_pct(float(overall[m]))
        for m in metrics
    ]
    keep = [j for j in range(len(metrics)) if any(not r["cells"][j]["withheld"] for r in rows)]
    if not rows or not keep:
        return None
    for r in rows:
        r["cells"] = [r["cells"][j] for j in keep]
    return {
        "attributes": [_attribute_header(a, columns) for a in gm.sensitive_names],
        "columns": [
            rate_label(metrics[j], favorable_is_positive, gm.pos_label, name) for j in keep
        ],
        "rows": rows,
        "overall": {"count": int(overall["count"]), "cells": [overall_cells[j] for j in keep]},
        "protected": protected,
    }


def _score_section(result: Results, key: str, lang: str, chart_id: str) -> dict[str, Any] | None:
    """Score metrics of one ground: table with intervals and a reliability chart."""
    sm = result.fairness.score_metrics.get(key)
    if sm is None:
        return None
    z = z_value(result.policy.confidence_level)
    min_size = result.policy.min_group_size
    rows: list[dict[str, Any]] = []
    for (name, row), shown in zip(sm.by_group.iterrows(), sm.shown(min_size), strict=True):

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
            return minus(f"{100 * v:.1f}")

        rows.append(
            {
                "group": result.value_labels.group(key, str(name)),
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
    names = [
        METRIC_LABELS["auc"],
        METRIC_LABELS["calibration_offset"].join(say("fairness.score_section.points")),
    ] + ([] if sm.threshold is None else [METRIC_LABELS["positive_rate_at_threshold"]])
    keep = [j for j in range(len(names)) if any(r["cells"][j]["text"] != "—" for r in rows)]
    chart = (
        reliability_chart(
            sm,
            sm.bins_shown(min_size, result.policy.k_anonymity),
            lang,
            chart_id,
            tick_label=_chart_group_name(result, key, lang),
        )
        if sm.probabilities
        else None
    )
    if not keep and chart is None:
        return None
    for r in rows:
        r["cells"] = [r["cells"][j] for j in keep]
    return {
        "threshold": None if sm.threshold is None else f"{sm.threshold:g}",
        "columns": [names[j] for j in keep],
        "rows": rows if keep else [],
        "chart": chart,
    }


def proxy_section(result: Results, key: str) -> dict[str, Any] | None:
    """The proxy ranking of one ground (top 10 features); bold rows are its proxies by the
    audit's one rule (:func:`~szai_audit.fairness.proxies.proxies_of`), the inputs every
    finding, action, notice and filing calls proxies."""
    report = result.fairness.proxies.get(key)
    if report is None or report.features.empty:
        return None
    threshold = result.policy.proxy_auc_threshold
    shown = set(proxies_of(report, threshold))
    rows = []
    for name, row in report.features.head(10).iterrows():
        low, high = float(row["auc_low"]), float(row["auc_high"])
        rows.append(
            {
                "feature": words.feature_name(str(name), display_names(result)),
                "kind": say("fairness.proxy_section.categorical")
                if row["kind"] == "categorical"
                else say("fairness.proxy_section.numeric"),
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
        "n_rows": f"{report.n_rows:,}",
        "threshold": f"{threshold:.2f}",
    }


def flip_section(result: Results, key: str, unit: Message | None = None) -> dict[str, Any] | None:
    """The counterfactual flip test of one ground, one row per (from, to) pair; ``unit`` (a
    price's currency) is that of the mean change of a numeric output, which its heading names
    and its cells are written in (to the cent)."""
    flip = result.fairness.flips.get(key)
    if flip is None or flip.pairs.empty:
        return None
    vl = result.value_labels

    def change(x: float) -> str:
        if not np.isfinite(x):
            return "—"
        return minus(f"{x:,.2f}") if unit is not None else fmt_ratio(x, 3)

    rows = [
        {
            "source": vl.group(key, str(r["from_group"])),
            "target": vl.group(key, str(r["to_group"])),
            "n": int(r["n"]),
            "changed": fmt_pct(float(r["changed"])),
            "to_favourable": fmt_pct(float(r["to_favourable"])),
            "to_unfavourable": fmt_pct(float(r["to_unfavourable"])),
            "score": change(float(r["mean_score_change"])),
            "flagged": float(r["changed"]) > result.policy.flip_tolerance,
        }
        for _, r in flip.pairs.iterrows()
    ]
    if all(row["score"] == "—" for row in rows):
        for row in rows:
            row.pop("score")
    heads = _FLIP_HEADS["pricing" if result.scope.task == "pricing" else "decisions"]
    if unit is not None:
        heads = {
            **heads,
            "score": say("fairness.flip_heads.with_unit", head=heads["score"], unit=unit),
        }
    return {
        "rows": rows,
        "n_rows": f"{flip.n_rows:,}",
        "scores": "score" in rows[0],
        "heads": heads,
    }


#: The flip table's headings: decisions, or prices (a pricing audit).
_FLIP_HEADS: dict[str, dict[str, Message]] = {
    "decisions": {
        "changed": say("fairness.flip_heads.changed"),
        "up": say("fairness.flip_heads.up"),
        "down": say("fairness.flip_heads.down"),
        "score": say("fairness.flip_heads.score"),
        "note": say("fairness.flip_heads.note"),
    },
    "pricing": {
        "changed": say("fairness.flip_heads.changed_2"),
        "up": say("fairness.flip_heads.up_2"),
        "down": say("fairness.flip_heads.down_2"),
        "score": say("fairness.flip_heads.score_2"),
        "note": say("fairness.flip_heads.note_2"),
    },
}


_MITIGATION_ROWS = {
    "audited": say("fairness.mitigation_rows.audited"),
    "demographic_parity": say("fairness.mitigation_rows.demographic_parity"),
    "equalized_odds": say("fairness.mitigation_rows.equalized_odds"),
}


def _mitigation_note(result: Results, key: str) -> Message | None:
    """Why "what a fix would cost" is not shown for a ground: it is computed only when one of
    the ground's decision-rate checks is beyond its tolerance and the audit has the model's
    scores and the outcomes."""
    if key in result.fairness.mitigation:
        return None
    if not (result.scope.has_scores and result.scope.has_outcomes):
        return say("fairness.mitigation_note.needs_scores_and_outcomes")
    beyond = any(
        f.ground == key and f.check in RATE_CHECKS and f.status is Status.FAIL
        for f in result.findings
    )
    return None if beyond else say("fairness.mitigation_note.no_rate_beyond")


def _mitigation_section(result: Results, key: str) -> dict[str, Any] | None:
    """What group thresholds would reach, and cost, on the audit data."""
    frame = result.fairness.mitigation.get(key)
    if frame is None:
        return None

    def points(v: float, signed: bool = False) -> str:
        if not np.isfinite(v):
            return "—"
        return minus(f"{100 * v:.1f}")

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
    """Gaps against the reference, before and after legitimate factors: in favourable
    decisions (percentage points), or for numeric outputs in mean prediction (in the
    prediction's unit, or in percent when measured on the log scale)."""
    gaps = result.fairness.conditional.get(key)
    if gaps is None or gaps.table.empty:
        return None
    z = z_value(result.policy.confidence_level)
    numeric = result.scope.task == "regression"
    show: Callable[[float], str] = _pts
    if numeric:
        show = (lambda v: fmt_pct(float(np.expm1(v)))) if gaps.log else fmt_amount

    def fmt(v: float, se: float) -> dict[str, Any]:
        if not np.isfinite(v):
            return {"text": "—", "ci": ""}
        lo, hi = show(v - z * se), show(v + z * se)
        ci = "" if not np.isfinite(se) else Message(f"{lo} 至 {hi}", f"{lo} to {hi}")
        return {"text": show(v), "ci": ci}

    vl = result.value_labels
    rows = [
        {
            "group": vl.group(key, str(g)),
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
    if not rows:
        return None
    reference = vl.group(key, gaps.reference)
    factors = words.feature_names(gaps.factors, display_names(result))
    strata = f"{gaps.n_strata:,}"
    heads, note = None, None
    if numeric:  # the template names the columns and the unit of decision-rate gaps itself
        heads = [
            say("fairness.conditional_table.unadjusted"),
            say("fairness.conditional_table.stratified"),
            say("fairness.conditional_table.regression_adjusted"),
        ]
        note = say(
            "fairness.conditional_table.note_log"
            if gaps.log
            else "fairness.conditional_table.note_difference",
            reference=reference,
            factors=factors,
            strata=strata,
        )
    return {
        "reference": reference,
        "factors": factors,
        "strata": strata,
        "rows": rows,
        "heads": heads,
        "note": note,
    }


def _tests_table(result: Results, key: str) -> dict[str, Any] | None:
    """Adjusted p-values of each group against the rest (and the reference), formatted."""
    tests = result.fairness.group_tests.get(key)
    if tests is None or tests.empty:
        return None
    alpha = result.policy.significance_level
    columns = []
    for metric, test in tests.columns:
        if test.endswith("_adjusted"):
            continue
        versus = (
            say("fairness.tests_table.vs_rest")
            if test == "p_vs_rest"
            else say("fairness.tests_table.vs_reference")
        )
        label = words.metric_label(metric, result.scope.favorable_name)
        columns.append(((metric, test + "_adjusted"), label.join(versus, " ")))
    rows = []
    table = tests[[col for col, _label in columns]].to_numpy(dtype=float)
    for group, row in zip(tests.index, table, strict=True):
        cells = []
        for p in row:
            if not np.isfinite(p):
                cells.append({"text": "—", "significant": False})
            else:
                shown = "<0.001" if p < 0.001 else f"{p:.3f}"
                cells.append({"text": shown, "significant": p < alpha})
        if any(c["text"] != "—" for c in cells):
            rows.append({"group": result.value_labels.group(key, str(group)), "cells": cells})
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
    policy, ci = result.policy, result.fairness.cis.get(key)
    table = _regression_table(rm, policy.min_group_size, columns, ci)
    _label_groups(table, rm.sensitive_names, result.value_labels)
    return {
        "key": key,
        "anchor": ground_anchor(key),
        "label": ground_label(key),
        "intersection": infos.get(key) is None,
        "notes": ground_notes(infos.get(key)),
        "table": table,
        "tests": None,
        "scores": None,
        "proxies": proxy_section(result, key),
        "flips": flip_section(result, key),
        "mitigation": None,
        "mitigation_note": None,
        "conditional": _conditional_section(result, key),
        "chart": regression_chart(rm, f"chart-{index}", policy, lang, ci),
        "chart_caption": say(
            "fairness.regression_section.chart_caption", min_group_size=policy.min_group_size
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
    policy, ci = result.policy, result.fairness.cis.get(key)
    fav_positive = result.scope.favorable_is_positive
    name = result.scope.favorable_name
    table = _table(gm, policy.min_group_size, columns, ci, fav_positive, name)
    _label_groups(table, gm.sensitive_names, result.value_labels)
    notes = ground_notes(infos.get(key))
    rates = result.fairness.base_rates.get(key)
    if rates is not None and rates.note is not None:  # calibration against equal error rates
        notes.append(result.value_labels.localise(rates.note, key))
    return {
        "key": key,
        "anchor": ground_anchor(key),
        "label": ground_label(key),
        "intersection": infos.get(key) is None,
        "notes": notes,
        "table": table,
        "tests": _tests_table(result, key),
        "scores": _score_section(result, key, lang, f"calibration-{index}"),
        "proxies": proxy_section(result, key),
        "flips": flip_section(result, key),
        "mitigation": _mitigation_section(result, key),
        "mitigation_note": _mitigation_note(result, key),
        "conditional": _conditional_section(result, key),
        "chart": rates_chart(
            gm,
            f"chart-{index}",
            policy,
            lang,
            fav_positive,
            ci,
            tick_label=_chart_group_name(result, key, lang),
            name=name,
        ),
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
            for index, (key, rm) in enumerate(result.fairness.regression_metrics.items(), start=1)
        ]
    return [
        _rates_section(result, key, gm, index, lang)
        for index, (key, gm) in enumerate(result.fairness.tables().items(), start=1)
    ]


# --------------------------------------------------------------------------------------------
# Page 1
# --------------------------------------------------------------------------------------------

#: The checks that compare approval rates, summarised in one statement per ground.
_RATE_STATEMENT = (SELECTION_RATIO.id, SELECTION_RATE.id, CONDITIONAL.id, TREND.id)
#: The checks that ask whether the model uses the attribute, summarised in a second one.
_USE_STATEMENT = (FLIP.id, SHARE_CHECK, PROXY.id)
#: Statuses that measured nothing.
_UNMEASURED = (Status.INSUFFICIENT_DATA, Status.NOT_ASSESSED)


def _worst(findings: list[Finding]) -> Status:
    return min((f.status for f in findings), key=lambda s: s.severity)


def _key(f: Finding) -> str:
    return f"{f.check}@{f.ground or ''}"


def _rates_of(result: Results, key: str) -> dict[str, float]:
    """The approval rate of every group of a ground whose rate is shown (favourable
    decisions' share)."""
    gm = result.fairness.tables().get(key)
    if gm is None:
        return {}
    sel = gm.by_group["selection_rate"].astype(float)
    fav = sel if result.scope.favorable_is_positive else 1.0 - sel
    shown = gm.shown(result.policy.min_group_size)["selection_rate"].to_numpy()
    return {group_label(k): float(v) for (k, v), ok in zip(fav.items(), shown, strict=True) if ok}


def _small_groups(result: Results, key: str) -> dict[str, int]:
    gm = result.fairness.tables().get(key)
    if gm is None:
        return {}
    shown = gm.shown(result.policy.min_group_size)["selection_rate"].to_numpy()
    return {
        group_label(k): int(n)
        for (k, n), ok in zip(gm.by_group["count"].items(), shown, strict=True)
        if not ok and not is_missing_group_key(k)
    }


def _rate_statement(result: Results, key: str, found: list[Finding]) -> Statement | None:
    """The approval rates of one ground (and the gap after the factors), or that its groups
    are too small to judge."""
    mine = [f for f in found if f.check in _RATE_STATEMENT]
    if not mine:
        return None
    status = _worst(mine)
    checks = tuple(_key(f) for f in mine)
    anchor = ground_anchor(key)
    parity = next((f for f in mine if f.check == SELECTION_RATE.id), None)
    rates = _rates_of(result, key)
    measured = parity is not None and parity.status not in _UNMEASURED
    if not measured or parity is None or parity.worst_group not in rates:
        if all(f.status in _UNMEASURED for f in mine):
            text = words.stmt_too_small(
                key,
                _small_groups(result, key),
                result.policy.min_group_size,
                result.scope.favorable_name,
            )
            flipped = any(
                f.check == FLIP.id and f.ground == key and f.status in (Status.FAIL, Status.PASS)
                for f in result.findings
            )
            if flipped:  # one definition: why the flip test decides where a rate cannot
                text = text.join(say("fairness.flip_decides", ground=ground_label(key)))
            return Statement(ARTICLE, status, text, None, checks, anchor)
        return None
    worst, best = str(parity.worst_group), str(parity.best_group)
    cond = next((f for f in mine if f.check == CONDITIONAL.id and f.ci is not None), None)
    adjusted = None
    if cond is not None and cond.value is not None and cond.ci is not None:
        names = words.feature_names(cond.details.get("factors", []), display_names(result))
        adjusted = (float(cond.value), (float(cond.ci[0]), float(cond.ci[1])), names)
    text = words.stmt_rates(
        key,
        worst=worst,
        worst_rate=rates[worst],
        best=best,
        best_rate=rates.get(best, float("nan")),
        adjusted=adjusted,
        # The interval the conditional finding's status rests on, at its level.
        level=float((cond.details if cond else {}).get("ci_level", result.policy.confidence_level)),
        name=result.scope.favorable_name,
    )
    action = None
    if status in (Status.FAIL, Status.WARN):
        action = words.action_rates(key, status is Status.FAIL, result.scope.favorable_name)
    return Statement(ARTICLE, status, text, action, checks, anchor)


def _use_statement(result: Results, key: str, found: list[Finding]) -> Statement | None:
    """Whether the model uses the attribute: the flip test, the attribute's own share of the
    model's influence, and an input that stands in for it."""
    mine = [f for f in found if f.check in _USE_STATEMENT]
    flip = next((f for f in mine if f.check == FLIP.id and f.status not in _UNMEASURED), None)
    share = next((f for f in mine if f.check == SHARE_CHECK), None)
    perfect = stand_in(result.fairness.proxies.get(key))
    parts: list[Message] = []
    action = None
    if perfect is not None:
        name = words.feature_name(perfect[0], display_names(result))
        shares = {} if share is None else share.details.get("proxy_shares", {})
        unused = share is not None and share.details.get("share") is None
        parts.append(words.stmt_stand_in(key, name, perfect[1], shares.get(perfect[0]), unused))
        action = words.action_stand_in(name)
    if flip is not None and flip.value is not None and (flip.status is Status.FAIL or not parts):
        d = flip.details
        parts.append(
            words.stmt_flip(
                key,
                source=d["from_group"],
                target=d["to_group"],
                n=d["n"],
                changed=flip.value,
                prices=result.scope.task == "pricing",
            )
        )
    own = None if share is None else share.details.get("share")
    if share is not None and share.status is Status.FAIL and own is not None:
        parts.append(words.stmt_share(key, float(own), float(share.threshold or 0.0)))
    used = [f for f in (flip, share) if f is not None]
    if perfect is not None:
        used += [f for f in mine if f.check == PROXY.id]
    if not parts or not used:
        return None
    status = _worst(used)
    if status is Status.FAIL:
        named = [] if share is None else share.details.get("proxies", [])
        action = words.action_attribute(key, words.feature_names(named, display_names(result)))
    elif status is Status.PASS:
        action = None
    text = parts[0]
    for extra in parts[1:]:
        text = text.join(extra)
    return Statement(
        ARTICLE, status, text, action, tuple(_key(f) for f in used), ground_anchor(key)
    )


def _worst_intersection(result: Results, found: dict[str, list[Finding]]) -> str | None:
    """The intersection whose approval-rate findings are the most serious (then the widest)."""
    single = {s.ground for s in result.sensitive}
    keys = [k for k in result.fairness.tables() if k not in single and found.get(k)]
    measured = [
        (k, f)
        for k in keys
        for f in found[k]
        if f.check == SELECTION_RATE.id and f.status not in _UNMEASURED
    ]
    if not measured:
        return None
    return min(measured, key=lambda kf: (kf[1].status.severity, -(kf[1].value or 0.0)))[0]


def _turned_statement(result: Results) -> Statement | None:
    """The decisions that would change without the inputs tied to protected grounds, when
    counted (:data:`~szai_audit.fairness.checks.TURNED`; none when not assessed)."""
    f = next((f for f in result.findings if f.check == TURNED.id), None)
    if f is None or f.status in _UNMEASURED:
        return None
    d = f.details
    text = words.stmt_turned(int(d["explained"]), int(d["to_favourable"]),
                             int(d["to_unfavourable"]))  # fmt: skip
    action = words.action_turned() if f.status is Status.WARN else None
    return Statement(ARTICLE, f.status, text, action, (_key(f),))


def conclusion_statements(result: Results) -> list[Statement]:
    """Page 1 of Art. 72(2)(iv): one or two statements per ground and for the worst
    intersection, most serious first (the approval rates and the gap after legitimate factors;
    whether the model uses the attribute or a stand-in for it), each with the worst status
    of the findings it stands for, the action a FAIL or WARN calls for, the ``check@ground``
    keys of those findings and the anchor of the ground's section (:func:`ground_anchor`);
    then the decisions that rest on the inputs tied to protected grounds, for all grounds
    together. Group values are quoted and then labelled with the audit's value labels."""
    found: dict[str, list[Finding]] = {}
    for f in result.findings:
        if f.article == ARTICLE and f.ground:
            found.setdefault(f.ground, []).append(f)
    keys = [s.ground for s in result.sensitive]
    worst = _worst_intersection(result, found)
    out: list[Statement] = []
    vl = result.value_labels
    for key in [*keys, *([worst] if worst else [])]:
        mine = found.get(key, [])
        for s in (_rate_statement(result, key, mine), _use_statement(result, key, mine)):
            if s is not None:
                out.append(dataclasses.replace(s, text=vl.localise(s.text, key)))
    turned = _turned_statement(result)
    if turned is not None:
        out.append(turned)
    return most_serious_first(out)


def limits(result: Results) -> list[Message]:
    """The limits of the Art. 72(2)(iv) part: the groups too small to judge (names and
    sizes) and the grounds, and intersections, not assessed."""
    out: list[Message] = []
    vl = result.value_labels
    min_size = result.policy.min_group_size
    for s in result.sensitive:
        small = _small_groups(result, s.ground)
        if small:
            out.append(vl.localise(words.limit_small_groups(s.ground, small, min_size), s.ground))
    missing = [
        str(f.ground) for f in result.findings if f.check == GROUND_NOT_PROVIDED.id and f.ground
    ]
    if missing:
        out.append(words.limit_not_provided(missing))
    out += [f.message for f in result.findings if f.check == INTERSECTION_NOT_ASSESSED.id]
    return out
