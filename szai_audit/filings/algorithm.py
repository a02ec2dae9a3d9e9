"""Algorithm filing material (《互联网信息服务算法推荐管理规定》 Art. 16, 24).

The filing asks for the provider's name, the form of service, the field of application, the
type of algorithm, an algorithm self-assessment report (算法自评估报告) and the content to be
made public (拟公示内容). This module drafts the public content from the audit's explanation
and system card (the basic principle, purpose, operating mechanism and scenario that Art. 16
names), and the self-assessment from its findings: the algorithm (data, model, human
intervention, results, after Art. 8's "mechanism, models, data and outcomes"), the service, the
risks found and their measures, and prices (Art. 21, measured by the 72(5) findings).
"""

from __future__ import annotations

from ..core.articles import DISCRIMINATION, EXPLANATION, PRICES, PRIVACY
from ..core.messages import Message
from ..risk.context import DOMAINS
from .base import MEASURED, Field, Filing, Part, drafted, needs
from .citations import cite, shenzhen
from .facts import AuditFacts

__all__ = ["algorithm_filing"]

_RULES = "algorithm_rules"

_ARTICLE_LABELS = {
    DISCRIMINATION: Message(
        "群体公平（第七十二条第二款第（四）项）", "Group fairness (Art. 72(2)(iv))"
    ),
    PRICES: Message("价格差异（第七十二条第二款第（五）项）", "Price differences (Art. 72(2)(v))"),
    EXPLANATION: Message("算法说明（第七十一条）", "Explanation (Art. 71)"),
    PRIVACY: Message("去标识化（第三十三条第二款）", "De-identification (Art. 33(2))"),
}


def _joined(paragraphs: tuple[Message, ...]) -> Message | None:
    if not paragraphs:
        return None
    return Message("\n".join(p.zh for p in paragraphs), "\n".join(p.en for p in paragraphs))


def _scenario(facts: AuditFacts) -> Message | None:
    ctx = facts.context
    parts = []
    if ctx is not None:
        domain = DOMAINS[ctx["domain"]]
        parts.append(Message(f"应用领域：{domain.zh}", f"Field: {domain.en}"))
        if ctx.get("description"):
            parts.append(Message(ctx["description"], ctx["description"]))
        if ctx.get("scale") is not None:
            n = f"{ctx['scale']:,}"
            parts.append(Message(f"每年约影响 {n} 人", f"About {n} people affected a year"))
    affected = facts.card("affected")
    if affected is not None:
        parts.append(Message(f"适用对象：{affected.zh}", f"Who it applies to: {affected.en}"))
    return _joined(tuple(parts))


def _public_part(facts: AuditFacts) -> Part:
    confirm = Message(
        "确认公示文字准确、易懂，再行公示",
        "confirm the text is accurate and plain before publishing",
    )
    operates = facts.notice_section("How it operates") + facts.notice_section(
        "Main factors and their effect"
    )
    fields = (
        drafted(
            Message("基本原理", "Basic principle"),
            _joined(facts.notice_section("Basic principle")),
            confirm,
        ),
        drafted(
            Message("目的意图", "Purpose and intent"),
            _joined(facts.notice_section("Purpose")),
            Message("写明算法服务的目的", "state what the service is for"),
        ),
        drafted(Message("主要运行机制", "Main operating mechanism"), _joined(operates), confirm),
        drafted(
            Message("应用场景", "Application scenario"),
            _scenario(facts),
            Message("写明在何种场景、对哪些人使用", "state where and on whom it is used"),
        ),
    )
    return Part(
        "public_content",
        Message("拟公示内容", "Content to be made public"),
        (cite(_RULES, 16), cite(_RULES, 24), shenzhen(EXPLANATION)),
        (
            Message(
                "以下四项由审计的算法说明（第七十一条）与系统说明起草，供公示前审定。",
                "The four items below are drafted from the audit's algorithm notice (Art. 71) "
                "and the system card, to be settled before they are published.",
            ),
        ),
        fields,
    )


def _filing_info(facts: AuditFacts) -> Part:
    types = Message(
        "选择算法类型：生成合成类、个性化推送类、排序精选类、检索过滤类或调度决策类",
        "choose the type: generation/synthesis, personalised push, ranking/selection, "
        "search/filtering or scheduling/decision-making",
    )
    return Part(
        "filing_information",
        Message("备案信息", "Filing information"),
        (cite(_RULES, 24), cite(_RULES, 2)),
        (),
        (
            facts.card_field(
                "organisation",
                Message("服务提供者名称", "Provider"),
                Message("填写服务提供者名称", "name the provider"),
            ),
            facts.card_field(
                "system_name",
                Message("算法名称", "Algorithm name"),
                Message("填写算法名称", "name the algorithm"),
            ),
            needs(
                Message("服务形式", "Form of service"),
                Message(
                    "写明服务形式（网站、应用程序、小程序等）",
                    "state the form of service (website, app, mini-program...)",
                ),
            ),
            facts.context_field(
                "domain",
                Message("应用领域", "Field of application"),
                Message("写明应用领域", "state the field of application"),
            ),
            needs(Message("算法类型", "Type of algorithm"), types),
        ),
    )


def _data_model_fields(facts: AuditFacts) -> list[Field]:
    """The data and the model, for the self-assessment."""
    scope = facts.doc.get("scope") or {}
    shape = ((facts.doc.get("manifest") or {}).get("data") or {}).get("shape")
    grounds = "、".join(g["label"]["zh"] for g in facts.grounds()) or "无"
    grounds_en = ", ".join(g["label"]["en"] for g in facts.grounds()) or "none"
    factors = facts.factors()
    model = facts.model_class()
    rows = f"{scope.get('n_rows', 0):,}"
    cols = "" if not shape else f"，{shape[1]} 列"
    cols_en = "" if not shape else f", {shape[1]} columns"
    fields = [
        facts.card_field(
            "data_source",
            Message("数据：来源", "Data: source"),
            Message("写明训练与审计数据的来源", "state where the data come from"),
        ),
        facts.card_field(
            "data_period",
            Message("数据：期间", "Data: period"),
            Message("写明数据所属期间", "state the period the data cover"),
        ),
        Field(
            Message("数据：审计行数", "Data: rows audited"),
            Message(f"{rows} 行{cols}", f"{rows} rows{cols_en}"),
            MEASURED,
        ),
        Field(
            Message("数据：比较的群体属性", "Data: attributes groups were compared by"),
            Message(grounds, grounds_en),
            MEASURED,
        ),
        Field(
            Message("模型：类型", "Model: class"),
            Message(model or "（未记录）", model or "(not recorded)"),
            MEASURED,
        ),
    ]
    if factors:
        top = factors[:3]
        fields.append(
            Field(
                Message("模型：主要因素", "Model: main factors"),
                Message(
                    "、".join(f"{f['label']['zh']}（{f['share']:.1%}）" for f in top),
                    ", ".join(f"{f['label']['en']} ({f['share']:.1%})" for f in top),
                ),
                MEASURED,
            )
        )
    return fields


def _algorithm_part(facts: AuditFacts) -> Part:
    fields = _data_model_fields(facts)
    fields += [
        facts.card_field(
            "decision_process",
            Message("干预：人工参与方式", "Intervention: how people take part"),
            Message("写明人工复核与干预的方式", "state how people review and intervene"),
        ),
        facts.context_field(
            "automation",
            Message("干预：自动化程度", "Intervention: degree of automation"),
            Message("写明自动化程度", "state the degree of automation"),
        ),
        needs(
            Message("干预：用户选择与关闭选项", "Intervention: users' choices and opt-out"),
            Message(
                "说明是否提供不针对个人特征的选项或便捷关闭选项（第十七条）",
                "state whether users are offered an option not based on their personal traits, or "
                "an easy way to switch the service off (Art. 17)",
            ),
        ),
    ]
    fields += [
        facts.counts_field(Message(f"结果：{label.zh}", f"Results: {label.en}"), art)
        for art, label in _ARTICLE_LABELS.items()
    ]
    return Part(
        "self_assessment_algorithm",
        Message(
            "算法自评估：算法（数据、模型、干预、结果）",
            "Self-assessment: the algorithm (data, model, intervention, results)",
        ),
        (cite(_RULES, 8), cite(_RULES, 24), shenzhen("72")),
        (),
        tuple(fields),
    )


def _service_part(facts: AuditFacts) -> Part:
    ctx = facts.context or {}
    scale = ctx.get("scale")
    return Part(
        "self_assessment_service",
        Message("算法自评估：服务", "Self-assessment: the service"),
        (cite(_RULES, 24), cite(_RULES, 16), cite(_RULES, 17)),
        (),
        (
            facts.card_field(
                "affected",
                Message("服务对象", "Who is served"),
                Message("写明服务对象", "state who is served"),
            ),
            Field(
                Message("每年影响人数", "People affected a year"),
                Message(f"{scale:,}", f"{scale:,}"),
                MEASURED,
            )
            if scale is not None
            else needs(
                Message("每年影响人数", "People affected a year"),
                Message("写明每年影响人数", "state how many people a year"),
            ),
            facts.card_field(
                "appeal",
                Message("申诉与人工复核途径", "Appeal and human review"),
                Message(
                    "写明用户如何申诉、获得人工复核",
                    "state how users appeal and get a human review",
                ),
            ),
            facts.card_field(
                "contact", Message("联系方式", "Contact"), Message("写明联系方式", "give a contact")
            ),
        ),
    )


def _risk_part(facts: AuditFacts) -> Part:
    tables = facts.tables(DISCRIMINATION, EXPLANATION, PRIVACY)  # prices: their own part
    lead = (
        Message(
            "审计发现以下结果超出本审计设定的容许范围或需要关注（按严重程度排列）：",
            "The audit found the following beyond the tolerance it set, or to look at (most "
            "serious first):",
        )
        if tables
        else Message(
            "审计未发现超出本审计设定的容许范围或需要关注的结果。",
            "The audit found nothing beyond the tolerance it set, and nothing flagged.",
        )
    )
    return Part(
        "risks_and_measures",
        Message("算法自评估：发现的风险与措施", "Self-assessment: risks found and their measures"),
        (cite(_RULES, 24), cite(_RULES, 8), shenzhen(DISCRIMINATION), shenzhen(PRIVACY)),
        (lead,),
        (
            needs(
                Message("已采取或拟采取的措施", "Measures taken or planned"),
                Message(
                    "逐项写明针对上述结果的措施与完成时间",
                    "for each result above, state the measure and when it is done",
                ),
            ),
        ),
        tables,
    )


def _price_part(facts: AuditFacts) -> Part:
    found = facts.findings(PRICES)
    task = facts.task
    if found:
        paras = (
            Message(
                "第二十一条（大意：不得根据消费者的偏好、交易习惯等特征在交易价格等交易条件上实行"
                "不合理的差别待遇）由本审计的定价检查（第七十二条第二款第（五）项）测量：",
                "Art. 21 (in short: no unreasonable differential treatment in transaction prices "
                "by consumers' preferences or habits) is measured by this audit's price checks "
                "(Art. 72(2)(v)):",
            ),
        )
    else:
        paras = (
            Message(
                f"本审计的任务为“{task.zh}”，未测量价格；若算法决定交易价格，须另行以定价审计测量。",
                f"This audit's task is “{task.en}” and it did not measure prices; if the algorithm "
                f'sets transaction prices, measure them with a pricing audit (task="pricing").',
            ),
        )
    return Part(
        "prices",
        Message("交易价格的差别待遇", "Differential treatment in prices"),
        (cite(_RULES, 21), shenzhen(PRICES)),
        paras,
        (facts.counts_field(Message("价格检查结果", "Price checks"), PRICES),),
        facts.tables(PRICES),
    )


def algorithm_filing(facts: AuditFacts, date: str) -> Filing:
    """The algorithm filing material drafted from an audit (see the module docstring)."""
    return Filing(
        kind="algorithm",
        title=Message(
            "算法备案材料（算法自评估报告与拟公示内容）",
            "Algorithm filing material (self-assessment report and content to be made public)",
        ),
        instruments=("algorithm_rules", "szai"),
        date=date,
        source=facts.source(),
        parts=(
            _public_part(facts),
            _filing_info(facts),
            _algorithm_part(facts),
            _service_part(facts),
            _risk_part(facts),
            _price_part(facts),
        ),
        intro=(
            Message(
                "本材料由审计结果起草，供填报互联网信息服务算法备案系统；标为“待人工填写”的各项须"
                "由负责人填写，标为“起草”的各项须核对。本材料不代表备案已获认可。",
                "Drafted from the audit's results, for the algorithm filing system. Fields "
                "marked NEEDS_REVIEW must be written by the person responsible, drafted ones "
                "checked. This material is not an approval of the filing.",
            ),
        ),
    )
