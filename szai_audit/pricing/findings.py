"""Findings of the pricing audit: Art. 72(2)(v) for the consumer profile, 72(4) for the grounds."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np
import pandas as pd

from ..core.catalog import say
from ..core.conditional import PreparedFactors
from ..core.errors import InputError
from ..core.findings import Finding, Status
from ..core.judging import (
    TOLERANCE,
    Comparison,
    Judgeable,
    Measured,
    MeasuredTwice,
    Verdict,
    both_ways,
    normal_comparison,
)
from ..core.messages import Message
from ..core.models import Repeat
from ..core.policy import Policy
from ..core.stats import z_value
from ..core.trend import ends_compared, fit_lines
from . import words as pw
from .checks import (
    ARTICLE,
    ATTRIBUTION,
    CONDITIONAL,
    COUNTERFACTUAL,
    LOYALTY,
    NO_PROFILE,
    RAW,
    TREND,
)
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
    "trend_finding",
]


class Shares(Protocol):
    """The explanation's share of the model's influence by input column (an
    :class:`~szai_audit.explain.ExplanationSummary`)."""

    def share(self, column: str) -> float | None: ...


def profile_not_provided() -> Finding:
    """Art. 72(2)(v) not assessed: no consumer profile was declared."""
    return Finding(
        check=NO_PROFILE.id,
        article=ARTICLE,
        status=Status.NOT_ASSESSED,
        message=pw.msg_no_profile(),
    )


def _log_comparison(
    group: str,
    reference: str,
    gap: float,
    se_log: float,
    threshold: float,
    level: float,
    method: str,
    size: int,
    extra: dict[str, object],
) -> Comparison:
    """A relative price gap (0.05 = 5% more) tested on the log scale against the tolerance."""
    return normal_comparison(
        group,
        reference,
        gap,
        se_log,
        threshold=threshold,
        direction="at_most",
        level=level,
        scale="log1p",
        method=method,
        size=size,
        extra=extra,
    )


def gap_findings(
    gaps: PriceGaps,
    dim: Message,
    *,
    article: str,
    policy: Policy,
    currency: str,
    labels: Mapping[str, Sequence[str]] | None = None,
    chosen: bool = False,
) -> list[Finding | Judgeable]:
    """Raw and conditional price gaps of one dimension (a profile column or a ground): every
    group of enough orders against the reference; ``labels`` names the legitimate factors.
    ``chosen``: the user chose the reference (not the lowest-priced group), so the raw gaps
    are read both ways, as the conditional ones always are."""
    table, ref = gaps.table, gaps.reference
    thr = policy.price_gap_max
    big = gaps.shown(policy.min_group_size)
    ok = [g for g in table.index if big[g] and g != ref]
    if not ok or not big.get(ref, False):
        return _gaps_too_few(gaps, dim, article, policy)
    part = table.loc[ok]
    items: list[Finding | Judgeable] = [
        _raw_gap(gaps, dim, part, article, policy, currency, chosen)
    ]
    if not gaps.factors or part["regression"].isna().all():
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
    items.append(_conditional_gap(gaps, dim, part, article, policy, currency, labels))
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
    gaps: PriceGaps,
    dim: Message,
    part: pd.DataFrame,
    article: str,
    policy: Policy,
    currency: str,
    chosen: bool = False,
) -> Measured:
    """The raw gaps, informative only: each group's mean price against the reference's."""
    table, ref = gaps.table, gaps.reference
    thr, level = policy.price_gap_max, policy.confidence_level
    mean_r = float(table.loc[ref, "mean"])
    comparisons = [
        _log_comparison(
            str(g),
            ref,
            float(row["mean_ratio"]) - 1,
            float(row["mean_ratio_se_log"]),
            thr,
            level,
            "normal_log",
            int(row["count"]),
            {"mean": float(row["mean"]), "reference_mean": mean_r},
        )
        for g, row in part.iterrows()
    ]
    if chosen:
        comparisons = both_ways(comparisons, threshold=thr, direction="at_most", level=level)
    medians = {(str(g), ref): float(row["median_ratio"]) for g, row in part.iterrows()}
    medians |= {(h, g): 1 / m for (g, h), m in list(medians.items())}

    def raw_message(verdict: Verdict) -> Message:
        return pw.msg_raw_gap(
            dim,
            verdict,
            median_ratio=medians[(verdict.comparison.group, verdict.comparison.reference)],
            threshold=thr,
            level=level,
            currency=currency,
        )

    return Measured(
        check=RAW.id,
        article=article,
        ground=gaps.dimension,
        threshold=thr,
        direction="at_most",
        comparisons=comparisons,
        message=raw_message,
        details={"kind": gaps.kind, "label": [dim.zh, dim.en], "reference": ref},
        informative=True,
    )


def _conditional_gap(
    gaps: PriceGaps,
    dim: Message,
    part: pd.DataFrame,
    article: str,
    policy: Policy,
    currency: str,
    labels: Mapping[str, Sequence[str]] | None,
) -> MeasuredTwice:
    """The gaps given the factors: stratified where the shared strata hold enough orders,
    and regression-adjusted, each group against the reference."""
    thr, level, ref = policy.price_gap_max, policy.confidence_level, gaps.reference
    stratified, regression, unsupported = _conditional_pairs(gaps, part, policy)

    def cond_message(verdict: Verdict) -> Message:
        return pw.msg_conditional_gap(
            dim,
            verdict,
            factors=gaps.factors,
            threshold=thr,
            level=level,
            currency=currency,
            min_size=policy.min_group_size,
            min_coverage=policy.min_coverage,
            labels=labels,
        )

    return MeasuredTwice(
        check=CONDITIONAL.id,
        article=article,
        ground=gaps.dimension,
        threshold=thr,
        direction="at_most",
        comparisons=stratified,
        second=regression,
        unsupported=tuple(unsupported),
        message=cond_message,
        details={
            "kind": gaps.kind,
            "label": [dim.zh, dim.en],
            "reference": ref,
            "factors": list(gaps.factors),
            "strata": gaps.n_strata,
        },
    )


def _conditional_pairs(
    gaps: PriceGaps, part: pd.DataFrame, policy: Policy
) -> tuple[list[Comparison], list[Comparison], list[str]]:
    """Each group's stratified comparison (where the shared strata support it) and regression
    one, both ways: the reference is the lowest-priced group before the factors, and after
    them it may pay more."""
    thr, level, ref = policy.price_gap_max, policy.confidence_level, gaps.reference
    stratified: list[Comparison] = []
    regression: list[Comparison] = []
    unsupported: list[str] = []
    mean_r = float(gaps.table.loc[ref, "mean"])
    for g, row in part.iterrows():
        extra = {
            "mean": float(row["mean"]),
            "reference_mean": mean_r,
            "raw": float(row["mean_ratio"]) - 1,
            "coverage": float(row["coverage"]),
            "reference_coverage": float(row["reference_coverage"]),
            "covered": int(row["covered"]),
            "reference_covered": int(row["reference_covered"]),
        }
        estimates = [("regression", "regression_hc1_log_z", int(row["count"]))]
        if math.isfinite(float(row["stratified"])) and policy.supports_strata(
            row["covered"], row["reference_covered"], row["coverage"]
        ):
            estimates.append(("stratified", "stratified_log_z", int(row["covered"])))
        else:
            unsupported.append(str(g))
        for estimate, method, size in estimates:
            c = _log_comparison(
                str(g),
                ref,
                float(row[estimate]),
                float(row[f"{estimate}_se"]),
                thr,
                level,
                method,
                size,
                {**extra, "estimate": estimate},
            )
            (stratified if estimate == "stratified" else regression).append(c)
    return (
        both_ways(stratified, threshold=thr, direction="at_most", level=level),
        both_ways(regression, threshold=thr, direction="at_most", level=level),
        unsupported,
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
    thr, level = policy.counterfactual_share_max, policy.confidence_level
    row = cf.summary.loc[kind]
    share, se = float(row["share_changed"]), float(row["share_changed_se"])
    strongest = _strongest(cf, kind, policy.min_group_size)
    numbers = {k: float(row[k]) for k in _CHANGES}

    # One-sided: is the share above the limit? With no spread, the share is known exactly.
    comparison = normal_comparison(
        kind,
        "",
        share,
        se,
        threshold=thr,
        direction="at_most",
        level=level,
        method="one_sided_z (orders as clusters)",
        size=int(row["orders"]),
    )
    ci = comparison.ci or (math.nan, math.nan)
    comparison = replace(comparison, ci=(max(0.0, ci[0]), min(1.0, ci[1])))

    def message(verdict: Verdict) -> Message:
        c = verdict.comparison.ci or (math.nan, math.nan)
        return pw.msg_counterfactual(
            kind,
            columns=cf.columns[kind],
            factors=factors,
            share=share,
            ci=c,
            tolerance=cf.tolerance,
            mean_abs=numbers["mean_abs_change"],
            p95=numbers["p95_abs_change"],
            amount=numbers["mean_change_amount"],
            strongest=strongest,
            labels=labels,
            orders=int(row["orders"]),
            donors=int(row["donors"]),
            threshold=thr,
            level=level,
            verdict=verdict,
            currency=currency,
        )

    return Measured(
        check=COUNTERFACTUAL.id,
        names_groups=False,
        ground=kind,
        threshold=thr,
        direction="at_most",
        comparisons=[comparison],
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
        },
        article=ARTICLE,
    )


#: The counterfactual summary's columns a finding carries.
_CHANGES = (
    "mean_change",
    "mean_abs_change",
    "p95_abs_change",
    "max_abs_change",
    "mean_change_amount",
)


def _strongest(cf: CounterfactualPrices, kind: str, min_size: int) -> tuple[str, str, float] | None:
    """The donor group of one kind whose profile moves the price most (at least ``min_size``
    pairs): its column, group and effect."""
    eff = cf.effects[(cf.effects["swap"] == kind) & (cf.effects["n"] >= min_size)]
    if not len(eff):
        return None
    top = eff.loc[eff["effect"].abs().idxmax()]
    return str(top["column"]), str(top["group"]), float(top["effect"])


def counterfactual_not_assessed(
    profile: Mapping[str, list[str]], repeat: Repeat | None = None
) -> list[Finding]:
    """The counterfactual prices of each kind of profile, NOT_ASSESSED: without the model, or
    with a model whose prices differed when called twice on the same orders (``repeat``,
    recorded in the details)."""
    message = pw.msg_no_model(pw.COUNTERFACTUAL_WHAT, repeat)
    return [
        Finding(
            check=COUNTERFACTUAL.id,
            article=ARTICLE,
            status=Status.NOT_ASSESSED,
            message=message,
            ground=kind,
            details={} if repeat is None else repeat.details(),
        )
        for kind in profile
    ]


def loyalty_finding(
    gap: LoyaltyGap | None,
    policy: Policy,
    label: Message | None = None,
    currency: str = "CNY",
    labels: Mapping[str, Sequence[str]] | None = None,
) -> Finding | Judgeable:
    """Loyal against new customers (``label``: how the tenure column is named; ``labels``:
    the ``feature_labels``, whose display name and unit of the tenure column the message uses).

    Decided like a conditional price gap: the stratified gap where the strata shared by loyal
    and new customers hold enough orders of both, with the regression-adjusted gap beside it
    (a disagreement is a WARN); else the regression gap; without factors, the model's
    re-pricing of the loyal customers' orders as new customers' (see
    :data:`~szai_audit.core.judging.DECISION_RULES`)."""
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
    extra = {
        "mean": gap.mean_loyal,
        "raw": gap.raw,
        "coverage": gap.coverage,
        "covered": gap.covered,
        "reference_covered": gap.reference_covered,
    }
    first, second = _loyalty_comparisons(gap, policy, extra)
    details = gap.to_dict() | named
    message = _loyalty_message(gap, policy, currency, labels)
    if second:
        return MeasuredTwice(
            check=LOYALTY.id,
            article=ARTICLE,
            ground=gap.column,
            threshold=thr,
            direction="at_most",
            message=message,
            comparisons=first,
            second=second,
            unsupported=() if first else ("loyal",),
            details=details | {"basis": "stratified" if first else "regression"},
        )
    deciding = first or _loyalty_counterfactual(gap, policy, extra)
    if not deciding:
        return Finding(
            check=LOYALTY.id,
            article=ARTICLE,
            status=Status.NOT_ASSESSED,
            message=pw.msg_no_factors(say("pricing.loyalty_finding.loyalty_pricing")),
            threshold=thr,
            ground=gap.column,
            details=named,
        )
    return Measured(
        check=LOYALTY.id,
        article=ARTICLE,
        ground=gap.column,
        threshold=thr,
        direction="at_most",
        message=message,
        comparisons=deciding,
        details=details | {"basis": "stratified" if first else "counterfactual"},
    )


def _loyalty_message(
    gap: LoyaltyGap,
    policy: Policy,
    currency: str,
    labels: Mapping[str, Sequence[str]] | None = None,
) -> Callable[[Verdict], Message]:
    def message(verdict: Verdict) -> Message:
        return pw.msg_loyalty(
            verdict,
            column=gap.column,
            loyal_rule=gap.loyal_rule,
            new_rule=gap.new_rule,
            n_loyal=gap.n_loyal,
            n_new=gap.n_new,
            raw=gap.raw,
            counterfactual=gap.counterfactual,
            threshold=policy.price_gap_max,
            level=policy.confidence_level,
            min_size=policy.min_group_size,
            min_coverage=policy.min_coverage,
            mean_loyal=gap.mean_loyal,
            currency=currency,
            labels=labels,
        )

    return message


def _loyalty_counterfactual(
    gap: LoyaltyGap, policy: Policy, extra: Mapping[str, object]
) -> list[Comparison]:
    """Without factors: the loyal customers' orders re-priced as a new customer's (their mean
    relative change, one-sided z-test); none without the model."""
    if not math.isfinite(gap.counterfactual):
        return []
    level = policy.confidence_level
    se = (gap.counterfactual_high - gap.counterfactual_low) / (2 * z_value(level))
    return [
        normal_comparison(
            "loyal",
            "new",
            gap.counterfactual,
            se,
            threshold=policy.price_gap_max,
            direction="at_most",
            level=level,
            method="one_sided_z (re-priced orders)",
            size=gap.counterfactual_orders,
            extra={**extra, "estimate": "counterfactual"},
        )
    ]


def _loyalty_comparisons(
    gap: LoyaltyGap, policy: Policy, extra: Mapping[str, object]
) -> tuple[list[Comparison], list[Comparison]]:
    """The stratified comparison (when the shared strata support it) and the regression one."""
    thr, level = policy.price_gap_max, policy.confidence_level
    supported = (
        math.isfinite(gap.stratified)
        and math.isfinite(gap.stratified_se)
        and policy.supports_strata(gap.covered, gap.reference_covered, gap.coverage)
    )
    first = (
        [
            _log_comparison(
                "loyal",
                "new",
                gap.stratified,
                gap.stratified_se,
                thr,
                level,
                "stratified_log_z",
                gap.covered,
                {**extra, "estimate": "stratified"},
            )
        ]
        if supported
        else []
    )
    second = (
        [
            _log_comparison(
                "loyal",
                "new",
                gap.regression,
                gap.regression_se,
                thr,
                level,
                "regression_hc1_log_z",
                gap.n_loyal,
                {**extra, "estimate": "regression"},
            )
        ]
        if math.isfinite(gap.regression) and math.isfinite(gap.regression_se)
        else []
    )
    return first, second


def attribution_finding(
    summary: Shares | None,
    profile: Mapping[str, list[str]],
    policy: Policy,
    reason: Message | None,
    labels: Mapping[str, Sequence[str]] | None = None,
) -> Finding:
    """The consumer profile's share of the model's influence on the price (``labels``: the
    ``feature_labels``, naming the column of the largest share)."""
    thr = policy.attribution_share_max
    if summary is None:
        return Finding(
            check=ATTRIBUTION.id,
            article=ARTICLE,
            status=Status.NOT_ASSESSED,
            message=pw.msg_profile_not_assessed(
                reason or say("pricing.attribution_finding.there_no_explanation")
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
        message=pw.msg_profile_attribution(
            total, by_kind, thr, status.value, by_column=by_column, labels=labels
        ),
        value=total,
        threshold=thr,
        details={"by_kind": by_kind, "by_column": by_column},
    )


def trend_finding(
    name: str,
    dim: Message,
    value: np.ndarray,
    prices: np.ndarray,
    policy: Policy,
    *,
    article: str,
    currency: str,
    factors: PreparedFactors | None = None,
    labels: Mapping[str, Sequence[str]] | None = None,
    column: str | None = None,
) -> Finding | Judgeable:
    """The price trend along the numeric column ``name`` (a binned profile column or
    ground): the straight line of the log price on its values, read between the 10th and 90th
    percentiles, both ends compared. Given the legitimate ``factors`` it decides, the raw
    line beside it; without them the raw line is informative (never FAIL), as raw gaps are.
    ``column``: the data column of a ground, whose unit ``labels`` may give (default ``name``)."""
    thr, level = policy.price_gap_max, policy.confidence_level
    try:
        raw, adjusted = fit_lines(
            np.log(prices),
            value,
            None if factors is None else factors.design,
            min_rows=policy.min_group_size,
            what="orders",
        )
    except InputError as e:
        return Finding(
            check=TREND.id,
            article=article,
            status=Status.INSUFFICIENT_DATA,
            message=pw.msg_trend_not_fitted(dim, Message(str(e), str(e))),
            ground=name,
            threshold=thr,
        )
    compare = ends_compared(raw, scale="log", threshold=thr, level=level, higher_is_better=False)

    raw_by_group = {c.group: c for c in compare(raw)}
    deciding = compare(adjusted) if adjusted is not None else list(raw_by_group.values())
    names = [] if factors is None else factors.names

    def message(verdict: Verdict) -> Message:
        return pw.msg_price_trend(
            dim,
            verdict,
            threshold=thr,
            level=level,
            currency=currency,
            raw=raw_by_group[verdict.comparison.group] if adjusted is not None else None,
            factors=names,
            labels=labels,
            unit=pw.unit_of(column or name, labels),
        )

    decided = adjusted or raw
    return Measured(
        check=TREND.id,
        article=article,
        ground=name,
        threshold=thr,
        direction="at_most",
        comparisons=deciding,
        message=message,
        details={
            "label": [dim.zh, dim.en],
            "slope": decided.slope,
            "slope_se": decided.slope_se,
            "slope_p_value": decided.p_value,
            "raw_slope": raw.slope,
            "p10": raw.low,
            "p90": raw.high,
            "factors": names,
            "scale": "log price",
        },
        informative=adjusted is None,
    )
