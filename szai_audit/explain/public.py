"""The public text's sentences that a person must review before publication.

The public algorithm notice (Art. 71) describes each main input as a rule ("婚姻状况与性别为
“男性，单身”时最有利……"). Two kinds of sentence must not be published as drafted:

* a sentence on an input the audit found to be a protected ground or a strong proxy of one
  (the rule of :func:`szai_audit.fairness.recourse.sensitive_inputs`: a ground's own column,
  or an input that predicts a ground with single-input AUC at or above
  ``policy.proxy_auc_threshold``): published, it would announce a discriminatory rule;
* a sentence on an input with a declared ``value_order`` whose most favourable value in the
  model contradicts it (the model's best category is declared worse than its worst one, a
  number declared ``"higher"`` that the model rewards lower): published, it would announce
  a perverse rule, the model rewarding what the organisation says should count against.

Such a sentence is kept in the draft, so that the committee sees what the model does, and
marked NEEDS_REVIEW with the reason (:class:`NoticeParagraph`): the report, the saved JSON,
the standalone notice and the algorithm filing all show the mark. The tool never decides
whether the sentence is published: a person does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.catalog import say
from ..core.findings import Status
from ..core.grounds import ground_label
from ..core.labels import ValueLabels
from ..core.messages import Message, fmt_ratio, listing
from ..core.orders import Order, is_better

__all__ = ["InputReview", "NoticeParagraph", "banner_text", "paragraph_dict", "review_input"]


@dataclass(frozen=True)
class InputReview:
    """Why the public text's sentence on one input must be reviewed before publication.

    Attributes
    ----------
    feature : str
        The input (a column of the model's data).
    grounds : tuple of str
        The protected grounds whose own column the input is.
    proxies : tuple of (str, float)
        The grounds the input stands in for, each with its single-input AUC (at or above
        ``threshold``).
    threshold : float
        The audit's ``policy.proxy_auc_threshold``.
    order : str or tuple of str or None
        The declared ``value_order`` of the input, when the model contradicts it.
    best, worst : object
        The model's most and least favourable categories (a categorical input whose order
        the model contradicts), or None.
    sign : int
        The model's direction for a number whose order it contradicts (+1: higher values
        favoured, -1: lower), else 0.
    """

    feature: str
    grounds: tuple[str, ...] = ()
    proxies: tuple[tuple[str, float], ...] = ()
    threshold: float = 0.0
    order: Order | None = None
    best: Any = None
    worst: Any = None
    sign: int = 0

    @property
    def protected(self) -> bool:
        """Whether the input is a protected ground or a strong proxy of one."""
        return bool(self.grounds or self.proxies)

    @property
    def against_order(self) -> bool:
        """Whether the model's most favourable value contradicts the declared order."""
        return self.order is not None

    def reason(
        self,
        label: Message,
        value_labels: ValueLabels | None = None,
        *,
        numeric_output: bool = False,
    ) -> Message:
        """The banner's words: why the sentence on this input (``label``, its display name)
        must be reviewed, the categories quoted by their ``value_labels``.

        >>> r = InputReview("personal_status", proxies=(("gender", 1.0),), threshold=0.7)
        >>> r.reason(Message("婚姻状况与性别", "marital status and sex")).zh[16:55]
        '是性别的代理变量（单变量 AUC 1.00，本审计的代理变量阈值为 0.70）'
        """
        parts = []
        if self.protected:
            what = [
                say("explain.review_reason.ground_itself", ground=ground_label(g))
                for g in self.grounds
            ]
            what += [
                say(
                    "explain.review_reason.stands_in_for",
                    ground=ground_label(g),
                    auc=fmt_ratio(auc, 2),
                    threshold=fmt_ratio(self.threshold, 2),
                )
                for g, auc in self.proxies
            ]
            rule = say(
                "explain.review_reason.rule_result"
                if numeric_output
                else "explain.review_reason.rule_decision"
            )
            parts.append(
                say(
                    "explain.review_reason.protected",
                    label=label,
                    what=listing(what, "，也", ", and "),
                    rule=rule,
                )
            )
        if self.order is not None and self.sign:
            parts.append(
                say(
                    "explain.review_reason.against_number",
                    label=label,
                    declared=_HIGHER if self.order == "higher" else _LOWER,
                    model=_HIGHER if self.sign > 0 else _LOWER,
                )
            )
        elif self.order is not None:
            said = say(
                "explain.review_reason.against_order",
                label=label,
                best=str(self.best),
                worst=str(self.worst),
            )
            parts.append(
                said if value_labels is None else value_labels.localise(said, self.feature)
            )
        if not parts:
            return Message("", "")
        return parts[0] if len(parts) == 1 else parts[0].join(parts[1])

    def to_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "grounds": list(self.grounds),
            "proxies": [{"ground": g, "auc": auc} for g, auc in self.proxies],
            "against_order": self.against_order,
        }


_HIGHER = Message("高", "higher")
_LOWER = Message("低", "lower")


def review_input(
    feature: str,
    direction: Mapping[str, Any],
    protected: Sequence[tuple[str, float | None]] = (),
    order: Order | None = None,
    threshold: float = 0.0,
) -> InputReview | None:
    """Why the public text's sentence on ``feature`` must be reviewed; None when nothing
    applies.

    ``direction`` is the feature's direction oriented towards the favourable decision
    (``sign`` +1: higher values favoured; ``raising`` and ``lowering``, the most and least
    favourable categories); ``protected`` the grounds the input is tied to, each with the
    input's single-input AUC (None: the ground's own column); ``order`` its declared
    ``value_order``; ``threshold`` the audit's ``proxy_auc_threshold``.

    The order is contradicted when the model's most favourable category is ranked below its
    least favourable one (categories the order does not list are not compared), or when a
    number declared ``"higher"`` is favoured lower (``"lower"``: favoured higher); a number
    with no single direction, or a category whose values differ too little, contradicts
    nothing.

    >>> up = {"kind": "numeric", "sign": -1}
    >>> review_input("income", up, order="higher").against_order
    True
    >>> review_input("income", {"kind": "numeric", "sign": 1}, order="higher") is None
    True
    >>> best = {"kind": "categorical", "raising": "late", "lowering": "on time"}
    >>> review_input("history", best, order=("late", "on time")).best
    'late'
    """
    grounds = tuple(dict.fromkeys(g for g, auc in protected if auc is None))
    proxies = tuple((g, float(auc)) for g, auc in protected if auc is not None and g not in grounds)
    against: Order | None = None
    best = worst = None
    sign = 0
    if order is not None:
        if direction.get("kind") == "numeric":
            s = int(direction.get("sign", 0) or 0)
            if isinstance(order, str) and s and (s > 0) != (order == "higher"):
                against, sign = order, s
        else:
            raising, lowering = direction.get("raising"), direction.get("lowering")
            # the model's worst (lowering) declared better than its best (raising)
            if raising is not None and lowering is not None and is_better(order, raising, lowering):
                against, best, worst = order, raising, lowering
    if not grounds and not proxies and against is None:
        return None
    return InputReview(feature, grounds, proxies, threshold, against, best, worst, sign)


@dataclass(frozen=True, eq=False)
class NoticeParagraph(Message):
    """A paragraph of the public notice on one input (``feature``), with its status: None
    when nothing applies, ``Status.NEEDS_REVIEW`` with the ``reason`` (the banner's words)
    when a person must review it before publication (:func:`review_input`)."""

    feature: str | None = None
    status: Status | None = None
    reason: Message | None = None


def paragraph_dict(paragraph: Message) -> dict[str, Any]:
    """A notice paragraph as the saved JSON writes it: its text, the input it describes, its
    status and its reason (each null when it has none: a paragraph on no input, or on an
    input with nothing to review).

    >>> paragraph_dict(Message("目的", "Purpose"))["status"] is None
    True
    """
    p = paragraph if isinstance(paragraph, NoticeParagraph) else None
    return {
        **Message(paragraph.zh, paragraph.en).to_dict(),
        "feature": None if p is None else p.feature,
        "status": None if p is None or p.status is None else p.status.value,
        "reason": None if p is None or p.reason is None else p.reason.to_dict(),
    }


def banner_text(status: Status | str, reason: Message) -> Message:
    """A banner in plain text: the status's name and the reason.

    >>> banner_text(Status.NEEDS_REVIEW, Message("须审查。", "Review it.")).zh
    '【待人工审查】须审查。'
    """
    return say("explain.review_reason.banner", status=Status(status).label, reason=reason)
