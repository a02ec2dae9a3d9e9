"""The report's page structure: the article parts assembled into one page, before any HTML.

Three stages, kept apart: :class:`~szai_audit.AuditResult` holds the numbers; :func:`build_page`
turns them into a page structure (sections, rows, texts in both languages, SVG charts) from the
page part of each article package; the Jinja2 templates in ``templates/`` turn that structure
into one HTML file with inline CSS and SVG, no script and no external URL. Autoescape is always
on: every value from the user's data (column names, group labels, metadata) is escaped.
"""

from __future__ import annotations

from typing import Any

import markupsafe

from ..core.articles import EXPLANATION
from ..core.findings import Finding, Status
from ..core.grounds import ground_label
from ..core.html import FONT_STACK, FONT_STACK_LATIN, css_string
from ..core.messages import METADATA_LABELS, Message, fmt_ratio
from ..core.policy import Policy
from ..core.scope import Scope, binning_note, source_note
from ..explain.page import explanation_section
from ..fairness import page as fairness_page
from ..fairness.checks import ARTICLE as FAIRNESS_ARTICLE
from ..fairness.checks import GROUND_NOT_PROVIDED, INTERSECTION_NOT_ASSESSED
from ..fairness.words import method_paragraphs as classification_method
from ..fairness.words import regression_method_paragraphs
from ..pricing import checks as pricing_checks
from ..pricing.page import ground_blocks, pricing_section
from ..pricing.words import audit_method_paragraphs as pricing_method
from ..privacy.page import privacy_page
from .body import findings_by_article
from .conclusion import conclusion_page
from .manifest import manifest_rows
from .results import Results
from .summary import governance_page

__all__ = [
    "APPENDICES",
    "appendices",
    "build_page",
    "method_paragraphs",
    "print_parts",
]


def method_paragraphs(scope: Scope, policy: Policy) -> list[Message]:
    """The method section: what was measured and how findings are decided, by task."""
    if scope.task == "regression":
        return regression_method_paragraphs(scope, policy)
    if scope.task == "pricing":
        return pricing_method(scope, policy)
    return classification_method(scope, policy)


def _price_ground_sections(result: Results, lang: str) -> list[dict[str, Any]]:
    """The Art. 72(2)(iv) sections of a pricing audit: prices by ground, with the ground's
    proxies and flip test."""
    infos = {s.ground: s for s in result.sensitive}
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
                "flips": fairness_page.flip_section(result, key),
                "mitigation": None,
                "conditional": None,
                "chart": None,
                "chart_caption": None,
                "outcome_panels": False,
            }
        )
    return sections


def _scope_rows(result: Results) -> list[tuple[Message, Message, bool]]:
    """What was audited, for the scope appendix: label, value, and whether the value is code
    (column names and the decision rule, shown in a monospace face, not as a sentence)."""
    scope = result.scope

    def same(text: str) -> Message:
        return Message(text, text)

    mode = (
        Message("模型", "model")
        if scope.mode == "model"
        else Message("仅决定记录", "predictions only")
    )
    favourable = (
        (Message("有利方向", "Favourable direction"), Message("价格越低越有利", "a lower price"))
        if scope.task == "pricing"
        else (Message("有利决定", "Favourable decision"), same(str(scope.favorable_label)))
    )
    outcomes = Message("有", "yes") if scope.has_outcomes else Message("无", "no")
    grounds = [s.label for s in result.sensitive]
    columns = ", ".join(f"{s.label.en} ← {s.column}" for s in result.sensitive if s.column)
    rows = [
        (Message("审计行数", "Rows audited"), same(f"{scope.n_rows:,}"), False),
        (Message("审计方式", "Mode"), mode, False),
        (Message("决定来源", "Decision rule"), same(scope.decision_rule), True),
        (*favourable, scope.task != "pricing"),
        (Message("实际结果", "Actual outcomes"), outcomes, False),
        (
            Message("敏感属性", "Sensitive attributes"),
            Message("、".join(a.zh for a in grounds), ", ".join(a.en for a in grounds)),
            False,
        ),
    ]
    if columns:
        rows.append((Message("数据列", "Data columns"), same(columns), True))
    return rows


def _not_provided(result: Results) -> list[Finding]:
    ids = (GROUND_NOT_PROVIDED.id, INTERSECTION_NOT_ASSESSED.id)
    return [f for f in result.findings if f.check in ids]


#: The appendices: key, id, title, template; printed when they have content, lettered in order.
APPENDICES: tuple[tuple[str, str, Message, str], ...] = (
    ("checks", "every-check", Message("全部检查", "Every check"), "appendix/every_check.html.j2"),
    (
        "discrimination",
        "art-72-4",
        Message(
            "歧视：分组、交叉分组、代理变量、翻转检验与显著性检验",
            "Discrimination: groups, intersections, proxies, flip tests and significance tests",
        ),
        "appendix/discrimination.html.j2",
    ),
    ("prices", "art-72-5", Message("价格：细节", "Prices: details"), "appendix/prices.html.j2"),
    (
        "explanation",
        "art-71",
        Message("算法说明与公开说明草稿", "Explanation and the draft public notice"),
        "appendix/explanation.html.j2",
    ),
    (
        "privacy",
        "art-33",
        Message("去标识化：细节", "De-identification: details"),
        "appendix/privacy.html.j2",
    ),
    (
        "scope",
        "scope",
        Message("审计范围、系统信息与应用情境", "Scope, system card and use context"),
        "appendix/scope.html.j2",
    ),
    ("tracking", "tracking", Message("事后跟踪", "Ex-post tracking"), "appendix/tracking.html.j2"),
    (
        "method",
        "method",
        Message("方法与本审计的设定", "Method and this audit's settings"),
        "appendix/method.html.j2",
    ),
    (
        "manifest",
        "manifest",
        Message("可复现性记录", "Reproducibility manifest"),
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
        "html_lang": {"zh": "zh-CN", "en": "en", "bilingual": "zh-CN"}[lang],
        "font_stack": FONT_STACK,
        "font_stack_latin": FONT_STACK_LATIN,
        "title": Message("人工智能算法合规审计报告", "AI algorithm compliance audit report"),
        "subtitle": Message(
            "依据《深圳经济特区人工智能产业促进条例》",
            "Under the Shenzhen Special Economic Zone "
            "Regulations on Promoting the Artificial Intelligence Industry",
        ),
        "system_name": result.metadata.get("system_name"),
        "verdict": result.verdict,
        "verdict_message": result.verdict_message,
        "counts": [(Status(s), n) for s, n in result.status_counts.items()],
        "findings_sorted": sorted(result.findings, key=lambda f: f.status.severity),
        "system_rows": [
            (METADATA_LABELS.get(k, Message(k, k)), v) for k, v in result.metadata.items()
        ],
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
        "ratio_min": fmt_ratio(policy.selection_rate_ratio_min),
        "method": method_paragraphs(result.scope, policy),
        "policy_rows": list(policy.to_dict().items()),
        "manifest_rows": manifest_rows(result),
        "content_sha256": result.content_sha256,
        "generated_at": result.manifest.get("generated_at"),
        "conclusion": conclusion_page(result),
        "body": findings_by_article(result),
        "checklist_heading": Message(
            "第七十二条：伦理安全审查清单与签署",
            "Art. 72: ethics and safety review checklist and sign-off",
        ),
    }
    page.update(print_parts(result, lang))
    page["appendices"] = appendices(page)
    return page


def print_parts(result: Results, lang: str) -> dict[str, Any]:
    """The printed page's header (title, system, version) and footer ("第 x 页 共 y 页"), as
    CSS values; every text from the user is a CSS-escaped string."""
    title = Message("人工智能算法合规审计报告", "AI algorithm compliance audit report")
    parts = [title.en if lang == "en" else title.zh]
    for key in ("system_name", "version"):
        if result.metadata.get(key):
            parts.append(str(result.metadata[key]))
    zh = (
        f"{css_string('第 ')} counter(page) {css_string(' 页 共 ')} counter(pages) "
        f"{css_string(' 页')}"
    )
    en = f"{css_string('Page ')} counter(page) {css_string(' of ')} counter(pages)"
    counter = {"zh": zh, "en": en, "bilingual": f"{zh} {css_string(' · ')} {en}"}[lang]
    appendix = Message("附录", "Appendix")
    return {
        "print_header": " · ".join(parts),
        "print_counter": markupsafe.Markup(counter),
        "print_appendix": appendix.en if lang == "en" else appendix.zh,
    }
