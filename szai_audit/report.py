"""The HTML report: page structure from a result, charts as inline SVG, Jinja2 rendering.

Three stages, kept apart: :class:`~szai_audit.result.AuditResult` holds the numbers;
:func:`build_page` turns them into a page structure (sections, rows, texts in both languages,
charts); the Jinja2 templates in ``templates/`` turn that structure into one HTML file with
inline CSS and SVG, no script and no external URL. Autoescape is always on: every value from
the user's data (column names, group labels, metadata) is escaped.
"""

from __future__ import annotations

import io
import json
import math
import re
import warnings
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np
import pandas as pd

from .data import MISSING_LABEL, group_label
from .errors import ReportError
from .fairness import GroupMetrics
from .findings import Finding, Status
from .narrative import (
    METADATA_LABELS,
    METRIC_EXPLANATIONS,
    METRIC_LABELS,
    Message,
    fmt_pct,
    fmt_ratio,
    ground_label,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .result import AuditResult, SensitiveInfo

__all__ = ["build_page", "plot_group_rates", "render_report"]

#: CSS font stack for Chinese and Latin text, used by the page and by the charts' SVG text.
FONT_STACK = (
    "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', "
    "'Hiragino Sans GB', 'WenQuanYi Micro Hei', 'DejaVu Sans', Arial, sans-serif"
)
_MPL_CJK_CANDIDATES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
)
TABLE_METRICS = (
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
    "precision",
    "accuracy",
)
STATUS_CSS = {s.value: s.value.lower().replace("_", "-") for s in Status}


# --------------------------------------------------------------------------------------------
# Jinja2
# --------------------------------------------------------------------------------------------


def templates_dir() -> Path:
    """The templates folder: inside the installed package, or at the top of a source tree."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "report.html.j2").is_file():
            return candidate
    raise ReportError(
        f"report templates not found next to {here}; reinstall szai_audit (the wheel ships "
        f"them as szai_audit/templates)."
    )


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja2 environment: autoescape on for every template, undefined names raise."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        status_css=STATUS_CSS,
        msg=Message,
        ground_label=ground_label,
        fmt_value=_fmt_value,
        fmt_threshold=_fmt_threshold,
        article_label=_article_label,
        count_label=METRIC_LABELS["count"],
        overall_label=Message("全部", "Overall"),
    )
    return env


_ARTICLES = {
    "72(4)": Message("第七十二条第（四）项", "Art. 72(4)"),
    "72(5)": Message("第七十二条第（五）项", "Art. 72(5)"),
    "71": Message("第七十一条", "Art. 71"),
    "66": Message("第六十六条", "Art. 66"),
    "72": Message("第七十二条", "Art. 72"),
    "33": Message("第三十三条", "Art. 33"),
}


def _article_label(article: str) -> Message:
    return _ARTICLES.get(article, Message(article, f"Art. {article}"))


def _is_ratio(f: Finding) -> bool:
    return f.check.endswith("_ratio")


def _points(x: float) -> Message:
    return Message(f"{100 * x:.1f} 个百分点", f"{100 * x:.1f} pp")


def _fmt_value(f: Finding) -> Message:
    if f.value is None:
        return Message("—", "—")
    if _is_ratio(f):
        return Message(fmt_ratio(f.value), fmt_ratio(f.value))
    return _points(f.value)


def _fmt_threshold(f: Finding) -> Message:
    if f.threshold is None:
        return Message("—", "—")
    if _is_ratio(f):
        return Message(f"≥ {fmt_ratio(f.threshold)}", f"≥ {fmt_ratio(f.threshold)}")
    p = _points(f.threshold)
    return Message(f"≤ {p.zh}", f"≤ {p.en}")


# --------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------


def _label(msg: Message, lang: str) -> str:
    if lang == "bilingual":
        return f"{msg.zh}\n{msg.en}"
    return msg[lang]


def plot_group_rates(
    gm: GroupMetrics,
    metric: str = "selection_rate",
    *,
    ax: Axes | None = None,
    min_group_size: int = 1,
    favorable_is_positive: bool = True,
    reference: float | None = None,
    lang: str = "en",
) -> Axes:
    """Horizontal bar chart of one rate by group, on ``ax`` (a new Figure if None).

    No pyplot state is touched: without ``ax`` a standalone ``matplotlib.figure.Figure`` is
    created. Groups whose rate rests on fewer than ``min_group_size`` people are left out.

    Parameters
    ----------
    gm : GroupMetrics
    metric : str
        ``"favorable_rate"`` (share of favourable decisions) or a column of ``gm.by_group``.
    ax : matplotlib Axes, optional
    min_group_size : int
        Groups below this size are not drawn.
    favorable_is_positive : bool
        Used by ``"favorable_rate"``: whether the positive label is the favourable decision.
    reference : float, optional
        Draw a dashed vertical line at this value (e.g. four fifths of the best rate).
    lang : {"en", "zh", "bilingual"}
        Language of the axis label.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from szai_audit.fairness import group_metrics
    >>> gm = group_metrics(None, [1, 0, 1, 1], ["a", "a", "b", "b"])
    >>> ax = plot_group_rates(gm)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['a', 'b']
    """
    if ax is None:
        from matplotlib.figure import Figure

        ax = Figure(figsize=(6, 0.4 * len(gm.by_group) + 1.2)).subplots()
    if metric == "favorable_rate":
        sel = gm.by_group["selection_rate"]
        values = sel if favorable_is_positive else 1.0 - sel
        den = gm.denominators()["selection_rate"]
    else:
        values = gm.by_group[metric]
        den = gm.denominators()[metric]
    keep = (den >= min_group_size).to_numpy() & values.notna().to_numpy()
    labels = [group_label(k) for k in values.index[keep]]
    vals = values.to_numpy()[keep]
    y = np.arange(len(vals))[::-1]
    colors = ["#9aa5b1" if MISSING_LABEL in lbl else "#3b6ea8" for lbl in labels]
    ax.barh(y, vals, color=colors, height=0.6)
    for yi, v in zip(y, vals):
        ax.text(v + 0.01, yi, fmt_pct(v), va="center", fontsize=8, color="#222")
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 1.12)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{100 * x:.0f}%")
    if reference is not None and math.isfinite(reference):
        ax.axvline(reference, color="#b3261e", linestyle="--", linewidth=1)
    ax.set_xlabel(_label(METRIC_LABELS[metric], lang), fontsize=9)
    ax.tick_params(labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


@lru_cache(maxsize=1)
def _mpl_font_family() -> list[str]:
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return [n for n in _MPL_CJK_CANDIDATES if n in names] + ["DejaVu Sans"]


_SVG_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.S)
_SVG_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_SVG_XMLNS = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')
_SVG_FONT = re.compile(r"font-family:[^;\"]*")


def figure_to_svg(fig: Figure, chart_id: str) -> str:
    """Inline SVG of a Figure: text kept as text, no XML prologue, no namespace URLs.

    ``chart_id`` salts matplotlib's element ids so that several charts in one page never share
    an id.
    """
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": chart_id}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buf.getvalue()
    svg = _SVG_PROLOGUE.sub("", svg, count=1)
    svg = _SVG_METADATA.sub("", svg)
    svg = _SVG_XMLNS.sub("", svg)
    svg = _SVG_FONT.sub("font-family: " + FONT_STACK.replace('"', "'"), svg)
    svg = svg.replace("<svg ", f'<svg role="img" class="chart" id="{chart_id}" ', 1)
    return svg.strip()


def _fairness_chart(
    gm: GroupMetrics, ground: str, result: AuditResult, lang: str, favorable_is_positive: bool
) -> str:
    import matplotlib
    from matplotlib.figure import Figure

    panels = ["favorable_rate"]
    if gm.has_outcomes:
        panels += ["true_positive_rate", "false_positive_rate"]
    n_groups = len(gm.by_group)
    with matplotlib.rc_context({"font.family": _mpl_font_family(), "font.size": 9}):
        fig = Figure(figsize=(3.0 * len(panels) + 1.2, 0.32 * n_groups + 1.4), layout="constrained")
        axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
        for ax, metric in zip(axes, panels):
            ref = None
            if metric == "favorable_rate":
                ratio = next(
                    (
                        f
                        for f in result.findings
                        if f.ground == ground and f.check == "fairness.selection_rate_ratio"
                    ),
                    None,
                )
                best = (ratio.details.get("rates") or {}).get(ratio.best_group) if ratio else None
                if best is not None:
                    ref = result.policy.selection_rate_ratio_min * float(best)
            plot_group_rates(
                gm,
                metric,
                ax=ax,
                min_group_size=result.policy.min_group_size,
                favorable_is_positive=favorable_is_positive,
                reference=ref,
                lang=lang,
            )
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
            return figure_to_svg(fig, f"chart-{_slug(ground)}")


def _slug(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]+", "-", text).strip("-") or "x"


# --------------------------------------------------------------------------------------------
# Page structure
# --------------------------------------------------------------------------------------------


def _table(gm: GroupMetrics, min_size: int) -> dict[str, Any]:
    """Rows of formatted cells; rates resting on fewer than ``min_size`` people withheld."""
    metrics = [m for m in TABLE_METRICS if gm.has_outcomes or m == "selection_rate"]
    if gm.has_scores:
        metrics.append("mean_score")
    by_group, den = gm.by_group, gm.denominators()
    rows = []
    for key, row in by_group.iterrows():
        count = int(row["count"])
        suppressed = count < min_size
        cells = []
        for m in metrics:
            if suppressed or int(den.loc[key, m]) < min_size:
                cells.append({"text": "—", "withheld": True})
            elif m == "mean_score":
                cells.append({"text": fmt_ratio(float(row[m]), 3), "withheld": False})
            else:
                cells.append({"text": fmt_pct(float(row[m])), "withheld": False})
        rows.append(
            {
                "group": group_label(key),
                "group_keys": [str(k) for k in (key if isinstance(key, tuple) else (key,))],
                "count": count,
                "suppressed": suppressed,
                "missing": MISSING_LABEL in group_label(key),
                "cells": cells,
            }
        )
    overall = gm.overall
    overall_cells = [
        fmt_ratio(float(overall[m]), 3) if m == "mean_score" else fmt_pct(float(overall[m]))
        for m in metrics
    ]
    return {
        "attributes": [ground_label(a) for a in gm.sensitive_names],
        "columns": [METRIC_LABELS[m] for m in metrics],
        "rows": rows,
        "overall": {"count": int(overall["count"]), "cells": overall_cells},
    }


def _binning_note(info: SensitiveInfo) -> Message | None:
    if info.binning is None:
        return None
    groups = "、".join(info.binning.labels)
    groups_en = ", ".join(info.binning.labels)
    edges = ", ".join(f"{e:g}" for e in info.binning.edges)
    if info.binning.method == "user":
        return Message(
            f"该属性为数值型，按用户指定的切分点（{edges}）分为：{groups}。",
            f"This attribute is numeric and was grouped at the cut points the user gave "
            f"({edges}): {groups_en}.",
        )
    return Message(
        f"该属性为数值型，按分位数自动分组（切分点 {edges}，取整）：{groups}。可通过 bins 参数指定切分点。",
        f"This attribute is numeric and was grouped by quantiles (cut points {edges}, rounded): "
        f"{groups_en}. Pass bins= to choose the cut points.",
    )


def _source_note(info: SensitiveInfo) -> Message:
    if info.column is None:
        return Message("数据来源：单独提供的数组。", "Source: an array supplied separately.")
    where = {"data": ("模型输入数据", "the model's input data"), "sensitive_data": (
        "单独提供的敏感属性表", "a separate table of sensitive attributes"
    )}[info.source]
    return Message(
        f"数据来源：{where[0]}中的列“{info.column}”。",
        f"Source: column “{info.column}” of {where[1]}.",
    )


def _missing_note(info: SensitiveInfo) -> Message | None:
    if not info.n_missing:
        return None
    return Message(
        f"有 {info.n_missing} 行缺少该属性，列为“{MISSING_LABEL}”组，仅展示、不参与比较。",
        f"{info.n_missing} rows lack this attribute; they are shown as the group "
        f"“{MISSING_LABEL}” and left out of the comparisons.",
    )


def _method(result: AuditResult) -> list[Message]:
    scope, policy = result.scope, result.policy
    pos, fav = scope.positive_label, scope.favorable_label
    fav_is_pos = str(pos) == str(fav)
    paras = [
        Message(
            f"本次审计涵盖 {scope.n_rows} 行记录。决定的来源：{scope.decision_rule}。"
            f"统计指标以“{pos}”为正类；对当事人有利的决定为“{fav}”。",
            f"The audit covers {scope.n_rows} rows. Decisions come from: {scope.decision_rule}. "
            f"Rates count “{pos}” as the positive label; the decision favourable to the person "
            f"is “{fav}”.",
        ),
        Message(
            "所有指标均由每组的四格计数（真阳性、假阳性、假阴性、真阴性）精确计算，不做抽样。",
            "Every metric is computed exactly from four counts per group (true positives, false "
            "positives, false negatives, true negatives), without sampling.",
        ),
    ]
    for m in ("selection_rate", "true_positive_rate", "false_positive_rate"):
        e = METRIC_EXPLANATIONS[m]
        label = METRIC_LABELS[m]
        paras.append(
            Message(
                f"{label.zh}：" + e.zh.format(pos=pos), f"{label.en}: " + e.en.format(pos=pos)
            )
        )
    paras.append(
        Message(
            f"有利决定率之比 = 有利决定率最低组 ÷ 最高组；低于 {fmt_ratio(policy.selection_rate_ratio_min)} "
            f"为不通过（五分之四规则）。差异类指标 = 最高组 − 最低组；超过容许上限（正类决定率 "
            f"{fmt_pct(policy.demographic_parity_max)}，真阳性率 "
            f"{fmt_pct(policy.true_positive_rate_difference_max)}，假阳性率 "
            f"{fmt_pct(policy.false_positive_rate_difference_max)}）为不通过。",
            f"Favourable-decision rate ratio = lowest group ÷ highest group; below "
            f"{fmt_ratio(policy.selection_rate_ratio_min)} fails (four-fifths rule). Difference "
            f"checks = highest group − lowest group; above the tolerance (selection rate "
            f"{fmt_pct(policy.demographic_parity_max)}, true-positive rate "
            f"{fmt_pct(policy.true_positive_rate_difference_max)}, false-positive rate "
            f"{fmt_pct(policy.false_positive_rate_difference_max)}) fails.",
        )
    )
    if fav_is_pos:
        worse = Message(
            f"处于不利地位的组：各比率越低越不利（获得“{fav}”的机会更少）。",
            f"Worse off: for every rate, the group with the lower rate (less likely to receive "
            f"“{fav}”).",
        )
    else:
        worse = Message(
            f"处于不利地位的组：“{pos}”对当事人不利，因此各比率越高越不利（例如假阳性率越高，"
            f"被错误判为“{pos}”的人越多）。",
            f"Worse off: “{pos}” is the unfavourable decision, so the group with the higher "
            f"rate is worse off (a higher false-positive rate means more people wrongly "
            f"assigned “{pos}”).",
        )
    paras.append(worse)
    paras.append(
        Message(
            f"小样本规则：某组计算某项比率所依据的人数少于 {policy.min_group_size} 时，该比率不予显示、"
            f"不参与比较；可比较的组少于两个时，结论为“数据不足”，而非通过或不通过。缺少敏感属性的"
            f"记录单列一组，仅展示。",
            f"Small groups: a rate resting on fewer than {policy.min_group_size} people is "
            f"withheld and not compared; a check with fewer than two comparable groups is "
            f"“Insufficient data”, never pass or fail. Rows missing the attribute form a group "
            f"of their own that is shown but not compared.",
        )
    )
    paras.append(
        Message(
            "局限：本版本尚未计算置信区间或进行显著性检验；超过容许上限的差异即判为不通过，"
            "即使可能源于随机波动。",
            "Limitation: this version does not yet compute confidence intervals or test "
            "significance; a gap over the tolerance is reported as a failure even when it could "
            "arise by chance.",
        )
    )
    if not scope.has_outcomes:
        paras.append(
            Message(
                "未提供实际结果，因此只评估决定率；真阳性率、假阳性率等依赖结果的检查为“未评估”。",
                "No actual outcomes were given, so only decision rates were assessed; checks "
                "that need outcomes (true- and false-positive rates) are “Not assessed”.",
            )
        )
    paras.append(
        Message(
            "隐私：报告只包含汇总统计，不包含任何个人记录。",
            "Privacy: the report holds aggregate statistics only, never an individual record.",
        )
    )
    return paras


def _manifest_rows(result: AuditResult) -> list[tuple[Message, str, bool]]:
    m = result.manifest
    rows: list[tuple[Message, str, bool]] = [
        (Message("szai_audit 版本", "szai_audit version"), str(m.get("szai_audit")), False),
        (Message("Python 版本", "Python version"), str(m.get("python")), False),
        (Message("运行平台", "Platform"), str(m.get("platform")), False),
        (
            Message("依赖库版本", "Dependency versions"),
            ", ".join(f"{k} {v}" for k, v in (m.get("dependencies") or {}).items()),
            False,
        ),
    ]
    data = m.get("data")
    if data:
        rows.append(
            (
                Message("数据指纹（sha256）与规模", "Data fingerprint (sha256) and shape"),
                f"{data['sha256']}  ({data['shape'][0]} × {data['shape'][1]})",
                True,
            )
        )
    for key, label in (
        ("y_true_sha256", Message("实际结果指纹（sha256）", "Outcomes fingerprint (sha256)")),
        ("y_pred_sha256", Message("决定指纹（sha256）", "Decisions fingerprint (sha256)")),
    ):
        if m.get(key):
            rows.append((label, str(m[key]), True))
    if m.get("model"):
        rows.append(
            (
                Message("模型类别与参数", "Model class and parameters"),
                json.dumps(m["model"], ensure_ascii=False, indent=1),
                True,
            )
        )
    rows.append((Message("随机种子", "random_state"), str(m.get("random_state")), False))
    rows.append((Message("生成时间（UTC）", "Generated at (UTC)"), str(m.get("generated_at")), False))
    return rows


def build_page(result: AuditResult, lang: str = "bilingual") -> dict[str, Any]:
    """The report's structure (sections, rows, texts, SVG charts) before any HTML is written."""
    scope = result.scope
    fav_is_pos = str(scope.positive_label) == str(scope.favorable_label)
    counts = [(Status(s), n) for s, n in result.status_counts.items()]
    system_rows = [
        (METADATA_LABELS.get(k, Message(k, k)), v) for k, v in result.metadata.items()
    ]
    grounds = []
    for info in result.sensitive:
        gm = result.group_metrics[info.ground]
        grounds.append(
            {
                "ground": info.ground,
                "label": info.label,
                "notes": [
                    n
                    for n in (_source_note(info), _binning_note(info), _missing_note(info))
                    if n is not None
                ],
                "table": _table(gm, result.policy.min_group_size),
                "chart": _fairness_chart(gm, info.ground, result, lang, fav_is_pos),
                "findings": [
                    f for f in result.findings if f.ground == info.ground and f.article == "72(4)"
                ],
            }
        )
    not_provided = [f for f in result.findings if f.check == "fairness.ground_not_provided"]
    findings_sorted = sorted(result.findings, key=lambda f: f.status.severity)
    policy_rows = [(k, v) for k, v in result.policy.to_dict().items()]
    scope_rows = [
        (Message("审计行数", "Rows audited"), str(scope.n_rows)),
        (
            Message("审计方式", "Mode"),
            "模型 / model" if scope.mode == "model" else "仅决定记录 / predictions only",
        ),
        (Message("决定来源", "Decision rule"), scope.decision_rule),
        (Message("有利决定", "Favourable decision"), str(scope.favorable_label)),
        (Message("实际结果", "Actual outcomes"), "有 / yes" if scope.has_outcomes else "无 / no"),
        (
            Message("敏感属性", "Sensitive attributes"),
            ", ".join(
                f"{s.label.zh} / {s.label.en}" + (f" ({s.column})" if s.column else "")
                for s in result.sensitive
            ),
        ),
    ]
    intersection = None
    if result.intersection is not None:
        intersection = _table(result.intersection, result.policy.min_group_size)
    return {
        "lang": lang,
        "html_lang": {"zh": "zh-CN", "en": "en", "bilingual": "zh-CN"}[lang],
        "font_stack": FONT_STACK,
        "title": Message("人工智能算法合规审计报告", "AI algorithm compliance audit report"),
        "subtitle": Message(
            "依据《深圳经济特区人工智能产业促进条例》", "Under the Shenzhen Special Economic Zone "
            "Regulations on Promoting the Artificial Intelligence Industry"
        ),
        "system_name": result.metadata.get("system_name"),
        "verdict": result.verdict,
        "verdict_message": result.verdict_message,
        "counts": counts,
        "findings_sorted": findings_sorted,
        "system_rows": system_rows,
        "scope_rows": scope_rows,
        "grounds": grounds,
        "not_provided": not_provided,
        "intersection": intersection,
        "min_group_size": result.policy.min_group_size,
        "method": _method(result),
        "policy_rows": policy_rows,
        "manifest_rows": _manifest_rows(result),
        "content_sha256": result.content_sha256,
        "generated_at": result.manifest.get("generated_at"),
    }


def render_report(result: AuditResult, lang: str = "bilingual") -> str:
    """Render the full HTML report for ``result``."""
    page = build_page(result, lang)
    return environment().get_template("report.html.j2").render(page=page, lang=lang)


def render_notebook_summary(result: AuditResult) -> str:
    """A compact summary for notebooks: inline styles only, so nothing leaks into the page."""
    page = {
        "verdict": result.verdict,
        "verdict_message": result.verdict_message,
        "counts": [(Status(s), n) for s, n in result.status_counts.items() if n],
        "findings": sorted(result.findings, key=lambda f: f.status.severity),
        "n_rows": result.scope.n_rows,
    }
    return environment().get_template("notebook.html.j2").render(page=page)


