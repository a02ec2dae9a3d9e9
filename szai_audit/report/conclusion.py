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
from ..core.catalog import say
from ..core.conclusion import Statement, most_serious_first
from ..core.findings import Finding, Status
from ..core.html import finding_threshold, finding_value, format_interval, subject_label
from ..core.messages import Message, fmt_level, fmt_pct, fmt_ratio
from ..core.metadata import meta_message
from ..explain import page as explain_page
from ..fairness import page as fairness_page
from ..fairness.power import underpowered_message
from ..fairness.words import rate_in_sentence
from ..pricing import page as pricing_page
from ..privacy import page as privacy_page
from ..risk import page as risk_page
from .committee import committee_summary
from .results import Results

__all__ = [
    "DECISIONS",
    "REPORT_INFO_KEYS",
    "SOURCES",
    "beijing_time",
    "conclusion_page",
    "statements",
]

#: The committee's four possible decisions.
DECISIONS: tuple[Message, ...] = (
    say("report.decisions.approve"),
    say("report.decisions.approve_with_conditions_remedies"),
    say("report.decisions.review_again_once_more"),
    say("report.decisions.do_not_approve"),
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

#: Each article's page part that says its findings on page 1.
SOURCES: tuple[tuple[str, Callable[[Any], list[Statement]]], ...] = (
    (DISCRIMINATION, fairness_page.conclusion_statements),
    (PRICES, pricing_page.conclusion_statements),
    (EXPLANATION, explain_page.conclusion_statements),
    (PRIVACY, privacy_page.conclusion_statements),
    (RISK, risk_page.conclusion_statements),
    (ETHICS_REVIEW, risk_page.checklist_statements),
)


def _generic(findings: Sequence[Finding], article: str, level: float) -> list[Statement]:
    """One line per finding that is not a pass, for an article whose page part said nothing."""
    out = []
    for f in sorted(findings, key=lambda f: f.status.severity):
        if f.article != article or f.status is Status.PASS:
            continue
        subject = subject_label(f) if f.ground else None
        head = (
            f.title
            if subject is None
            else say("report.generic.text", subject=subject, title=f.title)
        )
        value, limit = finding_value(f), finding_threshold(f)
        ci = format_interval(f.check, f.ci)  # its level is said beside it
        shown = fmt_level(float(f.details.get("ci_level", level)))
        interval = (
            Message("", "") if ci is None else say("report.generic.interval", level=shown, ci=ci)
        )
        tail, action = _GENERIC_TAIL.get(f.status, (Message("", ""), None))
        if f.status is Status.WARN and _informative_beyond(f):
            tail, action = _INFORMATIVE_TAIL
        out.append(
            Statement(
                article,
                f.status,
                say(
                    "report.generic.tolerance",
                    head=head,
                    value=value,
                    interval=interval,
                    limit=limit,
                    tail=tail,
                ),
                action,
                (f"{f.check}@{f.ground or ''}",),
            )
        )
    return out


_GENERIC_TAIL: dict[Status, tuple[Message, Message | None]] = {
    Status.FAIL: (
        say("report.generic_tail.beyond_tolerance_this_audit"),
        say("report.generic_tail.give_reason_or_remedy"),
    ),
    Status.WARN: (
        say("report.generic_tail.inconclusive_needs_attention"),
        say("report.generic_tail.check_again_with_more"),
    ),
}


#: The tail of an informative WARN whose interval lies beyond the tolerance (a raw price gap
#: that the legitimate factors may explain): said so, not "inconclusive".
_INFORMATIVE_TAIL = (
    say("report.generic_tail.informative_beyond"),
    say("report.generic_tail.see_whether_factors_explain"),
)


def _informative_beyond(f: Finding) -> bool:
    """An informative finding whose named interval lies wholly beyond the tolerance."""
    family = f.details.get("family") or {}
    return family.get("kind") == "informative" and f.details.get("reading") == "FAIL"


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
    return _generic(missing[:3], article, result.policy.confidence_level)


def statements(result: Results) -> list[dict[str, Any]]:
    """Per article (most serious first): its citation, heading, most serious status (that of
    its line in the summary table) and statements."""
    blocks = []
    for article, source in SOURCES:
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
    return say("report.beijing_time.beijing_time_utc_8", text=text)


def _limits(result: Results) -> list[Message]:
    scope = result.scope
    scale = None if result.risk is None else result.risk.context.scale
    rows = say("report.limits.this_audit_rests_records", n_rows=scope.n_rows)
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
    underpowered = underpowered_message(result)
    if underpowered is not None:
        out.insert(1, underpowered)
    if result.unlabelled_note is not None:
        out.append(result.unlabelled_note)
    example = (
        say("report.limits.price_gap_at_most", price_gap_max=fmt_pct(result.policy.price_gap_max))
        if scope.task == "pricing"
        else say(
            "report.limits.approval_rate_ratio_at",
            rate=rate_in_sentence(scope.favorable_name),
            selection_rate_ratio_min=fmt_ratio(result.policy.selection_rate_ratio_min),
        )
    )
    out.append(say("report.limits.every_tolerance_so_this", example=example))
    return out


def _info_rows(result: Results) -> list[tuple[Message, Message | str, bool]]:
    labels = {
        "organisation": say("report.info_rows.organisation"),
        "system_name": say("report.info_rows.system_name"),
        "version": say("report.info_rows.version"),
        "prepared_by": say("report.info_rows.prepared_by"),
        "data_source": say("report.info_rows.data_source"),
        "data_period": say("report.info_rows.data_period"),
        "responsible_person": say("report.info_rows.responsible_person"),
    }
    missing = say("report.info_rows.not_provided_be_supplied")
    rows: list[tuple[Message, Message | str, bool]] = []
    for key in REPORT_INFO_KEYS:
        value = meta_message(result.metadata, key)
        rows.append((labels[key], missing if value is None else value, value is None))
    when = beijing_time(result.manifest.get("generated_at"))
    if when is not None:
        rows.append((say("report.info_rows.generated"), when, False))
    return rows


def conclusion_page(result: Results) -> dict[str, Any]:
    """Everything page 1 prints."""
    blocks = statements(result)
    actions = _actions(blocks)
    return {
        "summary": committee_summary(result, blocks, actions),
        "blocks": blocks,
        "actions": actions,
        "limits": _limits(result),
        "info": _info_rows(result),
        "decisions": DECISIONS,
    }
