"""The Article 33 part of the report: the columns that look like identifiers (with masked
examples), k-anonymity and l-diversity, and the generalisations suggested."""

from __future__ import annotations

from typing import Any, Protocol

from ..core.messages import Message, fmt_pct
from .detectors import DETECTORS
from .scanner import PrivacyScan

__all__ = ["Results", "privacy_page"]


class Results(Protocol):
    """What the Article 33 page part reads of an audit's result."""

    @property
    def privacy(self) -> PrivacyScan | None: ...


def privacy_page(result: Results) -> dict[str, Any] | None:
    """The Article 33 scan for the report: columns, detectors, shares, masked examples."""
    scan = result.privacy
    if scan is None:
        return None
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
