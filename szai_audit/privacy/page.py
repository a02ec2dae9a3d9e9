"""The Art. 33(2) part of the report: the columns that look like identifiers (with masked
examples), k-anonymity and l-diversity, and the generalisations suggested; and its sentences
for page 1."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from ..core.catalog import say
from ..core.conclusion import Statement
from ..core.findings import Finding, Status
from ..core.messages import Message, fmt_pct
from . import words as w
from .checks import ARTICLE, DIRECT_IDENTIFIERS, K_ANONYMITY, L_DIVERSITY, NOT_SCANNED
from .detectors import DETECTORS
from .scanner import PrivacyScan

__all__ = ["Results", "conclusion_statements", "privacy_page"]

_ANCHOR = "art-33"


class Results(Protocol):
    """What the Art. 33(2) page part reads of an audit's result."""

    @property
    def privacy(self) -> PrivacyScan | None: ...
    @property
    def findings(self) -> Sequence[Finding]: ...


def _identifier_rows(scan: PrivacyScan) -> list[dict[str, Any]]:
    by = {
        "content": say("privacy.identifier_rows.content"),
        "name": say("privacy.identifier_rows.name"),
    }
    return [
        {
            "column": scan.name(str(r["column"])),
            "detector": DETECTORS.get(str(r["detector"]), Message(r["detector"], r["detector"])),
            "by": by.get(str(r["by"]), Message(str(r["by"]), str(r["by"]))),
            "share": "—" if r["share"] != r["share"] else fmt_pct(float(r["share"])),
            "examples": ", ".join(str(x) for x in r["masked_examples"]),
        }
        for r in scan.identifiers.to_dict(orient="records")
    ]


def _quasi_rows(scan: PrivacyScan) -> list[tuple[Message, str | Message]]:
    q = scan.quasi
    if q is None:
        return []
    rows: list[tuple[Message, str | Message]] = [
        (say("privacy.quasi_rows.quasi_identifiers"), scan.names(list(q.columns))),
        (
            say("privacy.quasi_rows.k_anonymity_achieved_required"),
            f"{q.k_anonymity:,} / {q.k_required:,}",
        ),
        (
            say("privacy.quasi_rows.records_with_unique_combination"),
            fmt_pct(q.share_unique),
        ),
        (
            say("privacy.quasi_rows.records_combinations_held_by", k_required=q.k_required),
            fmt_pct(q.share_below_k),
        ),
        (say("privacy.quasi_rows.distinct_combinations"), f"{q.n_classes:,}"),
    ]
    if q.l_diversity is not None:
        rows.append(
            (
                say("privacy.quasi_rows.l_diversity_achieved_required"),
                f"{q.l_diversity:,} / {q.l_required:,}",
            )
        )
    return [(label, value) for label, value in rows if value not in ("", "—")]


def privacy_page(result: Results) -> dict[str, Any] | None:
    """The Art. 33(2) scan for the report: columns (by display name), detectors, shares,
    masked examples; a column of the identifiers' table that holds nothing is left out."""
    scan = result.privacy
    if scan is None:
        return None
    identifiers = _identifier_rows(scan)
    q = scan.quasi
    suggestions = [Message(str(s["zh"]), str(s["en"])) for s in q.suggestions] if q else []
    use = (
        say("privacy.privacy_page.meant_be_provided_others")
        if scan.external
        else say("privacy.privacy_page.internal_use")
    )
    return {
        "n_rows": f"{scan.n_rows:,}",
        "n_scanned": f"{scan.n_scanned:,}",
        "use": use,
        "identifiers": identifiers,
        "show_share": any(r["share"] != "—" for r in identifiers),
        "show_examples": any(r["examples"] for r in identifiers),
        "quasi": _quasi_rows(scan),
        "suggestions": suggestions,
    }


def _key(f: Finding) -> str:
    return f"{f.check}@{f.ground or ''}"


def _k_statement(scan: PrivacyScan, f: Finding) -> Statement | None:
    q = scan.quasi
    if q is None or f.status is Status.NOT_ASSESSED:
        return Statement(ARTICLE, f.status, f.message, w.K_NOT_ASSESSED_ACTION, (_key(f),), _ANCHOR)
    if f.status is Status.INSUFFICIENT_DATA:
        return None
    k = int(f.threshold) if f.threshold is not None else q.k_required
    names = [scan.name(c) for c in q.columns]
    if f.status is Status.PASS:
        return Statement(
            ARTICLE, f.status, w.k_reached(names, q.k_anonymity, k), None, (_key(f),), _ANCHOR
        )
    steps = [(action, scan.name(column)) for column, action in q.generalisable.items()]
    return Statement(
        ARTICLE,
        f.status,
        w.k_statement(names, q.share_unique, q.k_anonymity, k, scan.external),
        w.k_action(steps, k, scan.external),
        (_key(f),),
        _ANCHOR,
    )


def _direct_statement(scan: PrivacyScan, f: Finding) -> Statement | None:
    if f.status is Status.PASS:
        return None
    rows = scan.identifiers
    content = [str(c) for c in rows.loc[rows["hit"] & (rows["by"] == "content"), "column"]]
    flagged = [str(c) for c in rows.loc[rows["hit"] | (rows["share"] > 0), "column"]]
    columns = list(dict.fromkeys(content or flagged))
    if not columns:
        return None
    names = [scan.name(c) for c in columns]
    by_content = bool(content)
    return Statement(
        ARTICLE,
        f.status,
        w.direct_statement(names, by_content, scan.external),
        w.direct_action(names, by_content, scan.external),
        (_key(f),),
        _ANCHOR,
    )


def _l_statement(scan: PrivacyScan, f: Finding) -> Statement | None:
    q = scan.quasi
    if q is None or q.l_diversity is None or f.status not in (Status.FAIL, Status.WARN):
        return None
    text = w.l_statement([scan.name(c) for c in q.sensitive], q.l_diversity, q.l_required)
    return Statement(ARTICLE, f.status, text, w.L_ACTION[scan.external], (_key(f),), _ANCHOR)


def conclusion_statements(result: Results) -> list[Statement]:
    """Page 1 on Art. 33(2): the share of records the quasi-identifiers single out (k), the
    columns that hold or may hold direct identifiers, l-diversity when it falls short, each
    with what to do; a scan that was not run says so. [] without any Art. 33(2) finding."""
    mine = [f for f in result.findings if f.article == ARTICLE]
    if not mine:
        return []
    scan = result.privacy
    if scan is None:
        return [
            Statement(ARTICLE, f.status, w.NOT_SCANNED, w.NOT_SCANNED_ACTION, (_key(f),), _ANCHOR)
            for f in mine
            if f.check == NOT_SCANNED.id
        ]
    build = {
        K_ANONYMITY.id: _k_statement,
        DIRECT_IDENTIFIERS.id: _direct_statement,
        L_DIVERSITY.id: _l_statement,
    }
    out = []
    for check in (K_ANONYMITY.id, DIRECT_IDENTIFIERS.id, L_DIVERSITY.id):
        for f in mine:
            if f.check == check and (s := build[check](scan, f)) is not None:
                out.append(s)
    if not out and all(f.status is Status.PASS for f in mine):
        keys = tuple(_key(f) for f in mine)
        out.append(Statement(ARTICLE, Status.PASS, w.ALL_CLEAR, None, keys, _ANCHOR))
    return out
