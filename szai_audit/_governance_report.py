"""Page parts of the report for Articles 66, 72 (checklist and sign-off) and 33."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from .findings import Status
from .narrative import Message
from .risk import CHECKLIST_ITEMS, TIERS

if TYPE_CHECKING:
    from .result import AuditResult

#: The articles of the executive summary, in reading order, with the anchor of their section.
ARTICLE_ROWS: list[tuple[str, Message, str]] = [
    ("66", Message("第六十六条：风险等级", "Art. 66: risk tier"), "summary"),
    ("72(4)", Message("第七十二条第（四）项：歧视", "Art. 72(4): discrimination"), "art-72-4"),
    (
        "72(5)",
        Message("第七十二条第（五）项：价格歧视", "Art. 72(5): price discrimination"),
        "art-72-5",
    ),
    ("71", Message("第七十一条：算法说明", "Art. 71: explanation"), "art-71"),
    ("33", Message("第三十三条：去标识化", "Art. 33: de-identification"), "art-33"),
    ("72", Message("第七十二条：伦理安全审查清单", "Art. 72: ethics review checklist"), "art-72"),
]

_BASIS = {
    "measured": Message("本次审计测量", "measured by this audit"),
    "attested": Message("审查人书面确认", "attested by a reviewer"),
    "needs_review": Message("待审查人确认", "awaiting a reviewer"),
}

_ORDER = sorted(Status, key=lambda s: s.severity)


def _row(label: Message, anchor: str, statuses: list[Status], article: str) -> dict[str, Any]:
    counts = Counter(statuses)
    worst = min(statuses, key=lambda s: s.severity) if statuses else None
    return {
        "article": article,
        "label": label,
        "anchor": anchor,
        "counts": [(s, counts.get(s, 0)) for s in _ORDER],
        "worst": worst,
        "total": len(statuses),
    }


def _escalation(keys: tuple[str, ...], shown: int = 3) -> Message | None:
    """The failed checks that raised the tier, in words: the first few and how many more."""
    if not keys:
        return None
    from .narrative import CHECK_TITLES, ground_label

    parts = []
    for key in keys[:shown]:
        check, _, ground = key.partition("@")
        title = CHECK_TITLES.get(check, Message(check, check))
        g = (
            " × ".join(ground_label(x).zh for x in ground.split(" × ")),
            " × ".join(ground_label(x).en for x in ground.split(" × ")),
        )
        parts.append(Message(f"{g[0]}：{title.zh}", f"{title.en} ({g[1]})"))
    more = len(keys) - shown
    zh = "；".join(p.zh for p in parts) + (f"；另 {more} 项" if more > 0 else "")
    en = "; ".join(p.en for p in parts) + (f"; {more} more" if more > 0 else "")
    return Message(zh, en)


def privacy_page(result: AuditResult) -> dict[str, Any] | None:
    """The Article 33 scan for the report: columns, detectors, shares, masked examples."""
    scan = result.privacy
    if scan is None:
        return None
    from .narrative import fmt_pct
    from .privacy import DETECTORS

    by = {"content": Message("内容", "content"), "name": Message("列名", "column name")}
    identifiers = [
        {
            "column": str(r["column"]),
            "detector": DETECTORS.get(str(r["detector"]), Message(r["detector"], r["detector"])),
            "by": by.get(str(r["by"]), Message(str(r["by"]), str(r["by"]))),
            "share": "—" if r["share"] != r["share"] else fmt_pct(float(r["share"])),
            "examples": ", ".join(str(x) for x in r["masked_examples"]),
        }
        for r in scan.identifiers.to_dict(orient="records")
    ]
    quasi = []
    suggestions = []
    q = scan.quasi
    if q is not None:
        quasi = [
            (Message("准标识符列", "Columns"), ", ".join(q.columns)),
            (
                Message("k-匿名（达到 / 要求）", "k-anonymity (achieved / required)"),
                f"{q.k_anonymity} / {q.k_required}",
            ),
            (
                Message("组合唯一的记录", "Records with a unique combination"),
                fmt_pct(q.share_unique),
            ),
            (
                Message("所在等价类小于 k 的记录", "Records in classes smaller than k"),
                fmt_pct(q.share_below_k),
            ),
            (Message("等价类数", "Equivalence classes"), f"{q.n_classes:,}"),
        ]
        if q.l_diversity is not None:
            quasi.append(
                (
                    Message("l-多样性（达到 / 要求）", "l-diversity (achieved / required)"),
                    f"{q.l_diversity} / {q.l_required}",
                )
            )
        suggestions = [Message(str(s["zh"]), str(s["en"])) for s in q.suggestions]
    use = (
        Message("对外提供", "meant to be provided to others")
        if scan.external
        else Message("内部使用", "for internal use")
    )
    return {
        "n_rows": f"{scan.n_rows:,}",
        "n_scanned": f"{scan.n_scanned:,}",
        "use": use,
        "identifiers": identifiers,
        "quasi": quasi,
        "suggestions": suggestions,
    }


def governance_page(result: AuditResult) -> dict[str, Any]:
    """Risk tier, one row per article with counts by status, the context, the checklist."""
    rows = []
    for article, label, anchor in ARTICLE_ROWS:
        if article == "72":
            statuses = [item.status for item in result.checklist]
        else:
            statuses = [f.status for f in result.findings if f.article == article]
        if article == "72(5)" and result.pricing is None and not statuses:
            continue
        rows.append(_row(label, anchor, statuses, article))
    risk = result.risk
    risk_part = None
    if risk is not None:
        risk_part = {
            "tier": risk.tier,
            "label": TIERS[risk.tier],
            "base_label": TIERS[risk.base_tier],
            "reason": risk.reason,
            "rule": risk.rule,
            "escalated_by": _escalation(risk.escalated_by),
            "escalation_text": risk.escalation_text,
            "duties": list(risk.duties),
            "article_71": risk.article_71_reason,
            "article_71_applies": risk.article_71_applies,
            "context_rows": risk.context.labels(),
            "source": risk.rules_source,
        }
    findings_by_key = {(f.check, f.ground): f for f in result.findings}
    items = []
    for item in result.checklist:
        link = {2: "art-33", 4: "art-72-4", 5: "art-72-5"}.get(item.item)
        evidence = Counter(Status(e["status"]) for e in item.evidence)
        items.append(
            {
                "item": item.item,
                "title": item.title,
                "status": item.status,
                "basis": _BASIS[item.basis],
                "evidence": [(s, evidence[s]) for s in _ORDER if evidence.get(s)],
                "anchor": link if item.evidence else None,
                "measured_by": CHECKLIST_ITEMS[item.item][1],
                "attestations": list(item.attestations),
                "finding": findings_by_key.get((f"ethics.item_{item.item}", None)),
            }
        )
    attestations = [a for item in result.checklist for a in item.attestations]
    return {
        "risk": risk_part,
        "articles": rows,
        "checklist": items,
        "attestations": attestations,
        "privacy_findings": [f for f in result.findings if f.article == "33"],
        "risk_findings": [f for f in result.findings if f.article == "66"],
        "item_findings": [f for f in result.findings if f.article == "72"],
    }
