"""Personal-information protection impact assessment for automated decisions (PIPL Art. 55, 56).

PIPL Art. 55(2) requires an assessment before personal information is used for automated
decision-making; Art. 56(1) names what it covers (whether the purpose and method are lawful,
legitimate and necessary; the impact on individuals' rights and the security risks; whether the
protective measures are lawful, effective and proportionate to the risk) and Art. 56(2) that
the report be kept at least three years. The parts follow the steps of GB/T 39335-2020 (5.1
necessity, 5.2 preparation, 5.3 data mapping, 5.4 risk sources, 5.5 impact on personal rights,
5.6 comprehensive risk analysis, 5.7 report, 5.8 risk treatment), filled with the audit's
Art. 72(2)(iv), 72(2)(v), 71 and 33(2) results.
"""

from __future__ import annotations

import datetime as _dt

from ..core.articles import DISCRIMINATION, EXPLANATION, PRICES, PRIVACY
from ..core.messages import Message
from .base import DRAFTED, MEASURED, Field, Filing, Part, needs
from .citations import Clause, cite, shenzhen
from .facts import AuditFacts, add_years

__all__ = ["RETENTION_YEARS", "pia_filing"]

#: PIPL Art. 56(2): the report and the processing records are kept at least three years.
RETENTION_YEARS = 3


def _gb(section: str, zh: str) -> Clause:
    return cite("gbt39335", zh=f" {section} {zh}", en=f"§{section}")


def _necessity(facts: AuditFacts) -> Part:
    ctx = facts.context or {}
    automation = ctx.get("automation")
    if automation == "advisory":
        value = Message(
            "系统仅供参考、由人决定；是否属于自动化决策须人工判断",
            "advisory, a person decides: whether this is automated decision-making is for a "
            "person to judge",
        )
    else:
        value = Message(
            "是：利用个人信息进行自动化决策，须事前评估",
            "yes: personal information is used for automated decision-making, which needs an "
            "assessment beforehand",
        )
    return Part(
        "necessity",
        Message("评估必要性", "Whether an assessment is needed"),
        (cite("pipl", 55, item=2), cite("pipl", 73), _gb("5.1", "评估必要性分析")),
        (),
        (
            Field(
                Message("是否须评估", "Assessment needed"),
                value,
                DRAFTED,
                Message("确认", "confirm"),
            ),
            facts.context_field(
                "automation",
                Message("自动化程度", "Degree of automation"),
                Message("写明自动化程度", "state the degree of automation"),
            ),
        ),
    )


def _preparation(facts: AuditFacts, day: _dt.date) -> Part:
    keep = add_years(day, RETENTION_YEARS)
    return Part(
        "preparation",
        Message("评估准备与保存", "Preparation and retention"),
        (_gb("5.2", "评估准备"), cite("pipl", 56, paragraph=2)),
        (),
        (
            Field(
                Message("评估日期", "Date of assessment"),
                Message(day.isoformat(), day.isoformat()),
                MEASURED,
            ),
            Field(
                Message("至少保存至", "Keep at least until"),
                Message(keep.isoformat(), keep.isoformat()),
                MEASURED,
            ),
            facts.card_field(
                "system_name",
                Message("评估对象", "System assessed"),
                Message("写明系统名称", "name the system"),
            ),
            needs(
                Message("评估人", "Assessor"),
                Message("写明评估人或评估团队", "name the assessor or team"),
            ),
            facts.card_field(
                "responsible_person",
                Message("报告签署人", "Signed by"),
                Message("写明签署报告的负责人", "name who signs the report"),
            ),
        ),
    )


def _data_mapping(facts: AuditFacts) -> Part:
    privacy = facts.doc.get("privacy") or {}
    identifiers = [i["column"] for i in privacy.get("identifiers") or []]
    quasi = (privacy.get("quasi") or {}).get("columns") or []
    grounds = facts.grounds()
    inputs = {f["feature"] for f in (facts.doc.get("explanation") or {}).get("factors") or []}
    as_input = {g["ground"] for g in grounds if g.get("column") in inputs}
    rows = [
        facts.card_field(
            "data_source",
            Message("数据来源", "Source of the data"),
            Message("写明数据来源", "state the source"),
        ),
        facts.card_field(
            "data_period",
            Message("数据期间", "Period"),
            Message("写明数据期间", "state the period"),
        ),
        Field(
            Message("群体属性（敏感个人信息可能）", "Group attributes (possibly sensitive)"),
            Message(
                "、".join(
                    g["label"]["zh"] + ("（模型输入）" if g["ground"] in as_input else "")
                    for g in grounds
                )
                or "无",
                ", ".join(
                    g["label"]["en"] + (" (a model input)" if g["ground"] in as_input else "")
                    for g in grounds
                )
                or "none",
            ),
            MEASURED,
        ),
    ]
    if privacy:
        rows += [
            Field(
                Message("疑似直接标识符的列", "Columns that look like direct identifiers"),
                facts.columns_text(identifiers, Message("未发现", "none found")),
                MEASURED,
            ),
            Field(
                Message("准标识符", "Quasi-identifiers"),
                facts.columns_text(quasi, Message("未指定", "none given")),
                MEASURED,
            ),
        ]
    rows.append(
        needs(
            Message("数据流转与存储", "Flows and storage"),
            Message(
                "写明个人信息的收集、存储、使用、提供、删除各环节",
                "describe how the data are collected, stored, used, shared and deleted",
            ),
        )
    )
    return Part(
        "data_mapping",
        Message("数据映射", "Data mapping"),
        (_gb("5.3", "数据映射分析"),),
        (),
        tuple(rows),
    )


def _purpose(facts: AuditFacts) -> Part:
    factors = facts.factors()
    used = Message(
        "；".join(f"{f['label']['zh']} {f['share']:.1%}" for f in factors) or "（未解释）",
        "; ".join(f"{f['label']['en']} {f['share']:.1%}" for f in factors) or "(not explained)",
    )
    return Part(
        "purpose_and_method",
        Message(
            "处理目的与方式是否合法、正当、必要",
            "Are the purpose and method lawful, legitimate and necessary",
        ),
        (cite("pipl", 56, paragraph=1, item=1), cite("pipl", 5), cite("pipl", 6)),
        (),
        (
            facts.card_field(
                "purpose",
                Message("处理目的", "Purpose"),
                Message("写明处理目的", "state the purpose"),
            ),
            facts.card_field(
                "decision_process",
                Message("处理方式", "Method"),
                Message("写明决定如何作出", "state how decisions are made"),
            ),
            Field(
                Message(
                    "决定所依据的主要因素（占全部影响的比例）",
                    "Main inputs of the decision (share of all influence)",
                ),
                used,
                MEASURED,
            ),
            needs(
                Message("合法性基础", "Legal basis"),
                Message("写明处理的合法性基础（第十三条）", "state the legal basis (Art. 13)"),
            ),
            needs(
                Message("必要性", "Necessity"),
                Message(
                    "逐项说明所用个人信息为实现目的所必需、且为影响最小的方式",
                    "explain why each input is needed for the purpose, and the least intrusive way",
                ),
            ),
        ),
    )


def _rights(facts: AuditFacts) -> Part:
    return Part(
        "rights_impact",
        Message("对个人权益的影响", "Impact on individuals' rights"),
        (
            cite("pipl", 56, paragraph=1, item=2),
            cite("pipl", 24),
            _gb("5.5", "个人权益影响分析"),
            shenzhen(DISCRIMINATION),
            shenzhen(PRICES),
            shenzhen(EXPLANATION),
        ),
        (),
        (
            facts.counts_field(
                Message("差别待遇：群体公平检查", "Differential treatment: group fairness checks"),
                DISCRIMINATION,
            ),
            facts.counts_field(
                Message("交易价格：定价检查", "Transaction prices: price checks"), PRICES
            ),
            facts.counts_field(
                Message("透明度：算法说明检查", "Transparency: explanation checks"), EXPLANATION
            ),
            facts.card_field(
                "appeal",
                Message(
                    "说明与拒绝的权利：申诉途径",
                    "Right to an explanation and to refuse: how to appeal",
                ),
                Message(
                    "写明个人如何要求说明、拒绝仅由自动化决策作出的决定",
                    "state how a person asks for an "
                    "explanation and refuses a decision made solely by automated means",
                ),
            ),
        ),
        facts.tables(DISCRIMINATION, PRICES, EXPLANATION),
    )


def _security(facts: AuditFacts) -> Part:
    privacy = facts.doc.get("privacy") or {}
    quasi = privacy.get("quasi") or {}
    fields = [facts.counts_field(Message("去标识化检查", "De-identification checks"), PRIVACY)]
    if quasi.get("k_anonymity") is not None:
        k, req = quasi["k_anonymity"], quasi.get("k_required")
        fields.append(
            Field(
                Message("k-匿名", "k-anonymity"),
                Message(f"k = {k}（要求至少 {req}）", f"k = {k} (at least {req} required)"),
                MEASURED,
            )
        )
    fields.append(
        needs(
            Message("安全事件可能性", "Likelihood of a security incident"),
            Message(
                "评估网络、人员、第三方等风险源导致泄露或滥用的可能性",
                "assess how likely networks, staff or third parties are to cause a leak or misuse",
            ),
        )
    )
    return Part(
        "security_risk",
        Message("安全风险", "Security risks"),
        (
            cite("pipl", 56, paragraph=1, item=2),
            _gb("5.4", "识别风险源"),
            _gb("5.6", "安全风险综合分析"),
            shenzhen(PRIVACY),
        ),
        (),
        tuple(fields),
        facts.tables(PRIVACY),
    )


def _measures(facts: AuditFacts) -> Part:
    return Part(
        "measures",
        Message(
            "保护措施是否合法、有效并与风险程度相适应",
            "Are the measures lawful, effective and proportionate to the risk",
        ),
        (cite("pipl", 56, paragraph=1, item=3), _gb("5.8", "风险处置和持续改进")),
        (
            Message(
                "审计可证明的措施：按群体测量差异（第七十二条第二款第（四）项）、算法说明（第七十"
                "一条）、去标识化扫描（第三十三条第二款）；其余措施须人工写明。",
                "What the audit evidences: disparities measured by group (Art. 72(2)(iv)), the "
                "algorithm explained (Art. 71), the de-identification scan (Art. 33(2)); other "
                "measures must be written by a person.",
            ),
        ),
        (
            facts.card_field(
                "decision_process",
                Message("人工复核", "Human review"),
                Message("写明人工复核方式", "state how people review decisions"),
            ),
            needs(
                Message("技术与管理措施", "Technical and organisational measures"),
                Message(
                    "写明加密、访问控制、权限、日志、培训等措施",
                    "state encryption, access control, logging, training...",
                ),
            ),
            needs(
                Message("措施与风险是否相适应", "Proportionate to the risk"),
                Message(
                    "判断上述措施是否足以应对本评估发现的风险",
                    "judge whether the measures answer the risks found",
                ),
            ),
        ),
    )


def _conclusion(facts: AuditFacts, day: _dt.date) -> Part:
    keep = add_years(day, RETENTION_YEARS)
    verdict = (facts.doc.get("summary") or {}).get("verdict_message") or {"zh": "", "en": ""}
    return Part(
        "conclusion",
        Message("评估结论与报告保存", "Conclusion and keeping the report"),
        (_gb("5.7", "评估报告"), cite("pipl", 56, paragraph=2)),
        (
            Message(
                f"审计总体结论：{verdict['zh']}", f"The audit's overall result: {verdict['en']}"
            ),
            Message(
                f"本报告与处理情况记录应至少保存三年，即至少至 {keep.isoformat()}。",
                f"This report and the processing records are to be kept at least three years, "
                f"that is at least until {keep.isoformat()}.",
            ),
        ),
        (
            needs(
                Message("评估结论", "Conclusion"),
                Message(
                    "写明处理活动是否可以开展、须满足的条件",
                    "state whether the processing may go ahead, and on what conditions",
                ),
            ),
        ),
    )


def pia_filing(facts: AuditFacts, day: _dt.date) -> Filing:
    """The impact assessment drafted from an audit (see the module docstring)."""
    return Filing(
        kind="pia",
        title=Message(
            "个人信息保护影响评估报告（自动化决策）",
            "Personal information protection impact assessment (automated decision-making)",
        ),
        instruments=("pipl", "gbt39335", "szai"),
        date=day.isoformat(),
        source=facts.source(),
        parts=(
            _necessity(facts),
            _preparation(facts, day),
            _data_mapping(facts),
            _purpose(facts),
            _rights(facts),
            _security(facts),
            _measures(facts),
            _conclusion(facts, day),
        ),
        intro=(
            Message(
                "本评估由审计结果起草，结构参照 GB/T 39335-2020 的实施流程；审计测得的部分已填入，"
                "合法性基础、必要性、安全措施与结论须由个人信息保护负责人填写。",
                "Drafted from the audit's results, in the order of the GB/T 39335-2020 process; "
                "what the audit measured is filled in, the legal basis, necessity, security "
                "measures and conclusion must be written by the person responsible for personal "
                "information protection.",
            ),
        ),
        extra={"retain_until": add_years(day, RETENTION_YEARS).isoformat()},
    )
