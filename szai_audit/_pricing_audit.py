"""``Audit(task="pricing").run()``: Article 72(5) for the consumer profile, 72(4) for the
grounds, 71 for the explanation, in one audit of a pricing model or of the prices it set."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import _fairness_checks as checks
from . import _pricing_checks as pc
from . import _pricing_words as pw
from .core.conditional import legitimate_frame, prepare_factors
from .core.data import (
    MISSING_LABEL,
    bin_numeric,
    check_index_order,
    encode_groups,
    needs_binning,
    to_1d,
)
from .core.errors import ColumnNotFoundError, InputError, InputTypeError
from .core.models import adapt_model
from .narrative import ARTICLE_72_4_GROUNDS, Message
from .core.policy import Policy
from .pricing import (
    PROFILE_KINDS,
    PricingAnalysis,
    loyalty_gap,
    positive_prices,
    price_gaps,
    same_order_different_customer,
    strata_bins,
)
from .result import AuditResult, Scope

if TYPE_CHECKING:
    from .audit import Audit

OTHER = "other"


def validate_profile(
    profile: Any, data: pd.DataFrame, factors: Sequence[str]
) -> dict[str, list[str]]:
    """``consumer_profile`` as kind -> columns of ``data``, with clear errors."""
    if profile is None:
        return {}
    if not isinstance(profile, Mapping):
        raise InputTypeError(
            f"consumer_profile must map kinds to columns, e.g. {{'ability_to_pay': ['income']}}, "
            f"got {type(profile).__name__}."
        )
    out: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for kind, cols in profile.items():
        if kind not in PROFILE_KINDS:
            raise InputError(
                f"consumer_profile has the kind {kind!r}; the kinds Article 72(5) names are "
                f"{list(PROFILE_KINDS)}."
            )
        names = [cols] if isinstance(cols, str) else list(cols)
        for c in names:
            if c not in data.columns:
                raise ColumnNotFoundError(
                    f"consumer_profile[{kind!r}] names the column {c!r}, which is not in data; "
                    f"available: {[str(x) for x in data.columns][:20]}."
                )
            if c in seen:
                raise InputError(
                    f"consumer_profile names {c!r} under both {seen[c]!r} and {kind!r}; a "
                    f"column belongs to one kind."
                )
            if c in factors:
                raise InputError(
                    f"{c!r} is both a consumer_profile column and a legitimate factor; a price "
                    f"may depend on a legitimate factor, not on the profile, so it cannot be "
                    f"both."
                )
            seen[c] = str(kind)
        if names:
            out[str(kind)] = [str(c) for c in names]
    return out


def profile_groups(
    values: pd.Series, policy: Policy, reference: Any = None
) -> tuple[np.ndarray, str, list[str] | None]:
    """Group label of every row for one profile column, the reference group and, for a
    binned number, the bin labels. Numbers with many values are cut into quantile bins (the
    lowest bin is the reference); categories keep their most frequent values (the most
    frequent category is the reference) and the rest are pooled as "other"."""
    name = str(values.name)
    numeric = pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
        values.dtype
    )
    bins: list[str] | None = None
    if numeric and needs_binning(values, policy.max_groups_before_binning):
        cats, spec = bin_numeric(values, name, None, n_bins=policy.n_bins)
        labels = np.asarray(cats.astype(object), dtype=object)
        labels[pd.isna(cats)] = None
        bins = list(spec.labels)
        default_ref = bins[0]
    else:
        # Vectorised: factorise once, name each distinct value, then index.
        codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
        names = np.array([str(u) for u in uniques] + [None], dtype=object)
        counts = pd.Series(np.bincount(codes[codes >= 0], minlength=len(uniques)), index=names[:-1])
        counts = (
            counts.groupby(level=0, sort=False).sum().sort_values(ascending=False, kind="stable")
        )
        limit = policy.max_groups_before_binning
        if len(counts) > limit:
            kept = set(counts.index[: limit - 1])
            names = np.array([v if v is None or v in kept else OTHER for v in names], dtype=object)
        labels = names[np.where(codes >= 0, codes, len(uniques))]
        # The most frequent category itself (never the pooled rest) is the reference.
        default_ref = str(counts.index[0]) if len(counts) else ""
    present = {str(v) for v in pd.unique(labels) if v is not None}
    if len(present) < 2:
        raise InputError(
            f"consumer_profile column {name!r} has a single group {sorted(present)}; prices "
            f"cannot be compared across it."
        )
    ref = default_ref if reference is None else str(reference)
    if ref not in present:
        raise InputError(
            f"reference[{name!r}] is {reference!r}, which is not a group of {name!r}: "
            f"{sorted(present)[:20]}."
        )
    return labels, ref, bins


def run_pricing(
    audit: Audit,
    started: _dt.datetime,
    policy: Policy,
    metadata: dict[str, str],
    random_state: int | None,
) -> AuditResult:
    """The audit of prices (``task="pricing"``)."""
    data = audit.data
    if data is None:
        raise InputError(
            "task='pricing' needs data= holding the orders: the consumer-profile columns and "
            "the legitimate factors (and the model's inputs when model= is given)."
        )
    if audit.y_score is not None or audit.y_true is not None:
        raise InputError(
            "task='pricing' audits the prices set (model= or y_pred=); y_score and y_true do "
            "not apply."
        )
    direction = audit.favorable_direction
    if direction not in (None, "lower"):
        raise InputError(
            "task='pricing': a lower price is the favourable one; leave favorable_direction "
            "unset (or 'lower')."
        )
    adapter = None
    if audit.model is not None:
        if audit.y_pred is not None:
            raise InputError("give either model= or y_pred=, not both.")
        adapter = adapt_model(audit.model, audit.threshold)
        prices = positive_prices("the model's prices", adapter.predict(data))
        rule = "model.predict(data)"
    elif audit.y_pred is not None:
        check_index_order("y_pred", audit.y_pred, data)
        prices = positive_prices("y_pred", to_1d("y_pred", audit.y_pred, len(data), "data"))
        rule = "y_pred (given)"
    else:
        raise InputError("nothing to audit: give model= with data=, or the prices as y_pred=.")
    factor_names = (
        [audit.legitimate_factors]
        if isinstance(audit.legitimate_factors, str)
        else list(audit.legitimate_factors or [])
    )
    factors = legitimate_frame(data, factor_names) if factor_names else None
    # Strata and regression design of the factors, built once for every dimension.
    prepared = None if factors is None else prepare_factors(factors, strata_bins(factors))
    profile = validate_profile(audit.consumer_profile, data, factor_names)
    n = len(prices)
    attrs = audit._attributes(n, policy)
    if not profile and not attrs:
        raise InputError(
            "task='pricing' needs consumer_profile= (habits, preferences, ability to pay) or "
            "sensitive= grounds to compare prices across."
        )
    profile_cols = {c: kind for kind, cols in profile.items() for c in cols}
    for a in attrs:
        clash = a.info.ground if a.info.ground in profile_cols else None
        if a.info.source == "data" and a.info.column in profile_cols:
            clash = a.info.column
        if clash is not None:
            raise InputError(
                f"{clash!r} is both an Article 72(4) ground (sensitive={{{a.info.ground!r}: ...}}) "
                f"and a consumer_profile column (under {profile_cols[clash]!r}); a column is "
                f"either a protected ground or a profile feature, so give it once."
            )
    reference = dict(audit.reference or {})
    loyalty_col = audit.loyalty
    if loyalty_col is not None and loyalty_col not in data.columns:
        raise ColumnNotFoundError(
            f"loyalty names the column {loyalty_col!r}, which is not in data."
        )
    currency = str(audit.currency)
    level, n_boot = policy.confidence_level, policy.n_bootstrap

    gaps = {}
    labels_by_col: dict[str, np.ndarray] = {}
    refs: dict[str, str] = {}
    binning: dict[str, list[str]] = {}
    for kind, cols in profile.items():
        for c in cols:
            labels, ref, bins = profile_groups(data[c], policy, reference.get(c))
            labels_by_col[c], refs[c] = labels, ref
            if bins is not None:
                binning[c] = bins
            gaps[c] = price_gaps(
                prices,
                labels,
                reference=ref,
                factors=prepared,
                level=level,
                n_boot=n_boot,
                random_state=random_state,
                dimension=c,
                kind=kind,
                order=bins,
            )
    encodings = {}
    for a in attrs:
        ground = a.info.ground
        enc = encode_groups({ground: a.values}, missing="group")
        encodings[ground] = enc
        row_labels = np.asarray(enc.row_labels(), dtype=object)
        row_labels[row_labels == MISSING_LABEL] = None
        counts = pd.Series(row_labels).value_counts()
        ref = reference.get(ground, reference.get(a.info.column or "", counts.index[0]))
        if str(ref) not in counts.index:
            raise InputError(
                f"reference[{ground!r}] is {ref!r}, which is not a group of {ground}: "
                f"{list(counts.index)}."
            )
        gaps[ground] = price_gaps(
            prices,
            row_labels,
            reference=str(ref),
            factors=prepared,
            level=level,
            n_boot=n_boot,
            random_state=random_state,
            dimension=ground,
            kind="ground",
            order=[str(k) for k in enc.index],
        )

    counterfactual = None
    if adapter is not None and profile:
        counterfactual = same_order_different_customer(
            adapter.predict,
            data,
            profile,
            labels=labels_by_col,
            references=refs,
            n_orders=policy.counterfactual_orders,
            n_donors=policy.counterfactual_donors,
            tolerance=policy.price_change_tolerance,
            level=level,
            random_state=random_state,
        )
    loyalty = None
    if loyalty_col is not None:
        loyalty = loyalty_gap(
            prices,
            data[loyalty_col],
            prepared,
            predict=None if adapter is None else adapter.predict,
            data=data,
            min_group_size=policy.min_group_size,
            level=level,
            n_orders=policy.counterfactual_orders,
            random_state=random_state,
        )

    labels_map = audit.feature_labels
    extra: list[Any] = []
    for c, g in gaps.items():
        article = "72(4)" if g.kind == "ground" else pc.ARTICLE
        extra += pc.gap_findings(
            g,
            pw.dimension_label(c, g.kind, labels_map),
            article=article,
            policy=policy,
            currency=currency,
            labels=labels_map,
        )
    if profile:
        if counterfactual is not None:
            extra += pc.counterfactual_findings(
                counterfactual, profile, factor_names, policy, currency, labels_map
            )
        else:
            extra += pc.counterfactual_not_assessed(profile)
    if profile or loyalty_col is not None:
        loyalty_label = None
        if loyalty_col is not None:
            kind = next((k for k, cols in profile.items() if loyalty_col in cols), "habits")
            loyalty_label = pw.dimension_label(loyalty_col, kind, labels_map)
        extra.append(pc.loyalty_finding(loyalty, policy, loyalty_label, currency))
    proxy_reports, flips, input_findings = audit._input_checks(
        attrs,
        encodings,
        adapter,
        None,
        False,
        policy,
        random_state,
        numeric=True,
        change_rtol=policy.price_change_tolerance,
        outputs=Message("价格", "prices"),
    )
    extra += input_findings
    cheap = prices <= np.median(prices)
    explanation, summary, explain_findings = audit._explanation(
        adapter,
        attrs,
        encodings,
        cheap,
        None,
        False,
        input_findings,
        policy,
        random_state,
        metadata,
        numeric=True,
    )
    extra += explain_findings
    if profile:
        reason = None
        if summary is None:
            produced = next(f for f in explain_findings if f.check == "explanation.produced")
            reason = produced.message
        extra.append(pc.attribution_finding(summary, profile, policy, reason))
    else:
        extra.append(pc.profile_not_provided())
    findings, _ = checks.finalize([], policy, extra)
    provided = {a.info.ground for a in attrs}
    findings += [checks.ground_not_provided(g) for g in ARTICLE_72_4_GROUNDS if g not in provided]
    scope = Scope(
        task="pricing",
        n_rows=n,
        favorable_label="lower",
        positive_label=None,
        labels=(),
        has_outcomes=False,
        has_scores=False,
        decision_rule=rule,
        mode="model" if adapter is not None else "predictions",
        favorable_is_positive=False,
    )
    pricing = PricingAnalysis(
        profile=profile,
        legitimate_factors=factor_names,
        gaps=gaps,
        counterfactual=counterfactual,
        loyalty=loyalty,
        currency=currency,
        binning=binning,
        mean_price=float(prices.mean()),
        n_orders=n,
        labels={
            c: [str(v) for v in spec[:2]]
            for c, spec in (labels_map or {}).items()
            if c in binning or c in factor_names or any(c in cols for cols in profile.values())
        },
    )
    return AuditResult(
        findings=findings,
        group_metrics={},
        intersections={},
        cis={},
        group_tests={},
        score_metrics={},
        proxies=proxy_reports,
        flips=flips,
        mitigation={},
        conditional={},
        regression_metrics={},
        explanation=explanation,
        explanation_summary=summary,
        sensitive=tuple(a.info for a in attrs),
        scope=scope,
        policy=policy,
        metadata=metadata,
        manifest=audit._manifest(started, None, prices, adapter, random_state),
        pricing=pricing,
    )
