"""Findings from the explanation: Art. 71 (explained, public notice) and 72(4) (how much
of the model's influence comes from a sensitive attribute or its proxies)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..core.catalog import say
from ..core.findings import Finding, Status
from ..core.grounds import ground_label
from ..core.messages import Message
from ..core.metadata import meta_message
from ..core.policy import Policy
from . import words as w
from .checks import ARTICLE, EXPLAINED, NOTICE, SHARE
from .public import InputReview
from .summary import NOTICE_KEYS, ExplanationSummary

__all__ = ["attribution_share", "explained", "notice_complete", "share_not_assessed"]


def explained(summary: ExplanationSummary | None, reason: Message | None) -> Finding:
    """Art. 71: whether a plain-language explanation could be produced."""
    if summary is None:
        return Finding(
            check=EXPLAINED.id,
            article=ARTICLE,
            status=Status.NOT_ASSESSED,
            message=reason or say("explain.explained.no_explanation_could_be"),
        )
    return Finding(
        check=EXPLAINED.id,
        article=ARTICLE,
        status=Status.PASS,
        message=w.explained_text(
            [f.label for f in summary.factors[:3]], summary.n_rows, summary.n_total
        ),
        details={"rows_explained": summary.n_rows, "rows_total": summary.n_total},
    )


def notice_complete(
    metadata: Mapping[str, Any],
    flagged: Sequence[tuple[Message, InputReview]] = (),
    *,
    numeric_output: bool = False,
) -> Finding:
    """Art. 71: the public notice the tool drafts, which a person must approve.

    Always NEEDS_REVIEW: the tool drafts the notice but cannot approve it. While the system
    card (``metadata``) lacks one of :data:`~.summary.NOTICE_KEYS` the message lists the facts
    the organisation must supply (``details["missing"]``); once it has them all, the message
    says that the person responsible for the system must approve the text before publication,
    the approval being recorded in the ethics committee's sign-off (there is no argument that
    records it: it is a person's act).

    ``flagged`` holds the notice's sentences marked NEEDS_REVIEW (the display name of the
    input each describes, and why: :func:`~.summary.notice_reviews`); the message then says
    how many there are and why, and ``details["review"]`` lists them (input, the grounds it
    is or stands in for, whether it contradicts the declared order).
    """
    missing = [k for k in NOTICE_KEYS if meta_message(metadata, k) is None]
    message = w.notice_missing(missing) if missing else w.notice_drafted()
    if flagged:
        message = message.join(w.notice_review(flagged, numeric_output))
    return Finding(
        check=NOTICE.id,
        article=ARTICLE,
        status=Status.NEEDS_REVIEW,
        message=message,
        details={
            "missing": missing,
            "approved_by": None,
            "review": [r.to_dict() for _, r in flagged],
        },
    )


def attribution_share(
    summary: ExplanationSummary,
    ground: str,
    column: str | None,
    proxies: Sequence[str],
    policy: Policy,
    stand_in: tuple[str, float] | None = None,
    possible: Sequence[str] = (),
) -> Finding:
    """72(4): the share of the model's influence carried by the attribute or its proxies.

    ``proxies`` are the ground's proxies by the audit's one rule
    (:func:`~szai_audit.fairness.proxies.proxies_of`: single-input AUC at least
    ``policy.proxy_auc_threshold``), the same inputs the proxy finding, the notices and the
    filings name. ``possible`` are the possible stand-ins
    (:func:`~szai_audit.fairness.proxies.possible_stand_ins`: not proxies, but their AUC
    interval reaches the threshold): weighed too, for caution, and called possible stand-ins,
    never proxies. Either's share beyond ``policy.attribution_share_max`` makes a WARN.

    ``stand_in`` is a single input that all but equals the attribute (its name and the AUC with
    which it predicts the attribute). A model that uses it is never said not to use the
    attribute: the stand-in's share counts as the attribute's own (FAIL beyond the limit), and
    the message says the model uses the attribute through it.

    ``details``: ``column``, ``share`` (the attribute's own, None when the model does not use
    it), ``proxies`` (every proxy), ``proxy_shares`` (the share of each the model uses),
    ``possible_stand_ins`` and ``possible_stand_in_shares`` likewise.
    """
    g = ground_label(ground)
    limit = policy.attribution_share_max
    own = summary.share(column) if column else None
    named = [str(p) for p in proxies if p != column]
    wider = [str(p) for p in possible if p != column and p not in named]
    proxy_shares = {p: s for p in named if (s := summary.share(p)) is not None}
    wider_shares = {p: s for p in wider if (s := summary.share(p)) is not None}
    heavy = any(s > limit for s in proxy_shares.values())
    heavy_wider = any(s > limit for s in wider_shares.values())
    status = Status.PASS
    if own is not None and own > limit:
        status = Status.FAIL
    elif heavy or heavy_wider:
        status = Status.WARN
    standing = None
    stand_share = None if stand_in is None else summary.share(stand_in[0])
    if stand_in is not None and stand_in[0] != column and stand_share:
        standing = (summary.label(stand_in[0]), stand_in[1])
        if stand_share > limit:
            status = Status.FAIL
    message = w.share_text(
        g,
        summary.label(column) if column else None,
        own,
        [(summary.label(p), s) for p, s in proxy_shares.items()],
        limit,
        status,
        stand_in=standing,
        possible=[(summary.label(p), s) for p, s in wider_shares.items()],
        threshold=policy.proxy_auc_threshold,
        proxies_heavy=heavy,
    )
    weighed = [*proxy_shares.values(), *wider_shares.values()]
    value = own if own is not None else max(weighed, default=0.0)
    return Finding(
        check=SHARE.id,
        article=SHARE.article,
        status=status,
        message=message,
        value=value,
        threshold=limit,
        ground=ground,
        details={
            "column": column,
            "share": own,
            "proxies": named,
            "proxy_shares": proxy_shares,
            "possible_stand_ins": wider,
            "possible_stand_in_shares": wider_shares,
        },
    )


def share_not_assessed(ground: str, reason: Message) -> Finding:
    return Finding(
        check=SHARE.id,
        article=SHARE.article,
        status=Status.NOT_ASSESSED,
        message=reason,
        ground=ground,
    )
