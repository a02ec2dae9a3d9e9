"""The ethics-review screen and record (《科技伦理审查办法（试行）》, 2023).

The Measures bring into review science and technology activities that use personal information
(Art. 2), name what a review looks at, for data and algorithms among others (Art. 15), and keep
a list of activities that, after the unit's committee, need an expert re-review (Art. 25, 26).
The list has seven items; two can concern an audited model: algorithms, apps and systems able to
mobilise public opinion or steer social awareness, and highly autonomous automated
decision-making systems in scenarios with safety or health risks. The screen reads them against
the use context (``Audit(context=...)``); the committee settles them. Approved activities get
a follow-up review, in general at most every 12 months; the record gives the next date, and with
an earlier audit, what :func:`~szai_audit.risk.tracking.compare` found since.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

from ..core.articles import DISCRIMINATION, EXPLANATION, PRIVACY, RISK
from ..core.catalog import say
from ..core.errors import InputError
from ..core.messages import Message
from ..risk.rules import TIERS
from ..risk.tracking import VERDICT_LABELS, Comparison
from .base import DRAFTED, MEASURED, Field, Filing, Part, Table, needs
from .citations import Clause, cite, shenzhen
from .facts import AuditFacts, add_months, parse_date

__all__ = ["FOLLOW_UP_MONTHS_MAX", "REVIEW_LIST", "SAFETY_DOMAINS", "ethics_filing", "screen"]

_MEASURES = "ethics_measures"

#: The follow-up review interval is in general at most 12 months.
FOLLOW_UP_MONTHS_MAX = 12

#: Domains of use whose scenarios carry safety or health risks (for the list's last item).
SAFETY_DOMAINS = ("healthcare", "transport", "public_security")

#: The expert re-review list's seven items, in this library's short words (not the text).
REVIEW_LIST: tuple[Message, ...] = (
    say("filings.ethics.review_list.synthesis_new_species_with"),
    say("filings.ethics.review_list.human_stem_cells_brought"),
    say("filings.ethics.review_list.basic_research_changing_genetic"),
    say("filings.ethics.review_list.clinical_research_invasive_brain"),
    say("filings.ethics.review_list.human_machine_fusion_systems"),
    say("filings.ethics.review_list.algorithms_apps_systems_able"),
    say("filings.ethics.review_list.highly_autonomous_automated_decision"),
)

APPLIES, MAY_APPLY, NOT_INDICATED, UNKNOWN = "applies", "may_apply", "not_indicated", "unknown"
_RESULTS = {
    APPLIES: say("filings.ethics.results.list"),
    MAY_APPLY: say("filings.ethics.results.may_be_list"),
    NOT_INDICATED: say("filings.ethics.results.not_indicated"),
    UNKNOWN: say("filings.ethics.results.cannot_tell_person_judges"),
}

_OUTSIDE = say("filings.ethics.outside")


def _item6(ctx: Mapping[str, Any] | None, public_opinion: bool | None) -> tuple[str, Message]:
    if public_opinion is True:
        return APPLIES, say("filings.ethics.item6.stated_can_mobilise_opinion")
    if public_opinion is False:
        return NOT_INDICATED, say("filings.ethics.item6.stated_cannot_mobilise_opinion")
    if ctx is not None and ctx["domain"] == "recommendation_marketing":
        return MAY_APPLY, say("filings.ethics.item6.used_recommendation_marketing_which")
    return UNKNOWN, say("filings.ethics.item6.use_context_does_not")


def _item7(ctx: Mapping[str, Any] | None) -> tuple[str, Message]:
    if ctx is None:
        return UNKNOWN, say("filings.ethics.item7.no_use_context_given")
    automated = ctx["automation"] == "fully_automated"
    risky = ctx["domain"] in SAFETY_DOMAINS
    if automated and risky:
        return MAY_APPLY, say("filings.ethics.item7.decides_fully_automatically_field")
    why_zh = (
        "完全自动决定，但所用领域不属安全或健康风险场景"
        if automated
        else "决定前有人工复核或仅供参考"
    )
    why_en = (
        "decides fully automatically, but not in a field with safety or health risks"
        if automated
        else "a person reviews or decides"
    )
    return NOT_INDICATED, Message(why_zh, why_en)


def screen(ctx: Mapping[str, Any] | None, public_opinion: bool | None) -> list[tuple[str, Message]]:
    """The screen's result on each of the list's seven items: (result, why).

    >>> [r for r, _ in screen({"domain": "healthcare", "automation": "fully_automated"}, None)]
    ['not_indicated', 'not_indicated', 'not_indicated', 'not_indicated', 'not_indicated', \
'unknown', 'may_apply']
    """
    return [(NOT_INDICATED, _OUTSIDE)] * 5 + [_item6(ctx, public_opinion), _item7(ctx)]


def _screen_part(facts: AuditFacts, public_opinion: bool | None) -> Part:
    results = screen(facts.context, public_opinion)
    rows = tuple(
        (Message(str(i + 1), str(i + 1)), REVIEW_LIST[i], _RESULTS[r], why)
        for i, (r, why) in enumerate(results)
    )
    flagged = [i + 1 for i, (r, _) in enumerate(results) if r in (APPLIES, MAY_APPLY)]
    unknown = [i + 1 for i, (r, _) in enumerate(results) if r == UNKNOWN]
    if flagged:
        items = "、".join(map(str, flagged))
        lead = say(
            "filings.ethics.screen_part.screen_finds_system_may",
            items=Message(items, ", ".join(map(str, flagged))),
        )
    else:
        rest = "、".join(map(str, unknown))
        lead = Message(
            "筛查未见本系统属于专家复核清单"
            + (f"（第 {rest} 项无法判断，须人工判断）" if unknown else "")
            + "；由委员会确认。",
            "The screen does not indicate the system is on the expert re-review list"
            + (
                f" (item(s) {', '.join(map(str, unknown))} cannot be told: a person judges)"
                if unknown
                else ""
            )
            + "; the committee confirms.",
        )
    fields: list[Field] = [
        Field(
            say("filings.ethics.screen_part.screen_result"),
            lead,
            DRAFTED,
            say("filings.ethics.screen_part.committee_confirms"),
        )
    ]
    if unknown:
        fields.append(
            needs(
                say(
                    "filings.ethics.screen_part.list_item_s",
                    value=Message("、".join(map(str, unknown)), ", ".join(map(str, unknown))),
                ),
                say("filings.ethics.screen_part.judge_whether_system_list"),
            )
        )
    table = Table(
        say("filings.ethics.screen_part.expert_re_review_list"),
        (
            say("filings.ethics.screen_part.item"),
            say("filings.ethics.screen_part.what_covers_short"),
            say("filings.ethics.screen_part.screen"),
            say("filings.ethics.screen_part.why"),
        ),
        rows,
        note=say("filings.ethics.screen_part.items_this_library_s"),
        marked=tuple(i - 1 for i in flagged),
    )
    return Part(
        "expert_review_screen",
        say("filings.ethics.screen_part.whether_expert_re_review"),
        (cite(_MEASURES, 25), cite(_MEASURES, 26), cite(_MEASURES, 2)),
        (),
        tuple(fields),
        (table,),
    )


def _focus_part(facts: AuditFacts) -> Part:
    risk = facts.doc.get("risk") or {}
    tier = risk.get("tier")
    fields = [
        facts.counts_field(
            say("filings.ethics.focus_part.data_handling_de_identification"), PRIVACY
        ),
        facts.counts_field(
            say("filings.ethics.focus_part.fairness_group_disparities"), DISCRIMINATION
        ),
        facts.counts_field(say("filings.ethics.focus_part.transparency_explanation"), EXPLANATION),
        Field(say("filings.ethics.focus_part.risk_tier"), TIERS[tier], MEASURED)
        if tier in TIERS
        else needs(
            say("filings.ethics.focus_part.risk_tier"),
            say("filings.ethics.focus_part.set_risk_tier_art"),
        ),
        facts.card_field(
            "decision_process",
            say("filings.ethics.focus_part.control_human_review"),
            say("filings.ethics.focus_part.state_how_people_review"),
        ),
        facts.card_field(
            "appeal",
            say("filings.ethics.focus_part.protection_users_rights"),
            say("filings.ethics.focus_part.state_how_people_appeal"),
        ),
        needs(
            say("filings.ethics.focus_part.ethics_risk_assessment_contingency"),
            say("filings.ethics.focus_part.describe_monitoring_contingency_plan"),
        ),
    ]
    return Part(
        "review_focus",
        say("filings.ethics.focus_part.what_review_looks_at"),
        (cite(_MEASURES, 15), cite(_MEASURES, 9), shenzhen("72"), shenzhen(RISK)),
        (),
        tuple(fields),
        facts.tables(DISCRIMINATION, EXPLANATION, PRIVACY),
    )


def _verdict(verdict: str) -> Message:
    """An audit's overall result in words."""
    return VERDICT_LABELS.get(verdict, Message(verdict, verdict))


def _record_part(facts: AuditFacts, day: _dt.date) -> Part:
    src = facts.source()
    verdict = str(src.get("audit_verdict") or "")
    label = _verdict(verdict)
    return Part(
        "review_record",
        say("filings.ethics.record_part.review_record"),
        (cite(_MEASURES, 14), cite(_MEASURES, 15), shenzhen("72")),
        (),
        (
            Field(
                say("filings.ethics.record_part.date_audit"),
                Message(day.isoformat(), day.isoformat()),
                MEASURED,
            ),
            Field(
                say("filings.ethics.record_part.audit_result_s_content"),
                Message(str(src.get("audit_content_sha256")), str(src.get("audit_content_sha256"))),
                MEASURED,
            ),
            Field(
                say("filings.ethics.record_part.audit_s_overall_result"),
                label,
                MEASURED,
            ),
            needs(
                say("filings.ethics.record_part.committee"),
                say("filings.ethics.record_part.name_ethics_committee"),
            ),
            needs(
                say("filings.ethics.record_part.members_present"),
                say("filings.ethics.record_part.list_members_present_at"),
            ),
            needs(
                say("filings.ethics.record_part.date_review"),
                say("filings.ethics.record_part.date_review_meeting"),
            ),
            needs(
                say("filings.ethics.record_part.decision"),
                say("filings.ethics.record_part.state_decision_why"),
            ),
            needs(
                say("filings.ethics.record_part.conditions"),
                say("filings.ethics.record_part.state_any_conditions"),
            ),
        ),
    )


def _follow_up_part(
    facts: AuditFacts, day: _dt.date, months: int, comparison: Comparison | None
) -> Part:
    due = add_months(day, months)
    paras = [
        say(
            "filings.ethics.follow_up_part.next_follow_up_review",
            value=due.isoformat(),
            months=months,
        )
    ]
    fields = [
        Field(
            say("filings.ethics.follow_up_part.next_follow_up_review_2"),
            Message(due.isoformat(), due.isoformat()),
            MEASURED,
        )
    ]
    if comparison is not None:
        fields += _comparison_fields(comparison, day, months)
    return Part(
        "follow_up",
        say("filings.ethics.follow_up_part.follow_up_review"),
        (
            cite(_MEASURES, zh="第三章第二节（跟踪审查）", en="Ch. III §2 (follow-up review)"),
            shenzhen(RISK),
        ),
        tuple(paras),
        tuple(fields),
    )


def _comparison_fields(comparison: Comparison, day: _dt.date, months: int) -> list[Field]:
    s = comparison.summary
    before = s["before"]
    then = parse_date(before.get("generated_at"), "the earlier audit's generated_at")
    if day < then:
        raise InputError(
            f"the review's date {day} is before the earlier audit it follows ({then}, its "
            f"manifest.generated_at): a follow-up review comes after the last one; check date "
            f"and previous."
        )
    due = add_months(then, months)
    on_time = day <= due
    timing = (
        say(
            "filings.ethics.comparison_fields.time_last_audit_due",
            value=then.isoformat(),
            value_2=due.isoformat(),
        )
        if on_time
        else say(
            "filings.ethics.comparison_fields.late_last_audit_due",
            value=then.isoformat(),
            value_2=due.isoformat(),
        )
    )
    v0, v1 = _verdict(s["before"]["verdict"]), _verdict(s["after"]["verdict"])
    return [
        Field(say("filings.ethics.comparison_fields.this_follow_up_time"), timing, MEASURED),
        Field(
            say("filings.ethics.comparison_fields.overall_result"),
            say("filings.ethics.comparison_fields.text", v0=v0, v1=v1),
            MEASURED,
        ),
        Field(
            say("filings.ethics.comparison_fields.since_last_audit"),
            say(
                "filings.ethics.comparison_fields.new_failures_drifted_resolved",
                s_appeared_failures=s["appeared_failures"],
                s_drifted=s["drifted"],
                s_resolved=s["resolved"],
                s_new=s["new"],
            ),
            MEASURED,
        ),
    ]


def check_months(months: Any, name: str = "follow_up_months") -> int:
    """The follow-up interval, checked: a whole number of months, 1 to 12."""
    if (
        isinstance(months, bool)
        or not isinstance(months, int)
        or not 1 <= months <= FOLLOW_UP_MONTHS_MAX
    ):
        raise InputError(
            f"{name} must be a whole number of months from 1 to "
            f"{FOLLOW_UP_MONTHS_MAX} (the Measures set follow-up reviews in general at most 12 "
            f"months apart), got {months!r}."
        )
    return months


def ethics_filing(
    facts: AuditFacts,
    day: _dt.date,
    *,
    public_opinion: bool | None = None,
    months: int = FOLLOW_UP_MONTHS_MAX,
    comparison: Comparison | None = None,
) -> Filing:
    """The ethics-review screen and record drafted from an audit (see the module docstring)."""
    clause: Clause = shenzhen("72")
    return Filing(
        kind="ethics",
        title=say("filings.ethics.ethics_filing.ethics_review_expert_re"),
        instruments=(_MEASURES, "szai"),
        date=day.isoformat(),
        source=facts.source(),
        parts=(
            _screen_part(facts, public_opinion),
            _focus_part(facts),
            _record_part(facts, day),
            _follow_up_part(facts, day, months, comparison),
        ),
        intro=(
            say("filings.ethics.ethics_filing.drafted_from_audit_s"),
            Message(
                f"{clause.citation.zh}：{clause.quote.zh if clause.quote else ''}",
                f"{clause.citation.en}: {clause.quote.en if clause.quote else ''}",
            ),
        ),
        extra={"follow_up_due": add_months(day, months).isoformat(), "follow_up_months": months},
    )
