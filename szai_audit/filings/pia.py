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
from ..core.catalog import say
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
        value = say("filings.pia.necessity.advisory_person_decides_whether")
    else:
        value = say("filings.pia.necessity.yes_personal_information_used")
    return Part(
        "necessity",
        say("filings.pia.necessity.whether_assessment_needed"),
        (cite("pipl", 55, item=2), cite("pipl", 73), _gb("5.1", "评估必要性分析")),
        (),
        (
            Field(
                say("filings.pia.necessity.assessment_needed"),
                value,
                DRAFTED,
                say("filings.pia.necessity.confirm"),
            ),
            facts.context_field(
                "automation",
                say("filings.pia.necessity.degree_automation"),
                say("filings.pia.necessity.state_degree_automation"),
            ),
        ),
    )


def _preparation(facts: AuditFacts, day: _dt.date) -> Part:
    keep = add_years(day, RETENTION_YEARS)
    return Part(
        "preparation",
        say("filings.pia.preparation.preparation_retention"),
        (_gb("5.2", "评估准备"), cite("pipl", 56, paragraph=2)),
        (),
        (
            Field(
                say("filings.pia.preparation.date_assessment"),
                Message(day.isoformat(), day.isoformat()),
                MEASURED,
            ),
            Field(
                say("filings.pia.preparation.keep_at_least_until"),
                Message(keep.isoformat(), keep.isoformat()),
                MEASURED,
            ),
            facts.card_field(
                "system_name",
                say("filings.pia.preparation.system_assessed"),
                say("filings.pia.preparation.name_system"),
            ),
            needs(
                say("filings.pia.preparation.assessor"),
                say("filings.pia.preparation.name_assessor_or_team"),
            ),
            facts.card_field(
                "responsible_person",
                say("filings.pia.preparation.signed_by"),
                say("filings.pia.preparation.name_who_signs_report"),
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
            say("filings.pia.data_mapping.source_data"),
            say("filings.pia.data_mapping.state_source"),
        ),
        facts.card_field(
            "data_period",
            say("filings.pia.data_mapping.period"),
            say("filings.pia.data_mapping.state_period"),
        ),
        Field(
            say("filings.pia.data_mapping.group_attributes_possibly_sensitive"),
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
                say("filings.pia.data_mapping.columns_that_look_like"),
                facts.columns_text(identifiers, say("filings.pia.data_mapping.none_found")),
                MEASURED,
            ),
            Field(
                say("filings.pia.data_mapping.quasi_identifiers"),
                facts.columns_text(quasi, say("filings.pia.data_mapping.none_given")),
                MEASURED,
            ),
        ]
    rows.append(
        needs(
            say("filings.pia.data_mapping.flows_storage"),
            say("filings.pia.data_mapping.describe_how_data_collected"),
        )
    )
    return Part(
        "data_mapping",
        say("filings.pia.data_mapping.data_mapping"),
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
        say("filings.pia.purpose.purpose_method_lawful_legitimate"),
        (cite("pipl", 56, paragraph=1, item=1), cite("pipl", 5), cite("pipl", 6)),
        (),
        (
            facts.card_field(
                "purpose",
                say("filings.pia.purpose.purpose"),
                say("filings.pia.purpose.state_purpose"),
            ),
            facts.card_field(
                "decision_process",
                say("filings.pia.purpose.method"),
                say("filings.pia.purpose.state_how_decisions_made"),
            ),
            Field(
                say("filings.pia.purpose.main_inputs_decision_share"),
                used,
                MEASURED,
            ),
            needs(
                say("filings.pia.purpose.legal_basis"),
                say("filings.pia.purpose.state_legal_basis_art"),
            ),
            needs(
                say("filings.pia.purpose.necessity"),
                say("filings.pia.purpose.explain_why_each_input"),
            ),
        ),
    )


def _rights(facts: AuditFacts) -> Part:
    return Part(
        "rights_impact",
        say("filings.pia.rights.impact_individuals_rights"),
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
                say("filings.pia.rights.differential_treatment_group_fairness"),
                DISCRIMINATION,
            ),
            facts.counts_field(say("filings.pia.rights.transaction_prices_price_checks"), PRICES),
            facts.counts_field(
                say("filings.pia.rights.transparency_explanation_checks"), EXPLANATION
            ),
            facts.card_field(
                "appeal",
                say("filings.pia.rights.right_explanation_refuse_how"),
                say("filings.pia.rights.state_how_person_asks"),
            ),
        ),
        facts.tables(DISCRIMINATION, PRICES, EXPLANATION),
    )


def _security(facts: AuditFacts) -> Part:
    privacy = facts.doc.get("privacy") or {}
    quasi = privacy.get("quasi") or {}
    fields = [facts.counts_field(say("filings.pia.security.de_identification_checks"), PRIVACY)]
    if quasi.get("k_anonymity") is not None:
        k, req = quasi["k_anonymity"], quasi.get("k_required")
        fields.append(
            Field(
                say("filings.pia.security.k_anonymity"),
                say("filings.pia.security.k_at_least_required", k=k, req=req),
                MEASURED,
            )
        )
    fields.append(
        needs(
            say("filings.pia.security.likelihood_security_incident"),
            say("filings.pia.security.assess_how_likely_networks"),
        )
    )
    return Part(
        "security_risk",
        say("filings.pia.security.security_risks"),
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
        say("filings.pia.measures.measures_lawful_effective_proportionate"),
        (cite("pipl", 56, paragraph=1, item=3), _gb("5.8", "风险处置和持续改进")),
        (say("filings.pia.measures.what_audit_evidences_disparities"),),
        (
            facts.card_field(
                "decision_process",
                say("filings.pia.measures.human_review"),
                say("filings.pia.measures.state_how_people_review"),
            ),
            needs(
                say("filings.pia.measures.technical_organisational_measures"),
                say("filings.pia.measures.state_encryption_access_control"),
            ),
            needs(
                say("filings.pia.measures.proportionate_risk"),
                say("filings.pia.measures.judge_whether_measures_answer"),
            ),
        ),
    )


def _conclusion(facts: AuditFacts, day: _dt.date) -> Part:
    keep = add_years(day, RETENTION_YEARS)
    verdict = (facts.doc.get("summary") or {}).get("verdict_message") or {"zh": "", "en": ""}
    return Part(
        "conclusion",
        say("filings.pia.conclusion.conclusion_keeping_report"),
        (_gb("5.7", "评估报告"), cite("pipl", 56, paragraph=2)),
        (
            say("filings.pia.conclusion.audit_s_overall_result", verdict=verdict),
            say("filings.pia.conclusion.this_report_processing_records", value=keep.isoformat()),
        ),
        (
            needs(
                say("filings.pia.conclusion.conclusion"),
                say("filings.pia.conclusion.state_whether_processing_may"),
            ),
        ),
    )


def pia_filing(facts: AuditFacts, day: _dt.date) -> Filing:
    """The impact assessment drafted from an audit (see the module docstring)."""
    return Filing(
        kind="pia",
        title=say("filings.pia.pia_filing.personal_information_protection_impact"),
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
        intro=(say("filings.pia.pia_filing.drafted_from_audit_s"),),
        extra={"retain_until": add_years(day, RETENTION_YEARS).isoformat()},
    )
