"""Page 1 of the report: what was found, article by article, the limits of the audit, what the
organisation must do, who prepared the report, and the committee's decision block.

The sentences come from each article's page part (``conclusion_statements``); this module
orders them (articles by their most serious finding, sentences most serious first), numbers the
actions and ties each to the finding it answers.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from typing import Any

from ..core.articles import (
    DISCRIMINATION,
    ETHICS_REVIEW,
    EXPLANATION,
    PRICES,
    PRIVACY,
    RISK,
    article_label,
    provision,
)
from ..core.conclusion import Statement, most_serious_first
from ..core.findings import Finding, Status
from ..core.html import finding_ci, finding_threshold, finding_value, subject_label
from ..core.messages import Message, first_upper, fmt_pct, fmt_ratio
from ..explain import page as explain_page
from ..fairness import page as fairness_page
from ..pricing import page as pricing_page
from ..privacy import page as privacy_page
from ..risk import page as risk_page
from .results import Results

__all__ = ["DECISIONS", "REPORT_INFO_KEYS", "beijing_time", "conclusion_page", "statements"]

#: The committee's four possible decisions.
DECISIONS: tuple[Message, ...] = (
    Message("同意", "Approve"),
    Message(
        "有条件同意（整改事项、期限见下）", "Approve with conditions (remedies and deadlines below)"
    ),
    Message("补充材料后再审", "Review again once more material is supplied"),
    Message("不同意", "Do not approve"),
)

#: The report's facts of record, from ``metadata``, in the order they are printed.
REPORT_INFO_KEYS: tuple[str, ...] = (
    "organisation",
    "system_name",
    "version",
    "prepared_by",
    "data_source",
    "data_period",
    "responsible_person",
)

_SOURCES: tuple[tuple[str, Callable[[Any], list[Statement]]], ...] = (
    (DISCRIMINATION, fairness_page.conclusion_statements),
    (PRICES, pricing_page.conclusion_statements),
    (EXPLANATION, explain_page.conclusion_statements),
    (PRIVACY, privacy_page.conclusion_statements),
    (RISK, risk_page.conclusion_statements),
    (ETHICS_REVIEW, risk_page.checklist_statements),
)


def _generic(findings: Sequence[Finding], article: str) -> list[Statement]:
    """One line per finding that is not a pass, for an article whose page part said nothing."""
    out = []
    for f in sorted(findings, key=lambda f: f.status.severity):
        if f.article != article or f.status is Status.PASS:
            continue
        subject = subject_label(f) if f.ground else None
        head = (
            f.title
            if subject is None
            else Message(
                f"{subject.zh}：{f.title.zh}",
                f"{first_upper(subject.en)}: {f.title.en}",
            )
        )
        value, limit, ci = finding_value(f), finding_threshold(f), finding_ci(f)
        interval = (
            Message("", "")
            if ci is None
            else Message(f"（95% 置信区间 {ci.zh}）", f" (95% interval {ci.en})")
        )
        tail, action = _GENERIC_TAIL.get(f.status, (Message("", ""), None))
        out.append(
            Statement(
                article,
                f.status,
                Message(
                    f"{head.zh} {value.zh}{interval.zh}，容许范围 {limit.zh}。{tail.zh}",
                    f"{head.en} {value.en}{interval.en}, tolerance {limit.en}. {tail.en}",
                ),
                action,
                (f"{f.check}@{f.ground or ''}",),
            )
        )
    return out


_GENERIC_TAIL: dict[Status, tuple[Message, Message | None]] = {
    Status.FAIL: (
        Message("超出本审计设定的容许范围。", "Beyond the tolerance this audit set."),
        Message(
            "说明理由或整改后重新审计（详见第 2 部分）。",
            "Give the reason or remedy it, then audit again (part 2 has the details).",
        ),
    ),
    Status.WARN: (
        Message("无法确定是否超出容许范围，须关注。", "Inconclusive; it needs attention."),
        Message(
            "用更多数据复核该项（详见第 2 部分）。",
            "Check it again with more data (part 2 has the details).",
        ),
    ),
}


def _uncovered(result: Results, article: str, said: list[Statement]) -> list[Statement]:
    """Generic lines for the article's most serious findings that no statement speaks for,
    when the statements do not reach the article's most serious status (at most three)."""
    own = [f for f in result.findings if f.article == article]
    if not own:
        return []
    worst = min(own, key=lambda f: f.status.severity).status
    if worst is Status.PASS or (said and said[0].status.severity <= worst.severity):
        return []
    covered = {k for s in said for k in s.checks}
    missing = [
        f
        for f in own
        if f.status is worst
        and f"{f.check}@{f.ground or ''}" not in covered
        and f"{f.check}@{f.ground}" not in covered
    ]
    return _generic(missing[:3], article)


def statements(result: Results) -> list[dict[str, Any]]:
    """Per article (most serious first): its citation, heading, most serious status (that of
    its line in the summary table) and statements."""
    blocks = []
    for article, source in _SOURCES:
        said = most_serious_first(source(result))
        said = most_serious_first(said + _uncovered(result, article, said))
        if not said:
            continue
        own = [f.status for f in result.findings if f.article == article]
        worst = min([*own, said[0].status], key=lambda s: s.severity)
        p = provision(article)
        blocks.append(
            {
                "article": article,
                "citation": article_label(article),
                "heading": p.heading() if p is not None else article_label(article),
                "worst": worst,
                "statements": said,
            }
        )
    return sorted(blocks, key=lambda b: b["worst"].severity)


def _actions(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Numbered actions, each tied to the finding (statement, by its number) it answers."""
    out: list[dict[str, Any]] = []
    n_said = 0
    for b in blocks:
        for s in b["statements"]:
            n_said += 1
            if s.action is None or s.status is Status.PASS:
                continue
            n = len(out) + 1
            out.append({"n": n, "action": s.action, "statement": s, "block": b, "answers": n_said})
    return out


def beijing_time(iso: str | None) -> Message | None:
    """An ISO time (UTC) as Beijing time, the zone named.

    >>> beijing_time("2026-12-03T15:10:00+00:00").zh
    '2026-12-03 23:10（北京时间，UTC+8）'
    """
    if not iso:
        return None
    t = _dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.timezone.utc)
    bj = t.astimezone(_dt.timezone(_dt.timedelta(hours=8)))
    text = bj.strftime("%Y-%m-%d %H:%M")
    return Message(f"{text}（北京时间，UTC+8）", f"{text} (Beijing time, UTC+8)")


def _limits(result: Results) -> list[Message]:
    scope = result.scope
    scale = None if result.risk is None else result.risk.context.scale
    rows = Message(
        f"本次审计依据 {scope.n_rows:,} 条记录",
        f"This audit rests on {scope.n_rows:,} records",
    )
    if scale:
        rows = Message(
            rows.zh
            + f"，而提交方估计该系统影响约 {scale:,} 人；结论只对与这些记录相似的人群成立。",
            rows.en + f", while the organisation estimates that the system affects about "
            f"{scale:,} people; the conclusions hold for people like those in the records.",
        )
    else:
        rows = Message(
            rows.zh + "；提交方未说明系统影响的人数，结论只对与这些记录相似的人群成立。",
            rows.en + "; the organisation did not state how many people the system affects, and "
            "the conclusions hold for people like those in the records.",
        )
    out = [rows, *fairness_page.limits(result)]
    if result.unlabelled_note is not None:
        out.append(result.unlabelled_note)
    example = (
        Message(
            f"价格差不超过 {fmt_pct(result.policy.price_gap_max)}",
            f"a price gap of at most {fmt_pct(result.policy.price_gap_max)}",
        )
        if scope.task == "pricing"
        else Message(
            f"批准率之比不低于 {fmt_ratio(result.policy.selection_rate_ratio_min)}",
            f"an approval-rate ratio of at least "
            f"{fmt_ratio(result.policy.selection_rate_ratio_min)}",
        )
    )
    out.append(
        Message(
            f"各项容许范围（如{example.zh}）是本审计设定的政策，不是法律标准；条例本身没有规定"
            "数值界限。超出容许范围表明须说明理由或整改，不等于认定违法。",
            f"Every tolerance ({example.en}, and so on) is this audit's policy, not a legal "
            "standard; the regulation sets no number. A result beyond tolerance calls for a "
            "reason or a remedy; it is not a finding that the law was broken.",
        )
    )
    return out


def _info_rows(result: Results) -> list[tuple[Message, Message | str, bool]]:
    labels = {
        "organisation": Message("组织", "Organisation"),
        "system_name": Message("系统名称", "System"),
        "version": Message("版本", "Version"),
        "prepared_by": Message("报告编制人", "Prepared by"),
        "data_source": Message("数据来源", "Data source"),
        "data_period": Message("数据期间", "Data period"),
        "responsible_person": Message("组织负责人", "Responsible person"),
    }
    missing = Message("未提供（须补充）", "not provided (to be supplied)")
    rows: list[tuple[Message, Message | str, bool]] = []
    for key in REPORT_INFO_KEYS:
        value = result.metadata.get(key)
        rows.append((labels[key], value if value else missing, not value))
    when = beijing_time(result.manifest.get("generated_at"))
    if when is not None:
        rows.append((Message("生成时间", "Generated"), when, False))
    return rows


def conclusion_page(result: Results) -> dict[str, Any]:
    """Everything page 1 prints."""
    blocks = statements(result)
    return {
        "blocks": blocks,
        "actions": _actions(blocks),
        "limits": _limits(result),
        "info": _info_rows(result),
        "decisions": DECISIONS,
    }
