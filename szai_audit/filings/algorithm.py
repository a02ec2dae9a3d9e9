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
from ..core.catalog import say
from ..core.messages import Message
from ..core.metadata import meta_message
from ..risk.context import DOMAINS
from .base import MEASURED, Field, Filing, Part, drafted, needs
from .citations import cite, shenzhen
from .facts import AuditFacts

__all__ = ["algorithm_filing"]

_RULES = "algorithm_rules"

_ARTICLE_LABELS = {
    DISCRIMINATION: say("filings.algorithm.article_labels.group_fairness_art_72"),
    PRICES: say("filings.algorithm.article_labels.price_differences_art_72"),
    EXPLANATION: say("filings.algorithm.article_labels.explanation_art_71"),
    PRIVACY: say("filings.algorithm.article_labels.de_identification_art_33"),
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
        parts.append(say("filings.algorithm.scenario.field", domain=domain))
        description = meta_message(ctx, "description")
        if description is not None:
            parts.append(description)
        if ctx.get("scale") is not None:
            n = f"{ctx['scale']:,}"
            parts.append(say("filings.algorithm.scenario.about_people_affected_year", n=n))
    affected = facts.card("affected")
    if affected is not None:
        parts.append(say("filings.algorithm.scenario.who_applies", affected=affected))
    return _joined(tuple(parts))


def _public_part(facts: AuditFacts) -> Part:
    confirm = say("filings.algorithm.public_part.confirm_text_accurate_plain")
    operates = facts.notice_paragraphs("How it operates") + facts.notice_paragraphs(
        "Main factors and their effect"
    )
    # A sentence on an input tied to a protected ground, or one whose most favourable value
    # contradicts the declared order, keeps the audit's NEEDS_REVIEW banner here.
    review = tuple((i, why) for i, (_, why) in enumerate(operates) if why is not None)
    fields = (
        drafted(
            say("filings.algorithm.public_part.basic_principle"),
            _joined(facts.notice_section("Basic principle")),
            confirm,
        ),
        drafted(
            say("filings.algorithm.public_part.purpose_intent"),
            _joined(facts.notice_section("Purpose")),
            say("filings.algorithm.public_part.state_what_service"),
        ),
        drafted(
            say("filings.algorithm.public_part.main_operating_mechanism"),
            _joined(tuple(text for text, _ in operates)),
            confirm,
            review=review,
        ),
        drafted(
            say("filings.algorithm.public_part.application_scenario"),
            _scenario(facts),
            say("filings.algorithm.public_part.state_where_whom_used"),
        ),
    )
    return Part(
        "public_content",
        say("filings.algorithm.public_part.content_be_made_public"),
        (cite(_RULES, 16), cite(_RULES, 24), shenzhen(EXPLANATION)),
        (say("filings.algorithm.public_part.four_items_below_drafted"),),
        fields,
    )


def _filing_info(facts: AuditFacts) -> Part:
    types = say("filings.algorithm.filing_info.choose_type_generation_synthesis")
    return Part(
        "filing_information",
        say("filings.algorithm.filing_info.filing_information"),
        (cite(_RULES, 24), cite(_RULES, 2)),
        (),
        (
            facts.card_field(
                "organisation",
                say("filings.algorithm.filing_info.provider"),
                say("filings.algorithm.filing_info.name_provider"),
            ),
            facts.card_field(
                "system_name",
                say("filings.algorithm.filing_info.algorithm_name"),
                say("filings.algorithm.filing_info.name_algorithm"),
            ),
            needs(
                say("filings.algorithm.filing_info.form_service"),
                say("filings.algorithm.filing_info.state_form_service_website"),
            ),
            facts.context_field(
                "domain",
                say("filings.algorithm.filing_info.field_application"),
                say("filings.algorithm.filing_info.state_field_application"),
            ),
            needs(say("filings.algorithm.filing_info.type_algorithm"), types),
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
            say("filings.algorithm.data_model_fields.data_source"),
            say("filings.algorithm.data_model_fields.state_where_data_come"),
        ),
        facts.card_field(
            "data_period",
            say("filings.algorithm.data_model_fields.data_period"),
            say("filings.algorithm.data_model_fields.state_period_data_cover"),
        ),
        Field(
            say("filings.algorithm.data_model_fields.data_rows_audited"),
            say("filings.algorithm.data_model_fields.rows", rows=rows, cols=Message(cols, cols_en)),
            MEASURED,
        ),
        Field(
            say("filings.algorithm.data_model_fields.data_attributes_groups_were"),
            Message(grounds, grounds_en),
            MEASURED,
        ),
        Field(
            say("filings.algorithm.data_model_fields.model_class"),
            Message(model or "（未记录）", model or "(not recorded)"),
            MEASURED,
        ),
    ]
    if factors:
        top = factors[:3]
        fields.append(
            Field(
                say("filings.algorithm.data_model_fields.model_main_factors"),
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
            say("filings.algorithm.algorithm_part.intervention_how_people_take"),
            say("filings.algorithm.algorithm_part.state_how_people_review"),
        ),
        facts.context_field(
            "automation",
            say("filings.algorithm.algorithm_part.intervention_degree_automation"),
            say("filings.algorithm.algorithm_part.state_degree_automation"),
        ),
        needs(
            say("filings.algorithm.algorithm_part.intervention_users_choices_opt"),
            say("filings.algorithm.algorithm_part.state_whether_users_offered"),
        ),
    ]
    fields += [
        facts.counts_field(say("filings.algorithm.algorithm_part.results", label=label), art)
        for art, label in _ARTICLE_LABELS.items()
    ]
    return Part(
        "self_assessment_algorithm",
        say("filings.algorithm.algorithm_part.self_assessment_algorithm_data"),
        (cite(_RULES, 8), cite(_RULES, 24), shenzhen("72")),
        (),
        tuple(fields),
    )


def _service_part(facts: AuditFacts) -> Part:
    ctx = facts.context or {}
    scale = ctx.get("scale")
    return Part(
        "self_assessment_service",
        say("filings.algorithm.service_part.self_assessment_service"),
        (cite(_RULES, 24), cite(_RULES, 16), cite(_RULES, 17)),
        (),
        (
            facts.card_field(
                "affected",
                say("filings.algorithm.service_part.who_served"),
                say("filings.algorithm.service_part.state_who_served"),
            ),
            Field(
                say("filings.algorithm.service_part.people_affected_year"),
                say("filings.algorithm.service_part.text", scale=scale),
                MEASURED,
            )
            if scale is not None
            else needs(
                say("filings.algorithm.service_part.people_affected_year"),
                say("filings.algorithm.service_part.state_how_many_people"),
            ),
            facts.card_field(
                "appeal",
                say("filings.algorithm.service_part.appeal_human_review"),
                say("filings.algorithm.service_part.state_how_users_appeal"),
            ),
            facts.card_field(
                "contact",
                say("filings.algorithm.service_part.contact"),
                say("filings.algorithm.service_part.give_contact"),
            ),
        ),
    )


def _risk_part(facts: AuditFacts) -> Part:
    tables = facts.tables(DISCRIMINATION, EXPLANATION, PRIVACY)  # prices: their own part
    lead = (
        say("filings.algorithm.risk_part.audit_found_following_beyond")
        if tables
        else say("filings.algorithm.risk_part.audit_found_nothing_beyond")
    )
    return Part(
        "risks_and_measures",
        say("filings.algorithm.risk_part.self_assessment_risks_found"),
        (cite(_RULES, 24), cite(_RULES, 8), shenzhen(DISCRIMINATION), shenzhen(PRIVACY)),
        (lead,),
        (
            needs(
                say("filings.algorithm.risk_part.measures_taken_or_planned"),
                say("filings.algorithm.risk_part.each_result_above_state"),
            ),
        ),
        tables,
    )


def _price_part(facts: AuditFacts) -> Part:
    found = facts.findings(PRICES)
    task = facts.task
    if found:
        paras = (say("filings.algorithm.price_part.art_21_short_no"),)
    else:
        paras = (say("filings.algorithm.price_part.this_audit_s_task", task=task),)
    return Part(
        "prices",
        say("filings.algorithm.price_part.differential_treatment_prices"),
        (cite(_RULES, 21), shenzhen(PRICES)),
        paras,
        (facts.counts_field(say("filings.algorithm.price_part.price_checks"), PRICES),),
        facts.tables(PRICES),
    )


def algorithm_filing(facts: AuditFacts, date: str) -> Filing:
    """The algorithm filing material drafted from an audit (see the module docstring)."""
    return Filing(
        kind="algorithm",
        title=say("filings.algorithm.algorithm_filing.algorithm_filing_material_self"),
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
        intro=(say("filings.algorithm.algorithm_filing.drafted_from_audit_s"),),
    )
