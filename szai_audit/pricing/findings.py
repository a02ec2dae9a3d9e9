"""Findings of the pricing audit: Article 72(5) for the consumer profile, 72(4) for the grounds."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Protocol

import pandas as pd

from ..core.findings import Finding, Status
from ..core.judging import TOLERANCE, Judgeable, Measured
from ..core.messages import Message
from ..core.policy import Policy
from ..core.stats import normal_p_value, z_value
from . import words as pw
from .checks import ARTICLE, ATTRIBUTION, CONDITIONAL, COUNTERFACTUAL, LOYALTY, NO_PROFILE, RAW
from .counterfactual import CounterfactualPrices
from .gaps import PriceGaps
from .loyalty import LoyaltyGap

__all__ = [
    "Shares",
    "attribution_finding",
    "counterfactual_findings",
    "counterfactual_not_assessed",
    "gap_findings",
    "loyalty_finding",
    "profile_not_provided",
]


class Shares(Protocol):
    """The explanation's share of the model's influence by input column (an
    :class:`~szai_audit.explain.ExplanationSummary`)."""

    def share(self, column: str) -> float | None: ...


def profile_not_provided() -> Finding:
    """Article 72(5) not assessed: no consumer profile was declared."""
    return Finding(
        check=NO_PROFILE.id,
        article=ARTICLE,
        status=Status.NOT_ASSESSED,
        message=pw.msg_no_profile(),
    )


def _abs_ci(low: float, high: float) -> tuple[float, float]:
    """Interval of |x| from an interval of x."""
    if low <= 0 <= high:
        return 0.0, max(-low, high)
    a, b = abs(low), abs(high)
    return min(a, b), max(a, b)


def _p(p: float) -> float:
    return p if math.isfinite(p) else 1.0


def gap_findings(
    gaps: PriceGaps,
    dim: Message,
    *,
    article: str,
    policy: Policy,
    currency: str,
    labels: Mapping[str, Sequence[str]] | None = None,
) -> list[Finding | Judgeable]:
    """Raw and conditional price gaps of one dimension (a profile column or a ground);
    ``labels`` gives display names of the legitimate factors."""
    table, ref = gaps.table, gaps.reference
    thr = policy.price_gap_max
    big = table["count"] >= policy.min_group_size
    ok = [g for g in table.index if big[g] and g != ref]
    if not ok or not big.get(ref, False):
        return _gaps_too_few(gaps, dim, article, policy)
    part = table.loc[ok]
    items: list[Finding | Judgeable] = [_raw_gap(gaps, dim, part, article, thr, currency)]
    finite = part[part["stratified"].notna()]
    if not gaps.factors or finite.empty:
        items.append(
            Finding(
                check=CONDITIONAL.id,
                article=article,
                status=Status.NOT_ASSESSED,
                message=pw.msg_no_factors(dim),
                ground=gaps.dimension,
                threshold=thr,
            )
        )
        return items
    items.append(_conditional_gap(gaps, dim, finite, article, thr, currency, labels))
    return items


def _gaps_too_few(
    gaps: PriceGaps, dim: Message, article: str, policy: Policy
) -> list[Finding | Judgeable]:
    """The raw and conditional checks of a dimension without enough orders per group."""
    return [
        Finding(
            check=check,
            article=article,
            status=Status.INSUFFICIENT_DATA,
            message=pw.msg_gap_too_few(dim, policy.min_group_size),
            ground=gaps.dimension,
            threshold=policy.price_gap_max,
            details={"kind": gaps.kind, "label": [dim.zh, dim.en]},
        )
        for check in (RAW.id, CONDITIONAL.id)
    ]


def _raw_gap(
    gaps: PriceGaps, dim: Message, part: pd.DataFrame, article: str, thr: float, currency: str
) -> Measured:
    """The raw gap: the group of ``part`` whose mean price is furthest from the reference's."""
    table, ref = gaps.table, gaps.reference
    g = str((part["mean_ratio"] - 1).abs().idxmax())
    row = part.loc[g]
    ratio = float(row["mean_ratio"])
    value = abs(ratio - 1)
    ratio_ci = (float(row["mean_ratio_low"]), float(row["mean_ratio_high"]))
    pays_more, pays_less = (g, ref) if ratio > 1 else (ref, g)
    mean_g, mean_r = float(row["mean"]), float(table.loc[ref, "mean"])

    def raw_message(status: Status, _p_adj: float) -> Message:
        return pw.msg_raw_gap(
            dim,
            group=g,
            reference=ref,
            mean_group=mean_g,
            mean_reference=mean_r,
            ratio_ci=ratio_ci,
            median_ratio=float(row["median_ratio"]),
            threshold=thr,
            level=gaps.level,
            status=status.value,
            currency=currency,
        )

    return Measured(
        check=RAW.id,
        ground=gaps.dimension,
        value=value,
        threshold=thr,
        over=value > thr + TOLERANCE,
        ci=_abs_ci(ratio_ci[0] - 1, ratio_ci[1] - 1),
        p_raw=_p(float(row["mean_ratio_p"])),
        worst=pays_more,
        best=pays_less,
        message=raw_message,
        details={
            "kind": gaps.kind,
            "label": [dim.zh, dim.en],
            "reference": ref,
            "group": g,
            "mean_ratio": ratio,
            "median_ratio": float(row["median_ratio"]),
            "mean_group": mean_g,
            "mean_reference": mean_r,
            "test": "z (delta method, log of the mean ratio)",
        },
        article=article,
        informative=True,
    )


def _conditional_gap(
    gaps: PriceGaps,
    dim: Message,
    finite: pd.DataFrame,
    article: str,
    thr: float,
    currency: str,
    labels: Mapping[str, Sequence[str]] | None,
) -> Measured:
    """The gap given the factors: the group of ``finite`` with the largest stratified gap."""
    ref = gaps.reference
    c = str(finite["stratified"].abs().idxmax())
    crow = finite.loc[c]
    s = float(crow["stratified"])
    value_c = abs(s)
    ci_c = (float(crow["stratified_low"]), float(crow["stratified_high"]))
    worse, better = (c, ref) if s > 0 else (ref, c)
    amount = float(crow["mean"]) * s / (1 + s)
    raw_c = float(crow["mean_ratio"]) - 1

    def cond_message(status: Status, p_adj: float) -> Message:
        return pw.msg_conditional_gap(
            dim,
            group=c,
            reference=ref,
            factors=gaps.factors,
            labels=labels,
            stratified=s,
            ci=ci_c,
            regression=float(crow["regression"]),
            raw=raw_c,
            coverage=float(crow["coverage"]),
            amount=amount,
            threshold=thr,
            level=gaps.level,
            status=status.value,
            worse=worse,
            p_value=p_adj,
            currency=currency,
        )

    return Measured(
        check=CONDITIONAL.id,
        ground=gaps.dimension,
        value=value_c,
        threshold=thr,
        over=value_c > thr + TOLERANCE,
        ci=_abs_ci(*ci_c),
        p_raw=_p(float(crow["stratified_p"])),
        worst=worse,
        best=better,
        message=cond_message,
        details={
            "kind": gaps.kind,
            "label": [dim.zh, dim.en],
            "reference": ref,
            "group": c,
            "factors": list(gaps.factors),
            "strata": gaps.n_strata,
            "stratified": s,
            "stratified_ci": list(ci_c),
            "regression": float(crow["regression"]),
            "regression_ci": [float(crow["regression_low"]), float(crow["regression_high"])],
            "raw": raw_c,
            "coverage": float(crow["coverage"]),
            "amount_per_order": amount,
            "test": "z (stratified estimate, log price)",
        },
        article=article,
    )


def counterfactual_findings(
    cf: CounterfactualPrices,
    profile: Mapping[str, list[str]],
    factors: list[str],
    policy: Policy,
    currency: str,
    labels: Mapping[str, Sequence[str]] | None = None,
) -> list[Finding | Judgeable]:
    """Same order, different customer: one finding per kind of profile feature."""
    return [
        _counterfactual(cf, kind, factors, policy, currency, labels)
        for kind in profile
        if kind in cf.summary.index
    ]


def _counterfactual(
    cf: CounterfactualPrices,
    kind: str,
    factors: list[str],
    policy: Policy,
    currency: str,
    labels: Mapping[str, Sequence[str]] | None,
) -> Measured:
    from scipy.stats import norm

    z = z_value(policy.confidence_level)
    thr = policy.counterfactual_share_max
    row = cf.summary.loc[kind]
    share, se = float(row["share_changed"]), float(row["share_changed_se"])
    # One-sided: is the share above the limit? With no spread, the share is known exactly.
    p_raw = float(norm.sf((share - thr) / se)) if se > 0 else float(share <= thr)
    ci = (max(0.0, share - z * se), min(1.0, share + z * se))
    eff = cf.effects[(cf.effects["swap"] == kind) & (cf.effects["n"] >= policy.min_group_size)]
    strongest = None
    if len(eff):
        top = eff.loc[eff["effect"].abs().idxmax()]
        strongest = (str(top["column"]), str(top["group"]), float(top["effect"]))
    numbers = {
        k: float(row[k])
        for k in (
            "mean_change",
            "mean_abs_change",
            "p95_abs_change",
            "max_abs_change",
            "mean_change_amount",
        )
    }

    def message(status: Status, p_adj: float) -> Message:
        return pw.msg_counterfactual(
            kind,
            columns=cf.columns[kind],
            factors=factors,
            share=share,
            ci=ci,
            tolerance=cf.tolerance,
            mean_abs=numbers["mean_abs_change"],
            p95=numbers["p95_abs_change"],
            amount=numbers["mean_change_amount"],
            strongest=strongest,
            labels=labels,
            orders=int(row["orders"]),
            donors=int(row["donors"]),
            threshold=thr,
            level=policy.confidence_level,
            status=status.value,
            p_value=p_adj,
            currency=currency,
        )

    return Measured(
        check=COUNTERFACTUAL.id,
        ground=kind,
        value=share,
        threshold=thr,
        over=share > thr + TOLERANCE,
        ci=ci,
        p_raw=p_raw,
        worst=None if strongest is None else strongest[1],
        best=None,
        message=message,
        details={
            "kind": kind,
            "columns": cf.columns[kind],
            "tolerance": cf.tolerance,
            **numbers,
            "orders": int(row["orders"]),
            "donors": int(row["donors"]),
            "strongest": None
            if strongest is None
            else {"column": strongest[0], "group": strongest[1], "effect": strongest[2]},
            "test": "one-sided z (share of changed pairs above the limit; orders as clusters)",
        },
        article=ARTICLE,
    )


def counterfactual_not_assessed(profile: Mapping[str, list[str]]) -> list[Finding]:
    return [
        Finding(
            check=COUNTERFACTUAL.id,
            article=ARTICLE,
            status=Status.NOT_ASSESSED,
            message=pw.msg_no_model(pw.COUNTERFACTUAL_WHAT),
            ground=kind,
        )
        for kind in profile
    ]


def loyalty_finding(
    gap: LoyaltyGap | None, policy: Policy, label: Message | None = None, currency: str = "CNY"
) -> Finding | Judgeable:
    """Loyal against new customers (``label``: how the tenure column is named)."""
    thr = policy.price_gap_max
    named = {} if label is None else {"label": [label.zh, label.en]}
    if gap is None:
        return Finding(
            check=LOYALTY.id,
            article=ARTICLE,
            status=Status.NOT_ASSESSED,
            message=pw.msg_no_loyalty(),
            threshold=thr,
        )
    if math.isfinite(gap.stratified):
        value, ci, p = gap.stratified, (gap.stratified_low, gap.stratified_high), gap.stratified_p
        basis = "stratified"
    elif math.isfinite(gap.counterfactual):
        value = gap.counterfactual
        ci = (gap.counterfactual_low, gap.counterfactual_high)
        z = z_value(policy.confidence_level)
        se = (ci[1] - ci[0]) / (2 * z)
        p = float(normal_p_value(value, se)[0]) if se > 0 else (0.0 if value else 1.0)
        basis = "counterfactual"
    else:
        return Finding(
            check=LOYALTY.id,
            article=ARTICLE,
            status=Status.NOT_ASSESSED,
            message=pw.msg_no_factors(Message("老顾客价格", "loyalty pricing")),
            threshold=thr,
            ground=gap.column,
            details=named,
        )

    def message(status: Status, p_adj: float) -> Message:
        return pw.msg_loyalty(
            column=gap.column,
            loyal_rule=gap.loyal_rule,
            new_rule=gap.new_rule,
            n_loyal=gap.n_loyal,
            n_new=gap.n_new,
            stratified=value if basis == "stratified" else math.nan,
            ci=ci,
            regression=gap.regression,
            raw=gap.raw,
            counterfactual=gap.counterfactual,
            threshold=thr,
            level=policy.confidence_level,
            status=status.value,
            p_value=p_adj,
            amount=gap.mean_loyal * value / (1 + value) if value > -1 else math.nan,
            currency=currency,
        )

    return Measured(
        check=LOYALTY.id,
        ground=gap.column,
        value=value,
        threshold=thr,
        over=value > thr + TOLERANCE,
        ci=ci,
        p_raw=_p(p),
        worst="loyal" if value > 0 else "new",
        best="new" if value > 0 else "loyal",
        message=message,
        details=gap.to_dict() | {"basis": basis} | named,
        article=ARTICLE,
    )


def attribution_finding(
    summary: Shares | None,
    profile: Mapping[str, list[str]],
    policy: Policy,
    reason: Message | None,
) -> Finding:
    thr = policy.attribution_share_max
    if summary is None:
        return Finding(
            check=ATTRIBUTION.id,
            article=ARTICLE,
            status=Status.NOT_ASSESSED,
            message=pw.msg_profile_not_assessed(
                reason or Message("没有算法说明。", "there is no explanation.")
            ),
            threshold=thr,
        )
    by_column = {c: summary.share(c) or 0.0 for cols in profile.values() for c in cols}
    by_kind = {k: float(sum(by_column[c] for c in cols)) for k, cols in profile.items()}
    total = float(sum(by_kind.values()))
    status = Status.WARN if total > thr + TOLERANCE else Status.PASS
    return Finding(
        check=ATTRIBUTION.id,
        article=ARTICLE,
        status=status,
        message=pw.msg_profile_attribution(total, by_kind, thr, status.value),
        value=total,
        threshold=thr,
        details={"by_kind": by_kind, "by_column": by_column},
    )
