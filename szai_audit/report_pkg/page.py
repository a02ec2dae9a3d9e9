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
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np
import pandas as pd

from ._explain_words import EXAMPLE_TITLES, reason_phrase
from ._governance_report import governance_page, privacy_page
from .core.data import group_label, is_missing_group_key
from .core.errors import ReportError
from .fairness import GroupMetrics
from .findings import Finding, Status
from .narrative import (
    METADATA_LABELS,
    METRIC_LABELS,
    Message,
    binning_note,
    fmt_amount,
    fmt_pct,
    fmt_ratio,
    ground_label,
    method_paragraphs,
    missing_note,
    source_note,
)
from .core.stats import z_value

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .result import AuditResult
    from .tracking import Comparison

__all__ = ["build_page", "plot_group_rates", "render_report"]


# --------------------------------------------------------------------------------------------
# Jinja2
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Page structure
# --------------------------------------------------------------------------------------------


def build_page(result: AuditResult, lang: str = "bilingual") -> dict[str, Any]:
    """The report's structure (sections, rows, texts, SVG charts) before any HTML is written."""
    scope = result.scope
    counts = [(Status(s), n) for s, n in result.status_counts.items()]
    system_rows = [(METADATA_LABELS.get(k, Message(k, k)), v) for k, v in result.metadata.items()]
    columns = {s.ground: s.column for s in result.sensitive}
    infos = {s.ground: s for s in result.sensitive}
    sections = []
    regression = result.scope.task == "regression"
    if result.pricing is not None:
        from ._pricing_report import ground_blocks

        for key, block in ground_blocks(result, lang).items():
            info = infos.get(key)
            notes = [] if info is None else [source_note(info), binning_note(info)]
            sections.append(
                {
                    "key": key,
                    "label": ground_label(key),
                    "intersection": False,
                    "notes": [n for n in notes if n is not None],
                    "findings": [
                        f
                        for f in result.findings
                        if f.ground == key
                        and f.article == "72(4)"
                        and not f.check.startswith("pricing.")
                    ],
                    "prices": block,
                    "table": None,
                    "tests": None,
                    "scores": None,
                    "proxies": _proxy_section(result, key),
                    "flips": _flip_section(result, key),
                    "mitigation": None,
                    "conditional": None,
                    "chart": None,
                    "chart_caption": None,
                    "outcome_panels": False,
                }
            )
    all_tables: dict[str, Any] = dict(result.regression_metrics) if regression else result.tables()
    for index, (key, gm) in enumerate(all_tables.items(), start=1):
        info = infos.get(key)
        notes = [] if info is None else [source_note(info), binning_note(info), missing_note(info)]
        ci = result.cis.get(key)
        findings = [
            f
            for f in result.findings
            if f.ground == key
            and f.article == "72(4)"
            and f.check != "fairness.intersection_not_assessed"
        ]
        if regression:
            sections.append(
                {
                    "key": key,
                    "label": ground_label(key),
                    "intersection": info is None,
                    "notes": [n for n in notes if n is not None],
                    "table": _regression_table(gm, result.policy.min_group_size, columns, ci),
                    "tests": None,
                    "scores": None,
                    "proxies": _proxy_section(result, key),
                    "flips": _flip_section(result, key),
                    "mitigation": None,
                    "conditional": None,
                    "chart": _regression_chart(gm, f"chart-{index}", result, lang, ci),
                    "chart_caption": Message(
                        "各组平均预测值，横线为置信区间；人数不足 "
                        f"{result.policy.min_group_size} 的组不画柱。",
                        "Mean prediction by group with confidence intervals; groups of fewer "
                        f"than {result.policy.min_group_size} people have no bar.",
                    ),
                    "outcome_panels": False,
                    "prices": None,
                    "findings": findings,
                }
            )
            continue
        sections.append(
            {
                "key": key,
                "label": ground_label(key),
                "intersection": info is None,
                "notes": [n for n in notes if n is not None],
                "table": _table(gm, result.policy.min_group_size, columns, ci),
                "tests": _tests_table(result, key),
                "scores": _score_section(result, key, lang, f"calibration-{index}"),
                "proxies": _proxy_section(result, key),
                "flips": _flip_section(result, key),
                "mitigation": _mitigation_section(result, key),
                "conditional": _conditional_section(result, key),
                "chart": _fairness_chart(
                    gm, f"chart-{index}", result, lang, scope.favorable_is_positive, ci
                ),
                "chart_caption": None,
                "outcome_panels": gm.has_outcomes,
                "prices": None,
                "findings": findings,
            }
        )
    grounds = [s for s in sections if not s["intersection"]]
    intersections = [s for s in sections if s["intersection"]]
    not_provided = [
        f
        for f in result.findings
        if f.check in ("fairness.ground_not_provided", "fairness.intersection_not_assessed")
    ]
    findings_sorted = sorted(result.findings, key=lambda f: f.status.severity)
    policy_rows = [(k, v) for k, v in result.policy.to_dict().items()]

    def same(text: str) -> Message:
        return Message(text, text)

    attrs = [
        Message(
            s.label.zh + (f"（{s.column}）" if s.column else ""),
            s.label.en + (f" ({s.column})" if s.column else ""),
        )
        for s in result.sensitive
    ]
    scope_rows = [
        (Message("审计行数", "Rows audited"), same(str(scope.n_rows))),
        (
            Message("审计方式", "Mode"),
            Message("模型", "model")
            if scope.mode == "model"
            else Message("仅决定记录", "predictions only"),
        ),
        (Message("决定来源", "Decision rule"), same(scope.decision_rule)),
        (Message("有利方向", "Favourable direction"), Message("价格越低越有利", "a lower price"))
        if scope.task == "pricing"
        else (Message("有利决定", "Favourable decision"), same(str(scope.favorable_label))),
        (
            Message("实际结果", "Actual outcomes"),
            Message("有", "yes") if scope.has_outcomes else Message("无", "no"),
        ),
        (
            Message("敏感属性", "Sensitive attributes"),
            Message("、".join(a.zh for a in attrs), ", ".join(a.en for a in attrs)),
        ),
    ]
    return {
        "lang": lang,
        "html_lang": {"zh": "zh-CN", "en": "en", "bilingual": "zh-CN"}[lang],
        "font_stack": FONT_STACK,
        "font_stack_latin": FONT_STACK_LATIN,
        "title": Message("人工智能算法合规审计报告", "AI algorithm compliance audit report"),
        "subtitle": Message(
            "依据《深圳经济特区人工智能产业促进条例》",
            "Under the Shenzhen Special Economic Zone "
            "Regulations on Promoting the Artificial Intelligence Industry",
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
        "intersections": intersections,
        "pricing": _pricing_page(result, lang),
        "explanation": _explanation_section(result, lang),
        "explanation_findings": [f for f in result.findings if f.article == "71"],
        "notice": result.notice_sections(),
        "governance": governance_page(result),
        "privacy": privacy_page(result),
        "tracking": None,
        "alpha": result.policy.significance_level,
        "min_group_size": result.policy.min_group_size,
        "ratio_min": fmt_ratio(result.policy.selection_rate_ratio_min),
        "method": method_paragraphs(result.scope, result.policy),
        "policy_rows": policy_rows,
        "manifest_rows": _manifest_rows(result),
        "content_sha256": result.content_sha256,
        "generated_at": result.manifest.get("generated_at"),
    }


def _pricing_page(result: AuditResult, lang: str) -> dict[str, Any] | None:
    if result.pricing is None:
        return None
    from ._pricing_report import pricing_section

    return pricing_section(result, lang)


def render_report(
    result: AuditResult, lang: str = "bilingual", comparison: Comparison | None = None
) -> str:
    """Render the full HTML report for ``result`` (with an ex-post tracking section when a
    ``comparison`` with an earlier audit is given)."""
    page = build_page(result, lang)
    if comparison is not None:
        from .tracking import comparison_page

        page["tracking"] = comparison_page(comparison, lang)
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
