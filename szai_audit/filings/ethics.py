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
    Message(
        "对人类生命健康、价值理念、生态环境有重大影响的新物种合成研究",
        "synthesis of new species with a major effect on human life and health, values "
        "or the environment",
    ),
    Message(
        "将人干细胞导入动物胚胎或胎儿并孕育成个体的研究",
        "human stem cells brought into animal embryos or foetuses grown into individuals",
    ),
    Message(
        "改变人类生殖细胞、受精卵或着床前胚胎遗传物质的基础研究",
        "basic research changing the genetic material of human germ cells, zygotes or "
        "pre-implantation embryos",
    ),
    Message(
        "侵入式脑机接口用于神经、精神类疾病治疗的临床研究",
        "clinical research on invasive brain-computer interfaces for neurological or "
        "psychiatric disease",
    ),
    Message(
        "对人的行为、心理情绪和生命健康有较强影响的人机融合系统",
        "human-machine fusion systems with a strong effect on behaviour, emotions or health",
    ),
    Message(
        "具有舆论社会动员能力和社会意识引导能力的算法模型、应用程序及系统",
        "algorithms, apps and systems able to mobilise public opinion or steer social awareness",
    ),
    Message(
        "面向存在安全、人身健康风险场景的高度自主的自动化决策系统",
        "highly autonomous automated decision-making systems in scenarios with safety or "
        "health risks",
    ),
)

APPLIES, MAY_APPLY, NOT_INDICATED, UNKNOWN = "applies", "may_apply", "not_indicated", "unknown"
_RESULTS = {
    APPLIES: Message("属于清单", "on the list"),
    MAY_APPLY: Message("可能属于清单", "may be on the list"),
    NOT_INDICATED: Message("未见属于清单", "not indicated"),
    UNKNOWN: Message("无法判断，须人工判断", "cannot tell: a person judges"),
}

_OUTSIDE = Message(
    "审计的对象是统计模型与表格数据，不涉及此类研究；由委员会确认",
    "the audit saw a statistical model and tabular data, not such research; the committee confirms",
)


def _item6(ctx: Mapping[str, Any] | None, public_opinion: bool | None) -> tuple[str, Message]:
    if public_opinion is True:
        return APPLIES, Message(
            "使用者声明具有舆论或社会动员能力", "stated: it can mobilise opinion"
        )
    if public_opinion is False:
        return NOT_INDICATED, Message(
            "使用者声明不具有舆论或社会动员能力", "stated: it cannot mobilise opinion"
        )
    if ctx is not None and ctx["domain"] == "recommendation_marketing":
        return MAY_APPLY, Message(
            "用于推荐与营销，可能影响舆论；须由使用者说明",
            "used for recommendation and marketing, which can shape opinion; state public_opinion",
        )
    return UNKNOWN, Message(
        "使用场景未说明是否具有舆论或社会动员能力；须由使用者说明",
        "the use context does not say whether it can mobilise opinion; state public_opinion",
    )


def _item7(ctx: Mapping[str, Any] | None) -> tuple[str, Message]:
    if ctx is None:
        return UNKNOWN, Message(
            "未提供使用场景（Audit(context=...)）", "no use context given (Audit(context=...))"
        )
    automated = ctx["automation"] == "fully_automated"
    risky = ctx["domain"] in SAFETY_DOMAINS
    if automated and risky:
        return MAY_APPLY, Message(
            "完全自动决定，且用于存在安全或健康风险的领域",
            "decides fully automatically, in a field with safety or health risks",
        )
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
        lead = Message(
            f"筛查显示本系统可能属于专家复核清单第 {items} 项：经本单位科技伦理（审查）委员会初步"
            f"审查后，须报请所在地方或相关行业主管部门组织专家复核。",
            f"The screen finds the system may fall under item(s) {', '.join(map(str, flagged))} "
            f"of the expert re-review list: after the unit's ethics committee's initial review, "
            f"it is to be sent to the local or sector authority for expert re-review.",
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
            Message("筛查结果", "Screen result"),
            lead,
            DRAFTED,
            Message("委员会确认", "the committee confirms"),
        )
    ]
    if unknown:
        fields.append(
            needs(
                Message(
                    f"清单第 {'、'.join(map(str, unknown))} 项",
                    f"List item(s) {', '.join(map(str, unknown))}",
                ),
                Message("判断是否属于清单", "judge whether the system is on the list"),
            )
        )
    table = Table(
        Message(
            "需要开展专家复核的科技活动清单：逐项筛查", "The expert re-review list, item by item"
        ),
        (
            Message("项", "Item"),
            Message("清单所列（简述）", "What it covers (in short)"),
            Message("筛查", "Screen"),
            Message("依据", "Why"),
        ),
        rows,
        note=Message(
            "清单条目为本库的简述，以科技部公布的清单为准。",
            "The items are this library's short words; the list as published is the reference.",
        ),
        marked=tuple(i - 1 for i in flagged),
    )
    return Part(
        "expert_review_screen",
        Message("是否需要专家复核", "Whether an expert re-review is needed"),
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
            Message("数据处理合规：去标识化", "Data handling: de-identification"), PRIVACY
        ),
        facts.counts_field(
            Message("算法公平：群体差异", "Fairness: group disparities"), DISCRIMINATION
        ),
        facts.counts_field(Message("透明：算法说明", "Transparency: explanation"), EXPLANATION),
        Field(Message("风险等级", "Risk tier"), TIERS[tier], MEASURED)
        if tier in TIERS
        else needs(
            Message("风险等级", "Risk tier"),
            Message("确定风险等级（第六十六条第二款）", "set the risk tier (Art. 66(2))"),
        ),
        facts.card_field(
            "decision_process",
            Message("可控：人工复核", "Control: human review"),
            Message("写明人工复核与干预方式", "state how people review and intervene"),
        ),
        facts.card_field(
            "appeal",
            Message("用户权益保护", "Protection of users' rights"),
            Message("写明申诉与救济途径", "state how people appeal"),
        ),
        needs(
            Message("伦理风险评估与应急处置方案", "Ethics risk assessment and contingency plan"),
            Message("写明风险监测与应急处置方案", "describe monitoring and the contingency plan"),
        ),
    ]
    return Part(
        "review_focus",
        Message("审查重点：数据与算法", "What the review looks at: data and algorithms"),
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
        Message("审查记录", "Review record"),
        (cite(_MEASURES, 14), cite(_MEASURES, 15), shenzhen("72")),
        (),
        (
            Field(
                Message("审计日期", "Date of the audit"),
                Message(day.isoformat(), day.isoformat()),
                MEASURED,
            ),
            Field(
                Message("审计结果的内容哈希", "Audit result's content hash"),
                Message(str(src.get("audit_content_sha256")), str(src.get("audit_content_sha256"))),
                MEASURED,
            ),
            Field(
                Message("审计总体结论", "Audit's overall result"),
                label,
                MEASURED,
            ),
            needs(
                Message("委员会", "Committee"),
                Message("写明科技伦理（审查）委员会名称", "name the ethics committee"),
            ),
            needs(
                Message("到会委员", "Members present"),
                Message("列出到会委员（不少于 5 人）", "list the members present (at least 5)"),
            ),
            needs(
                Message("审查日期", "Date of the review"),
                Message("写明审查会议日期", "date of the review meeting"),
            ),
            needs(
                Message("审查决定", "Decision"),
                Message("写明审查决定及理由", "state the decision and why"),
            ),
            needs(
                Message("附加条件", "Conditions"),
                Message("写明批准所附条件（如有）", "state any conditions"),
            ),
        ),
    )


def _follow_up_part(
    facts: AuditFacts, day: _dt.date, months: int, comparison: Comparison | None
) -> Part:
    due = add_months(day, months)
    paras = [
        Message(
            f"下次跟踪审查不晚于 {due.isoformat()}（间隔 {months} 个月）：届时重新运行审计，并与本"
            f"次审计作比较（命令见英文说明）。",
            f"Next follow-up review by {due.isoformat()} ({months} months): run the audit again "
            f"and compare it with this one (result.compare(this_result), or szai-audit compare "
            f"THIS.json NEW.json).",
        )
    ]
    fields = [
        Field(
            Message("下次跟踪审查截止日期", "Next follow-up review due"),
            Message(due.isoformat(), due.isoformat()),
            MEASURED,
        )
    ]
    if comparison is not None:
        fields += _comparison_fields(comparison, day, months)
    return Part(
        "follow_up",
        Message("跟踪审查", "Follow-up review"),
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
    due = add_months(then, months)
    on_time = day <= due
    timing = (
        Message(
            f"按期（上次审计 {then.isoformat()}，应不晚于 {due.isoformat()}）",
            f"on time (last audit {then.isoformat()}, due by {due.isoformat()})",
        )
        if on_time
        else Message(
            f"逾期（上次审计 {then.isoformat()}，应不晚于 {due.isoformat()}）",
            f"late (last audit {then.isoformat()}, due by {due.isoformat()})",
        )
    )
    v0, v1 = _verdict(s["before"]["verdict"]), _verdict(s["after"]["verdict"])
    return [
        Field(Message("本次跟踪审查是否按期", "This follow-up on time"), timing, MEASURED),
        Field(
            Message("总体结论的变化", "Overall result"),
            Message(f"{v0.zh} → {v1.zh}", f"{v0.en} → {v1.en}"),
            MEASURED,
        ),
        Field(
            Message("与上次审计相比", "Since the last audit"),
            Message(
                f"新出现的不通过 {s['appeared_failures']} 项，漂移 {s['drifted']} 项，已解决"
                f" {s['resolved']} 项，新增检"
                f"查 {s['new']} 项",
                f"{s['appeared_failures']} new failures, {s['drifted']} drifted, "
                f"{s['resolved']} resolved, {s['new']} new checks",
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
        title=Message(
            "科技伦理审查：专家复核筛查与审查记录",
            "Ethics review: expert re-review screen and review record",
        ),
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
            Message(
                "本筛查与记录由审计结果起草，供科技伦理（审查）委员会使用；是否属于专家复核清单、"
                "审查决定均由委员会作出。",
                "Drafted from the audit's results for the ethics committee; whether the system "
                "is on the expert re-review list, and the decision, are the committee's.",
            ),
            Message(
                f"{clause.citation.zh}：{clause.quote.zh if clause.quote else ''}",
                f"{clause.citation.en}: {clause.quote.en if clause.quote else ''}",
            ),
        ),
        extra={"follow_up_due": add_months(day, months).isoformat(), "follow_up_months": months},
    )
