"""Part 2 of the report: the findings of each article as compact tables, grouped by ground,
with the full text of every finding beyond tolerance."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..core.articles import DISCRIMINATION, EXPLANATION, PRICES, PRIVACY, RISK, provision
from ..core.catalog import say
from ..core.findings import Finding, Status
from ..core.grounds import INTERSECTION_SEP, grounds_basis
from ..core.html import subject_label
from ..core.messages import Message
from .results import Results

__all__ = ["BODY_ARTICLES", "body_anchor", "findings_by_article"]

#: The articles of part 2, in reading order, and the appendix with their details.
BODY_ARTICLES: tuple[tuple[str, str], ...] = (
    (DISCRIMINATION, "art-72-4"),
    (PRICES, "art-72-5"),
    (EXPLANATION, "art-71"),
    (PRIVACY, "art-33"),
    (RISK, "risk"),
)

_ORDER = sorted(Status, key=lambda s: s.severity)
_DECIDED = (Status.FAIL, Status.WARN, Status.PASS)


def body_anchor(article: str) -> str:
    """The id of an article's part-2 section: ``"72(4)"`` -> ``"body-72-4"``.

    >>> body_anchor("72(4)"), body_anchor("33")
    ('body-72-4', 'body-33')
    """
    return "body-" + article.replace("(", "-").replace(")", "")


def _groups(findings: list[Finding]) -> list[dict[str, Any]]:
    """Findings by subject (ground, profile column or none), in order of first appearance."""
    groups: dict[str, dict[str, Any]] = {}
    for f in findings:
        key = str(f.ground or "")
        if key not in groups:
            label = subject_label(f) if f.ground else say("report.groups.overall")
            groups[key] = {"key": key, "label": label, "rows": []}
        groups[key]["rows"].append(f)
    for g in groups.values():
        g["rows"].sort(key=lambda f: f.status.severity)
        g["worst"] = g["rows"][0].status
    return list(groups.values())


def _unmeasured(findings: list[Finding]) -> list[dict[str, Any]]:
    """Findings with no value (not assessed, too little data, awaiting review), by status, as
    one line each: "数据不足：国籍（批准率之比、……）"."""
    out = []
    for status in _ORDER:
        these = [f for f in findings if f.status is status]
        if not these:
            continue
        by_subject: dict[str, list[Finding]] = {}
        for f in these:
            by_subject.setdefault(str(f.ground or ""), []).append(f)
        parts = []
        for fs in by_subject.values():
            subject = subject_label(fs[0]) if fs[0].ground else None
            titles = Message("、".join(f.title.zh for f in fs), "; ".join(f.title.en for f in fs))
            parts.append(
                titles
                if subject is None
                else say("report.unmeasured.text", subject=subject, titles=titles)
            )
        out.append(
            {
                "status": status,
                "text": Message("；".join(m.zh for m in parts), "; ".join(m.en for m in parts)),
            }
        )
    return out


def _counts(findings: list[Finding]) -> list[tuple[Status, int]]:
    c = Counter(f.status for f in findings)
    return [(s, c[s]) for s in _ORDER if c.get(s)]


def findings_by_article(result: Results) -> list[dict[str, Any]]:
    """Per article with findings: heading, the regulation's words, the findings by subject
    (intersections summarised, their findings beyond tolerance listed), and the cards of the
    findings beyond tolerance."""
    out = []
    for article, appendix in BODY_ARTICLES:
        own = [f for f in result.findings if f.article == article]
        if not own:
            continue
        valued = [f for f in own if f.value is not None or f.status in _DECIDED]
        single = [f for f in valued if INTERSECTION_SEP not in str(f.ground or "")]
        crossed = [f for f in own if INTERSECTION_SEP in str(f.ground or "")]
        shown = {id(f) for f in valued + crossed}
        p = provision(article)
        out.append(
            {
                "article": article,
                "anchor": body_anchor(article),
                "heading": p.heading() if p is not None else Message(article, article),
                "quote": None if p is None else p.text,
                "citation": None if p is None else p.citation,
                "groups": _groups(single),
                "unmeasured": _unmeasured([f for f in own if id(f) not in shown]),
                "crossed": _groups([f for f in crossed if f.status is Status.FAIL]),
                "crossed_counts": _counts(crossed),
                "n_crossed": len(crossed),
                "cards": [f for f in own if f.status is Status.FAIL],
                # where the report introduces the grounds, under the words of Art. 72(2)(iv):
                # those the item names, and those audited under its "等" (age, ...)
                "grounds_note": grounds_basis([s.ground for s in result.sensitive])
                if article == DISCRIMINATION
                else None,
                "appendix": appendix,
            }
        )
    return out
