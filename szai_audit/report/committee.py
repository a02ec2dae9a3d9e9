"""The committee's summary at the top of page 1: what a committee member who reads nothing else
needs to decide.

* **The facts that matter** (two or three): the most serious findings, each as page 1 says it,
  with its direction where a flip test changed decisions (all towards refusal, say) and, for
  the largest gap in a favourable-decision rate, its scale in people: with ``UseContext.scale``
  people a year, and if the audited rows are representative, about how many more people of the
  group would not receive the favourable decision each year, with the interval (an
  extrapolation, said to be one).
* **What the audit does not cover**: the people's part in the decision (``automation``), and
  the grounds of Art. 72(2)(iv) with no data.
* **A recommended decision with its conditions**, drafted by the tool from the findings and
  marked as its draft: resubmit with explanations or remedies when a check is beyond its
  tolerance, approve with conditions when only warnings or items to review remain, approve
  otherwise. The committee decides.
* **The disclaimer**: a result beyond a tolerance is a reason to explain or remedy, not a
  legal finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..core.catalog import say
from ..core.findings import Finding, Status
from ..core.messages import Message, fmt_level, fmt_pct
from ..fairness import words as fairness_words
from .results import Results

__all__ = ["MAX_CONDITIONS", "MAX_FACTS", "committee_summary"]

#: Facts on page 1, at most.
MAX_FACTS = 3
#: Conditions listed with the recommended decision, at most (the rest: see the actions).
MAX_CONDITIONS = 4

#: The gap whose scale in people page 1 gives.
_RATE_GAP = "fairness.demographic_parity_difference"
_FLIP = "fairness.counterfactual_flip"


def _finding(result: Results, key: str) -> Finding | None:
    check, _, ground = key.partition("@")
    for f in result.findings:
        if f.check == check and (f.ground or "") == ground:
            return f
    return None


def _rounded(n: float) -> str:
    """A number of people as a reader would say it: to two significant figures above 100."""
    if n < 100:
        return f"{round(n):,}"
    digits = len(str(int(n))) - 2
    return f"{int(round(n, -digits)):,}"


def _flip_direction(f: Finding) -> Message | None:
    """Which way the decisions a flip test changed went: all towards refusal, all towards the
    favourable decision, or some each way."""
    down = float(f.details.get("to_unfavourable") or 0.0)
    up = float(f.details.get("to_favourable") or 0.0)
    if down == 0 and up == 0:
        return None
    if up == 0:
        return say("report.committee.flip_all_down")
    if down == 0:
        return say("report.committee.flip_all_up")
    return say("report.committee.flip_both", down=fmt_pct(down), up=fmt_pct(up))


def _scale(result: Results, f: Finding) -> Message | None:
    """The gap of a favourable-decision rate in people a year, if the rows are representative
    and the organisation gave the system's yearly scale."""
    scale = None if result.risk is None else result.risk.context.scale
    comparisons = f.details.get("comparisons") or []
    sizes = f.details.get("sizes") or {}
    if not scale or not comparisons or f.value is None or f.ci is None:
        return None
    top = comparisons[0]
    group = top.get("group")
    n = sum(float(v) for v in sizes.values())
    if group not in sizes or n <= 0:
        return None
    people = scale * float(sizes[group]) / n
    lo, hi = (max(0.0, float(x)) * people for x in f.ci)
    args = {
        "scale": f"{int(scale):,}",
        "group": result.value_labels.group(str(f.ground), str(group)),
        "n": _rounded(float(f.value) * people),
        "lo": _rounded(lo),
        "hi": _rounded(hi),
        "level": fmt_level(float(f.details.get("ci_level", result.policy.confidence_level))),
    }
    name = result.scope.favorable_name
    if name is None:
        return say("report.committee.scale_generic", **args)
    return say("report.committee.scale", decision=name, **args)


def _facts(result: Results, blocks: Sequence[dict[str, Any]]) -> list[Message]:
    """The two or three facts that matter: the statements beyond tolerance first (with the
    direction of a flip test), then the largest gap in a favourable-decision rate with its
    scale in people; when nothing is beyond tolerance, the most serious statements."""
    said = [s for b in blocks for s in b["statements"]]
    serious = [s for s in said if s.status is Status.FAIL]
    chosen = serious[: MAX_FACTS - 1] if serious else []
    out = []
    for s in chosen:
        extra = None
        if s.checks and s.checks[0].startswith(_FLIP + "@"):
            f = _finding(result, s.checks[0])
            extra = None if f is None else _flip_direction(f)
        out.append(s.text if extra is None else s.text.join(extra))
    gaps = [
        f
        for f in result.findings
        if f.check == _RATE_GAP and f.status in (Status.FAIL, Status.WARN) and f.value is not None
    ]
    if gaps:
        f = max(gaps, key=lambda g: float(g.value or 0.0))
        key = f"{f.check}@{f.ground or ''}"
        statement = next((s for s in said if key in s.checks), None)
        scale = _scale(result, f)
        if statement is not None and statement.text not in out:
            text = statement.text
            if scale is not None:
                text = text.join(scale)
            out.append(text)
    for s in said:  # fill up with the most serious others
        if len(out) >= MAX_FACTS:
            break
        if s.status in (Status.FAIL, Status.WARN) and s.text not in out:
            out.append(s.text)
    return out[:MAX_FACTS]


def _not_covered(result: Results) -> list[Message]:
    """What the audit does not cover: the people's part in the decision, and the grounds with
    no data."""
    out = []
    context = None if result.risk is None else result.risk.context
    if context is None:
        out.append(say("report.committee.automation_unknown"))
    elif context.automation == "human_review":
        out.append(say("report.committee.human_review_not_audited"))
    elif context.automation == "advisory":
        out.append(say("report.committee.advisory_not_audited"))
    missing = [
        str(f.ground)
        for f in result.findings
        if f.check == "fairness.ground_not_provided" and f.ground
    ]
    if missing:
        out.append(fairness_words.limit_not_provided(missing))
    out.append(say("report.committee.sample_only", n_rows=result.scope.n_rows))
    return out


def _recommendation(
    result: Results, actions: Sequence[dict[str, Any]]
) -> tuple[Message, list[Message], int]:
    """The tool's draft of the committee's decision, its conditions (the actions of the most
    serious findings first) and how many more actions there are."""
    statuses = {f.status for f in result.findings}
    wanted: tuple[Status, ...]
    if Status.FAIL in statuses:
        decision = say("report.committee.recommend_resubmit")
        wanted = (Status.FAIL,)
    elif statuses & {Status.WARN, Status.NEEDS_REVIEW}:
        decision = say("report.committee.recommend_conditions")
        wanted = (Status.WARN, Status.NEEDS_REVIEW)
    else:
        decision = say("report.committee.recommend_approve")
        wanted = ()
    picked = [a for a in actions if a["statement"].status in wanted]
    conditions = [
        say("report.committee.condition", action=a["action"], n=a["n"])
        for a in picked[:MAX_CONDITIONS]
    ]
    return decision, conditions, max(0, len(picked) - MAX_CONDITIONS)


def committee_summary(
    result: Results, blocks: Sequence[dict[str, Any]], actions: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """The committee's summary (see the module's description), from page 1's blocks of
    statements and its numbered actions."""
    decision, conditions, more = _recommendation(result, actions)
    return {
        "heading": say("report.committee.heading"),
        "facts_heading": say("report.committee.facts_heading"),
        "facts": _facts(result, blocks),
        "not_covered_heading": say("report.committee.not_covered_heading"),
        "not_covered": _not_covered(result),
        "recommendation_heading": say("report.committee.recommendation_heading"),
        "recommendation": decision,
        "conditions": conditions,
        "more_conditions": None if not more else say("report.committee.more", n=more),
        "draft_note": say("report.committee.draft_note"),
        "disclaimer": say("report.committee.disclaimer"),
    }
