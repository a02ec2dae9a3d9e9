"""Findings from the explanation: Article 71 (explained, public notice) and 72(4) (how much
of the model's influence comes from a sensitive attribute or its proxies)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..core.findings import Finding, Status
from ..core.grounds import ground_label
from ..core.messages import Message, fmt_pct
from ..core.policy import Policy
from .checks import ARTICLE, EXPLAINED, NOTICE, SHARE
from .summary import NOTICE_KEYS, ExplanationSummary

__all__ = ["attribution_share", "explained", "notice_complete", "share_not_assessed"]


def explained(summary: ExplanationSummary | None, reason: Message | None) -> Finding:
    """Article 71: whether a plain-language explanation could be produced."""
    if summary is None:
        return Finding(
            check=EXPLAINED.id,
            article=ARTICLE,
            status=Status.NOT_ASSESSED,
            message=reason or Message("未能生成解释。", "No explanation could be produced."),
        )
    top = summary.factors[:3]
    names_zh = "、".join(f"“{f.label.zh}”" for f in top)
    names_en = ", ".join(f"“{f.label.en}”" for f in top)
    return Finding(
        check=EXPLAINED.id,
        article=ARTICLE,
        status=Status.PASS,
        message=Message(
            f"已根据 {summary.n_rows} 行（共 {summary.n_total} 行）生成面向公众的算法说明；"
            f"影响最大的因素为 {names_zh}，详见“算法说明”一节。",
            f"A plain-language explanation was produced from {summary.n_rows} of "
            f"{summary.n_total} rows; the factors that weigh most are {names_en} (see the "
            f"explanation section).",
        ),
        details={"rows_explained": summary.n_rows, "rows_total": summary.n_total},
    )


def notice_complete(metadata: Mapping[str, str]) -> Finding:
    """Article 71: the public notice needs facts only the organisation can supply."""
    missing = [k for k in NOTICE_KEYS if not metadata.get(k)]
    if not missing:
        return Finding(
            check=NOTICE.id,
            article=ARTICLE,
            status=Status.PASS,
            message=Message(
                "公开算法说明所需的系统信息（用途、适用对象、决定与复核方式、申诉途径、联系方式）均已提供。",
                "The system card supplies everything the public notice needs (purpose, who is "
                "affected, how decisions are made and reviewed, how to appeal, contact).",
            ),
        )
    listed = ", ".join(missing)
    return Finding(
        check=NOTICE.id,
        article=ARTICLE,
        status=Status.NEEDS_REVIEW,
        message=Message(
            f"公开算法说明缺少以下系统信息，须由组织补充并经人工审核：{listed}"
            f"（通过 metadata 参数提供）。",
            f"The public notice lacks these facts from the system card, which the organisation "
            f"must supply and a person review: {listed} (pass them in metadata=).",
        ),
        details={"missing": missing},
    )


def attribution_share(
    summary: ExplanationSummary,
    ground: str,
    column: str | None,
    proxies: Sequence[str],
    policy: Policy,
) -> Finding:
    """72(4): the share of the model's influence carried by the attribute or its proxies."""
    g = ground_label(ground)
    limit = policy.attribution_share_max
    own = summary.share(column) if column else None
    unused = column is not None and own is None
    proxy_shares = {p: s for p in proxies if p != column and (s := summary.share(p)) is not None}
    heavy = {p: s for p, s in proxy_shares.items() if s > limit}
    parts_zh, parts_en = [], []
    if own is not None:
        parts_zh.append(f"该属性本身（“{column}”）占模型全部影响的 {fmt_pct(own)}")
        parts_en.append(
            f"the attribute itself (“{column}”) carries {fmt_pct(own)} of the model's influence"
        )
    elif unused:
        parts_zh.append(f"模型未使用该属性本身（“{column}”）")
        parts_en.append(f"the model does not use the attribute itself (“{column}”)")
    else:
        parts_zh.append("该属性不是模型输入")
        parts_en.append("the attribute is not a model input")
    if proxy_shares:
        listed_zh = "、".join(f"“{p}”（{fmt_pct(s)}）" for p, s in proxy_shares.items())
        listed_en = ", ".join(f"“{p}” ({fmt_pct(s)})" for p, s in proxy_shares.items())
        parts_zh.append(f"其代理变量占 {listed_zh}")
        parts_en.append(f"its proxies carry {listed_en}")
    head = Message(
        f"{g.zh}：" + "；".join(parts_zh) + f"；上限为 {fmt_pct(limit)}。",
        f"{g.en.capitalize()}: " + "; ".join(parts_en) + f"; the limit is {fmt_pct(limit)}.",
    )
    if own is not None and own > limit:
        status = Status.FAIL
        tail = Message(
            "模型直接依赖受保护属性作出决定。结论：不通过。",
            "The model relies directly on the protected attribute. Result: fail.",
        )
    elif heavy:
        status = Status.WARN
        tail = Message(
            "模型通过代理变量依赖该属性，须说明其正当性。结论：警示。",
            "The model relies on the attribute through proxies, which must be justified. "
            "Result: warning.",
        )
    else:
        status = Status.PASS
        tail = Message("结论：通过。", "Result: pass.")
    value = own if own is not None else max(proxy_shares.values(), default=0.0)
    return Finding(
        check=SHARE.id,
        article=SHARE.article,
        status=status,
        message=head.join(tail),
        value=value,
        threshold=limit,
        ground=ground,
        details={"column": column, "share": own, "proxy_shares": proxy_shares},
    )


def share_not_assessed(ground: str, reason: Message) -> Finding:
    return Finding(
        check=SHARE.id,
        article=SHARE.article,
        status=Status.NOT_ASSESSED,
        message=reason,
        ground=ground,
    )
