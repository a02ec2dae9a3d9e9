"""The report's page structure: the article parts assembled into one page, before any HTML.

Three stages, kept apart: :class:`~szai_audit.AuditResult` holds the numbers; :func:`build_page`
turns them into a page structure (sections, rows, texts in both languages, SVG charts) from the
page part of each article package; the Jinja2 templates in ``templates/`` turn that structure
into one HTML file with inline CSS and SVG, no script and no external URL. Autoescape is always
on: every value from the user's data (column names, group labels, metadata) is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import markupsafe

from ..core.articles import EXPLANATION
from ..core.catalog import say
from ..core.design import design_paragraph
from ..core.findings import Finding, Status
from ..core.grounds import ground_label
from ..core.html import FONT_STACK, FONT_STACK_LATIN, css_string
from ..core.messages import Message, fmt_level, fmt_ratio, listing
from ..core.metadata import meta_message, meta_text
from ..core.policy import Policy
from ..core.scope import Scope, binning_note, decision_source, source_note
from ..explain.page import explanation_section
from ..fairness import page as fairness_page
from ..fairness.checks import ARTICLE as FAIRNESS_ARTICLE
from ..fairness.checks import GROUND_NOT_PROVIDED, INTERSECTION_NOT_ASSESSED
from ..fairness.words import method_paragraphs as classification_method
from ..fairness.words import rate_in_sentence, regression_method_paragraphs
from ..pricing import checks as pricing_checks
from ..pricing.page import ground_blocks, pricing_section
from ..pricing.words import audit_method_paragraphs as pricing_method
from ..pricing.words import currency_unit
from ..privacy.page import privacy_page
from .body import findings_by_article
from .conclusion import conclusion_page
from .manifest import manifest_rows
from .results import Results
from .summary import governance_page

__all__ = [
    "APPENDICES",
    "METADATA_LABELS",
    "appendices",
    "build_page",
    "method_paragraphs",
    "print_parts",
]


#: The metadata fields' names on the cover, from the catalog.
METADATA_LABELS: dict[str, Message] = {
    "organisation": say("report.metadata_labels.organisation"),
    "system_name": say("report.metadata_labels.system_name"),
    "version": say("report.metadata_labels.version"),
    "purpose": say("report.metadata_labels.purpose"),
    "affected": say("report.metadata_labels.affected"),
    "decision_process": say("report.metadata_labels.decision_process"),
    "appeal": say("report.metadata_labels.appeal"),
    "review": say("report.metadata_labels.review"),
    "response_time": say("report.metadata_labels.response_time"),
    "complaint": say("report.metadata_labels.complaint"),
    "contact": say("report.metadata_labels.contact"),
    "prepared_by": say("report.metadata_labels.prepared_by"),
    "data_source": say("report.metadata_labels.data_source"),
    "data_period": say("report.metadata_labels.data_period"),
    "responsible_person": say("report.metadata_labels.responsible_person"),
}


def method_paragraphs(
    scope: Scope,
    policy: Policy,
    factors: Sequence[str] = (),
    labels: Mapping[str, Sequence[str]] | None = None,
) -> list[Message]:
    """The method section: what was measured and how findings are decided, by task (for
    numeric outputs, with the legitimate ``factors`` the gaps given them were measured for,
    named by ``labels``); its second paragraph says how the rows were drawn (independent and
    unweighted, or the design ``cluster=`` / ``weights=`` declared)."""
    if scope.task == "regression":
        paras = regression_method_paragraphs(scope, policy, factors, labels)
    elif scope.task == "pricing":
        paras = pricing_method(scope, policy)
    else:
        paras = classification_method(scope, policy)
    return [*paras[:1], design_paragraph(scope.design), *paras[1:]]


def _price_ground_sections(result: Results, lang: str) -> list[dict[str, Any]]:
    """The Art. 72(2)(iv) sections of a pricing audit: prices by ground, with the ground's
    proxies and flip test."""
    infos = {s.ground: s for s in result.sensitive}
    assert result.pricing is not None
    currency = currency_unit(result.pricing.currency)
    sections = []
    for key, block in ground_blocks(result, lang).items():
        info = infos.get(key)
        notes = [] if info is None else [source_note(info), binning_note(info)]
        sections.append(
            {
                "key": key,
                "anchor": fairness_page.ground_anchor(key),
                "label": ground_label(key),
                "intersection": False,
                "notes": [n for n in notes if n is not None],
                "findings": [
                    f
                    for f in result.findings
                    if f.ground == key
                    and f.article == FAIRNESS_ARTICLE
                    and f.check not in pricing_checks.IDS
                ],
                "prices": block,
                "table": None,
                "tests": None,
                "scores": None,
                "proxies": fairness_page.proxy_section(result, key),
                "flips": fairness_page.flip_section(result, key, currency),
                "mitigation": None,
                "mitigation_note": None,
                "conditional": None,
                "chart": None,
                "chart_caption": None,
                "outcome_panels": False,
            }
        )
    return sections


def _scope_rows(result: Results) -> list[tuple[Message, Message, bool]]:
    """What was audited, for the scope appendix: label, value (in words: the decision rule,
    the labels and the column names are code, listed by :func:`technical_rows` in the method
    appendix), and whether the value is code (never, now; kept for the template)."""
    scope = result.scope

    def same(text: str) -> Message:
        return Message(text, text)

    mode = (
        say("report.scope_rows.model")
        if scope.mode == "model"
        else say("report.scope_rows.predictions_only")
    )
    outcomes = say("report.scope_rows.yes") if scope.has_outcomes else say("report.scope_rows.no")
    grounds = [s.label for s in result.sensitive]
    rows = [
        (say("report.scope_rows.rows_audited"), same(f"{scope.n_rows:,}"), False),
        (say("report.scope_rows.mode"), mode, False),
        (say("report.scope_rows.decision_rule"), decision_source(scope.decision_rule), False),
    ]
    if scope.task == "pricing":
        direction = say("report.scope_rows.favourable_direction")
        rows.append((direction, say("report.scope_rows.lower_price"), False))
    elif scope.favorable_name is not None:
        rows.append((say("report.scope_rows.favourable_decision"), scope.favorable_name, False))
    rows += [
        (say("report.scope_rows.actual_outcomes"), outcomes, False),
        (
            say("report.scope_rows.sensitive_attributes"),
            listing(list(grounds)),
            False,
        ),
    ]
    return rows


def technical_rows(result: Results) -> list[tuple[Message, str]]:
    """The technical names behind what the report says in words, for the method appendix
    (the only place they are printed, issue 31, item 7): the decision rule, the labels of the
    positive class and of the favourable decision, the column of each sensitive attribute and
    the rule behind the risk tier."""
    scope = result.scope
    rows = [(say("report.technical_rows.decision_rule"), scope.decision_rule)]
    if scope.task != "pricing":
        rows.append((say("report.technical_rows.positive_label"), str(scope.positive_label)))
        rows.append((say("report.technical_rows.favourable_label"), str(scope.favorable_label)))
    for s in result.sensitive:
        if s.column:
            rows.append((say("report.technical_rows.column", ground=s.label), str(s.column)))
    if result.risk is not None and result.risk.rule:
        rows.append((say("report.technical_rows.risk_rule"), str(result.risk.rule)))
    return rows


#: Each policy setting in words (the method appendix prints its technical name beside it).
POLICY_LABELS: dict[str, Message] = {
    "selection_rate_ratio_min": say("report.policy_settings.selection_rate_ratio_min"),
    "demographic_parity_max": say("report.policy_settings.demographic_parity_max"),
    "true_positive_rate_difference_max": say(
        "report.policy_settings.true_positive_rate_difference_max"
    ),
    "false_positive_rate_difference_max": say(
        "report.policy_settings.false_positive_rate_difference_max"
    ),
    "min_group_size": say("report.policy_settings.min_group_size"),
    "max_groups_before_binning": say("report.policy_settings.max_groups_before_binning"),
    "n_bins": say("report.policy_settings.n_bins"),
    "significance_level": say("report.policy_settings.significance_level"),
    "confidence_level": say("report.policy_settings.confidence_level"),
    "n_bootstrap": say("report.policy_settings.n_bootstrap"),
    "auc_difference_max": say("report.policy_settings.auc_difference_max"),
    "calibration_difference_max": say("report.policy_settings.calibration_difference_max"),
    "score_resolution": say("report.policy_settings.score_resolution"),
    "proxy_auc_threshold": say("report.policy_settings.proxy_auc_threshold"),
    "proxy_all_features_auc_threshold": say(
        "report.policy_settings.proxy_all_features_auc_threshold"
    ),
    "proxy_max_rows": say("report.policy_settings.proxy_max_rows"),
    "flip_tolerance": say("report.policy_settings.flip_tolerance"),
    "flip_max_rows": say("report.policy_settings.flip_max_rows"),
    "mean_prediction_ratio_min": say("report.policy_settings.mean_prediction_ratio_min"),
    "mean_residual_difference_max": say("report.policy_settings.mean_residual_difference_max"),
    "mae_ratio_min": say("report.policy_settings.mae_ratio_min"),
    "regression_gap_scale": say("report.policy_settings.regression_gap_scale"),
    "explain_sample_size": say("report.policy_settings.explain_sample_size"),
    "explain_background_size": say("report.policy_settings.explain_background_size"),
    "attribution_share_max": say("report.policy_settings.attribution_share_max"),
    "min_coverage": say("report.policy_settings.min_coverage"),
    "k_anonymity": say("report.policy_settings.k_anonymity"),
    "max_intersection_groups": say("report.policy_settings.max_intersection_groups"),
    "price_gap_max": say("report.policy_settings.price_gap_max"),
    "price_change_tolerance": say("report.policy_settings.price_change_tolerance"),
    "counterfactual_share_max": say("report.policy_settings.counterfactual_share_max"),
    "counterfactual_orders": say("report.policy_settings.counterfactual_orders"),
    "counterfactual_donors": say("report.policy_settings.counterfactual_donors"),
    "recourse_share_gap_max": say("report.policy_settings.recourse_share_gap_max"),
    "recourse_cost_ratio_min": say("report.policy_settings.recourse_cost_ratio_min"),
    "recourse_max_rows": say("report.policy_settings.recourse_max_rows"),
}
_POLICY_VALUES: dict[str, Message] = {
    "difference": say("report.policy_values.difference"),
    "log": say("report.policy_values.log"),
}


def policy_rows(policy: Policy) -> list[tuple[Message, Message, str]]:
    """The policy in force, for the method appendix: each setting in words, its value (a
    setting not set, and a scale, in words too) and its technical name.

    >>> label, value, name = policy_rows(Policy())[0]
    >>> label.zh, value.zh, name
    ('有利决定比例之比的下限（最低组 ÷ 最高组）', '0.8', 'selection_rate_ratio_min')
    """
    rows = []
    for name, value in policy.to_dict().items():
        if value is None:
            shown = say("report.policy_values.not_set")
        elif isinstance(value, str):
            shown = _POLICY_VALUES[value]
        else:
            number = f"{value:,}" if isinstance(value, int) else f"{value:g}"
            shown = Message(number, number)
        rows.append((POLICY_LABELS[name], shown, name))
    return rows


def _not_provided(result: Results) -> list[Finding]:
    ids = (GROUND_NOT_PROVIDED.id, INTERSECTION_NOT_ASSESSED.id)
    return [f for f in result.findings if f.check in ids]


#: The appendices: key, id, title, template; printed when they have content, lettered in order.
APPENDICES: tuple[tuple[str, str, Message, str], ...] = (
    (
        "checks",
        "every-check",
        say("report.appendices.every_check"),
        "appendix/every_check.html.j2",
    ),
    (
        "discrimination",
        "art-72-4",
        say("report.appendices.discrimination_groups_intersections_proxies"),
        "appendix/discrimination.html.j2",
    ),
    ("prices", "art-72-5", say("report.appendices.prices_details"), "appendix/prices.html.j2"),
    (
        "explanation",
        "art-71",
        say("report.appendices.explanation_draft_public_notice"),
        "appendix/explanation.html.j2",
    ),
    (
        "privacy",
        "art-33",
        say("report.appendices.de_identification_details"),
        "appendix/privacy.html.j2",
    ),
    (
        "scope",
        "scope",
        say("report.appendices.scope_system_card_use"),
        "appendix/scope.html.j2",
    ),
    (
        "tracking",
        "tracking",
        say("report.appendices.ex_post_tracking"),
        "appendix/tracking.html.j2",
    ),
    (
        "method",
        "method",
        say("report.appendices.method_this_audit_s"),
        "appendix/method.html.j2",
    ),
    (
        "manifest",
        "manifest",
        say("report.appendices.reproducibility_manifest"),
        "appendix/manifest.html.j2",
    ),
)


def appendices(page: dict[str, Any]) -> list[dict[str, Any]]:
    """The appendices that have content, lettered A, B, ... in order."""
    present = {
        "checks": bool(page["findings_sorted"]),
        "discrimination": bool(page["grounds"] or page["intersections"] or page["not_provided"]),
        "prices": page["pricing"] is not None,
        "explanation": bool(page["explanation"] or page["explanation_findings"]),
        "privacy": bool(page["privacy"] or page["governance"]["privacy_findings"]),
        "scope": True,
        "tracking": page["tracking"] is not None,
        "method": True,
        "manifest": True,
    }
    shown = [a for a in APPENDICES if present[a[0]]]
    return [
        {"key": k, "id": i, "title": title, "template": tpl, "letter": chr(ord("A") + n)}
        for n, (k, i, title, tpl) in enumerate(shown)
    ]


def build_page(result: Results, lang: str = "bilingual") -> dict[str, Any]:
    """The report's structure (sections, rows, texts, SVG charts) before any HTML is written."""
    sections = []
    if result.pricing is not None:
        sections += _price_ground_sections(result, lang)
    sections += fairness_page.sections(result, lang)
    policy = result.policy
    page = {
        "lang": lang,
        "confidence_level": fmt_level(policy.confidence_level),
        "html_lang": {"zh": "zh-CN", "en": "en", "bilingual": "zh-CN"}[lang],
        "font_stack": FONT_STACK,
        "font_stack_latin": FONT_STACK_LATIN,
        "title": say("report.build_page.title"),
        "subtitle": say("report.build_page.subtitle"),
        "system_name": meta_text(result.metadata, "system_name", lang),
        "verdict": result.verdict,
        "verdict_message": result.verdict_message,
        "counts": [(Status(s), n) for s, n in result.status_counts.items()],
        "findings_sorted": sorted(result.findings, key=lambda f: f.status.severity),
        "system_rows": _system_rows(result.metadata),
        "scope_rows": _scope_rows(result),
        "grounds": [s for s in sections if not s["intersection"]],
        "not_provided": _not_provided(result),
        "intersections": [s for s in sections if s["intersection"]],
        "pricing": pricing_section(result, lang),
        "explanation": explanation_section(result, lang),
        "explanation_findings": [f for f in result.findings if f.article == EXPLANATION],
        "notice": result.notice_sections(),
        "governance": governance_page(result),
        "privacy": privacy_page(result),
        "tracking": None,
        "alpha": policy.significance_level,
        "min_group_size": policy.min_group_size,
        "k_anonymity": policy.k_anonymity,
        "ratio_min": fmt_ratio(policy.selection_rate_ratio_min),
        # The favourable decision's rate as the captions name it (Audit(favorable_name=...)).
        "rate": rate_in_sentence(result.scope.favorable_name),
        "method": method_paragraphs(
            result.scope,
            policy,
            next((g.factors for g in result.fairness.conditional.values()), []),
            result.feature_labels,
        ),
        "policy_rows": policy_rows(policy),
        "technical_rows": technical_rows(result),
        "manifest_rows": manifest_rows(result),
        "content_sha256": result.content_sha256,
        "generated_at": result.manifest.get("generated_at"),
        "conclusion": conclusion_page(result),
        "body": findings_by_article(result),
        "checklist_heading": say("report.build_page.checklist_heading"),
    }
    page.update(print_parts(result, lang))
    page["appendices"] = appendices(page)
    return page


def _system_rows(metadata: Mapping[str, Any]) -> list[tuple[Message, Message | str]]:
    """The system card's rows: each field's name and its value in both languages (an empty
    field as written, ``""``)."""
    rows: list[tuple[Message, Message | str]] = []
    for key in metadata:
        value = meta_message(metadata, key)
        rows.append((METADATA_LABELS.get(key, Message(key, key)), "" if value is None else value))
    return rows


def print_parts(result: Results, lang: str) -> dict[str, Any]:
    """The printed page's header (title, system, version) and footer ("第 x 页 共 y 页"), as
    CSS values; every text from the user is a CSS-escaped string."""
    title = say("report.print_parts.ai_algorithm_compliance_audit")
    parts = [title.en if lang == "en" else title.zh]
    for key in ("system_name", "version"):
        value = meta_text(result.metadata, key, lang)
        if value is not None:
            parts.append(value)
    zh = (
        f"{css_string('第 ')} counter(page) {css_string(' 页 共 ')} counter(pages) "
        f"{css_string(' 页')}"
    )
    en = f"{css_string('Page ')} counter(page) {css_string(' of ')} counter(pages)"
    counter = {"zh": zh, "en": en, "bilingual": f"{zh} {css_string(' · ')} {en}"}[lang]
    appendix = say("report.print_parts.appendix")
    return {
        "print_header": " · ".join(parts),
        "print_counter": markupsafe.Markup(counter),
        "print_appendix": appendix.en if lang == "en" else appendix.zh,
    }
