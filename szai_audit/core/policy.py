"""Thresholds and settings of an audit, in one object the user can override."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from .errors import PolicyError

__all__ = ["Policy"]


@dataclass(frozen=True)
class Policy:
    """Every threshold an audit applies, with defaults from common practice.

    Create one with the values to change and pass it as ``Audit(..., policy=...)``; the report
    prints the policy in force, so a reader sees which tolerances the verdict rests on.

    Parameters
    ----------
    selection_rate_ratio_min : float, default 0.8
        Lowest acceptable ratio of the favourable-decision rate of the worst-off group to that of
        the best-off group (the "four-fifths rule" of the US EEOC Uniform Guidelines, 1978).
    demographic_parity_max : float, default 0.10
        Largest acceptable difference in selection rate between groups (a proportion, 0.10 = 10
        percentage points).
    true_positive_rate_difference_max : float, default 0.10
        Largest acceptable difference in true-positive rate (equal opportunity).
    false_positive_rate_difference_max : float, default 0.10
        Largest acceptable difference in false-positive rate.
    min_group_size : int, default 30
        A group is compared only when the number of people behind the rate (all its members for
        the selection rate, those with a positive actual outcome for the true-positive rate,
        those with a negative one for the false-positive rate) reaches this size. Smaller groups
        are shown as suppressed, and a check with fewer than two comparable groups is
        INSUFFICIENT_DATA, never PASS or FAIL.
    max_groups_before_binning : int, default 10
        A numeric sensitive attribute with more distinct values than this (age, say) is cut into
        bins; the bins are reported.
    n_bins : int, default 4
        Number of quantile bins used when a numeric attribute is binned without explicit cut
        points.
    significance_level : float, default 0.05
        A finding is FAIL when the one-sided test that its gap is within the tolerance is
        rejected at this level, after Benjamini-Hochberg adjustment over every such test of
        the audit (see the decision rule in docs/concepts.md).
    confidence_level : float, default 0.95
        Level of every confidence interval. A finding is PASS only when the interval of every
        compared group's gap at this level lies within the tolerance.
    n_bootstrap : int, default 1000
        Bootstrap resamples behind each interval.
    auc_difference_max : float, default 0.05
        Largest acceptable difference in AUC between groups (ranking accuracy, with scores and
        outcomes).
    calibration_difference_max : float, default 0.05
        Largest acceptable difference between groups' calibration offsets (actual positive
        rate minus mean score), with probability scores and outcomes.
    score_resolution : float or None, default None
        AUC and calibration use scores rounded to this step (``1e-4``, say); None keeps every
        distinct score. For a Dask DataFrame the memory of these two metrics grows with the
        number of distinct (group, outcome, score) values; a step bounds it.
    proxy_auc_threshold : float, default 0.7
        A feature predicting a sensitive attribute with a cross-validated AUC at or above this
        (and significantly above chance) is flagged as a proxy (WARN).
    proxy_all_features_auc_threshold : float, default 0.8
        The same for all input features together.
    proxy_max_rows : int, default 20000
        Rows used for the proxy analysis (a stratified sample of larger data).
    flip_tolerance : float, default 0.0
        Largest acceptable share of decisions that change when only a sensitive attribute that
        is a model input is changed (direct discrimination); above it the flip test fails.
    flip_max_rows : int, default 20000
        Rows used for the flip test (a random sample of larger data).
    mean_prediction_ratio_min : float, default 0.9
        Numeric outputs (``task="regression"``): lowest acceptable ratio of the smallest to the
        largest group mean prediction.
    mean_residual_difference_max : float, default 0.05
        Numeric outputs: largest acceptable difference between groups' mean errors
        (prediction - actual), as a share of the mean actual value.
    mae_ratio_min : float, default 0.8
        Numeric outputs: lowest acceptable ratio of the smallest to the largest group mean
        absolute error.
    explain_sample_size : int, default 2000
        Rows explained (a sample stratified by sensitive group and decision) for Art. 71.
    explain_background_size : int, default 100
        Background rows of linear and permutation explanations.
    attribution_share_max : float, default 0.02
        Largest acceptable share of the model's total influence carried by a sensitive
        attribute that is a model input (FAIL above), or by one of its proxies (WARN above).
    min_coverage : float, default 0.5
        Gaps after legitimate factors: the stratified estimate of a group is used only when at
        least ``min_group_size`` rows of the group and of the reference lie in strata the two
        share, and they are at least this share of the group's rows; otherwise the
        regression-adjusted estimate alone decides, and the finding says so.
    k_anonymity : int, default 5
        Example explanations only show combinations of reasons shared by at least this many
        explained rows; a group of a sensitive attribute with fewer people is shown under a
        stand-in label (``"(small group 1)"``), never its value.
    max_intersection_groups : int, default 64
        The intersection of all grounds (three or more) is assessed when it has at most this
        many groups; pairs of grounds are always assessed.
    price_gap_max : float, default 0.02
        Pricing (``task="pricing"``): largest acceptable price gap between groups given the
        legitimate factors, as a share of the reference group's price (0.02 = 2%); the same for
        loyal against new customers. Raw gaps beyond it are flagged (WARN) for a look.
    price_change_tolerance : float, default 0.02
        Pricing, counterfactual test: a price "changes" when it moves by more than this share
        once the order is given another customer's profile.
    counterfactual_share_max : float, default 0.01
        Pricing: largest acceptable share of order-customer pairs whose price changes beyond
        ``price_change_tolerance``.
    counterfactual_orders : int, default 2000
        Pricing: orders sampled for the counterfactual test.
    counterfactual_donors : int, default 10
        Pricing: other customers whose profile each sampled order is given.
    recourse_share_gap_max : float, default 0.10
        Recourse (Art. 72(2)(iv)): largest acceptable gap between groups in the share of the
        people decided unfavourably who could reach the favourable decision within the
        allowed changes.
    recourse_cost_ratio_min : float, default 0.8
        Recourse: lowest acceptable ratio of the reference group's median cost of recourse to
        a group's (0.8: a group may need at most 1.25 times the change).
    recourse_max_rows : int, default 1000
        Recourse: unfavourably decided people searched (a random sample of more).

    Examples
    --------
    >>> p = Policy(min_group_size=50)
    >>> p.min_group_size, p.selection_rate_ratio_min
    (50, 0.8)
    >>> Policy(selection_rate_ratio_min=1.5)
    Traceback (most recent call last):
    ...
    szai_audit.errors.PolicyError: Policy.selection_rate_ratio_min must be in (0, 1], got 1.5.
    """

    selection_rate_ratio_min: float = 0.8
    demographic_parity_max: float = 0.10
    true_positive_rate_difference_max: float = 0.10
    false_positive_rate_difference_max: float = 0.10
    min_group_size: int = 30
    max_groups_before_binning: int = 10
    n_bins: int = 4
    significance_level: float = 0.05
    confidence_level: float = 0.95
    n_bootstrap: int = 1000
    auc_difference_max: float = 0.05
    calibration_difference_max: float = 0.05
    score_resolution: float | None = None
    proxy_auc_threshold: float = 0.7
    proxy_all_features_auc_threshold: float = 0.8
    proxy_max_rows: int = 20_000
    flip_tolerance: float = 0.0
    flip_max_rows: int = 20_000
    mean_prediction_ratio_min: float = 0.9
    mean_residual_difference_max: float = 0.05
    mae_ratio_min: float = 0.8
    explain_sample_size: int = 2000
    explain_background_size: int = 100
    attribution_share_max: float = 0.02
    min_coverage: float = 0.5
    k_anonymity: int = 5
    max_intersection_groups: int = 64
    price_gap_max: float = 0.02
    price_change_tolerance: float = 0.02
    counterfactual_share_max: float = 0.01
    counterfactual_orders: int = 2000
    counterfactual_donors: int = 10
    recourse_share_gap_max: float = 0.10
    recourse_cost_ratio_min: float = 0.8
    recourse_max_rows: int = 1000

    def __post_init__(self) -> None:
        _check_fraction("selection_rate_ratio_min", self.selection_rate_ratio_min, low_open=True)
        for name in (
            "demographic_parity_max",
            "true_positive_rate_difference_max",
            "false_positive_rate_difference_max",
            "auc_difference_max",
            "calibration_difference_max",
        ):
            _check_fraction(name, getattr(self, name), low_open=False)
        step = self.score_resolution
        number = isinstance(step, (int, float)) and not isinstance(step, bool)
        if step is not None and not (number and 0 < step <= 1):
            raise PolicyError(
                f"Policy.score_resolution must be None or a step in (0, 1] such as 1e-4, got "
                f"{step!r}."
            )
        _check_int("min_group_size", self.min_group_size, 1)
        _check_int("max_groups_before_binning", self.max_groups_before_binning, 2)
        _check_int("n_bins", self.n_bins, 2)
        _check_fraction("significance_level", self.significance_level, low_open=True)
        _check_fraction("confidence_level", self.confidence_level, low_open=True)
        if self.confidence_level == 1 or self.significance_level == 1:
            raise PolicyError(
                "Policy.confidence_level and Policy.significance_level must be below 1."
            )
        _check_int("n_bootstrap", self.n_bootstrap, 100)
        _check_int("max_intersection_groups", self.max_intersection_groups, 2)
        _check_int("explain_sample_size", self.explain_sample_size, 10)
        _check_int("explain_background_size", self.explain_background_size, 1)
        _check_fraction("attribution_share_max", self.attribution_share_max, low_open=False)
        _check_fraction("min_coverage", self.min_coverage, low_open=False)
        _check_int("k_anonymity", self.k_anonymity, 1)
        _check_fraction("mean_prediction_ratio_min", self.mean_prediction_ratio_min, low_open=True)
        _check_fraction("mae_ratio_min", self.mae_ratio_min, low_open=True)
        _check_fraction(
            "mean_residual_difference_max", self.mean_residual_difference_max, low_open=False
        )
        _check_fraction("proxy_auc_threshold", self.proxy_auc_threshold, low_open=True)
        _check_fraction(
            "proxy_all_features_auc_threshold",
            self.proxy_all_features_auc_threshold,
            low_open=True,
        )
        _check_int("proxy_max_rows", self.proxy_max_rows, 100)
        _check_fraction("flip_tolerance", self.flip_tolerance, low_open=False)
        _check_int("flip_max_rows", self.flip_max_rows, 10)
        for name in ("price_gap_max", "price_change_tolerance", "counterfactual_share_max"):
            _check_fraction(name, getattr(self, name), low_open=False)
        _check_int("counterfactual_orders", self.counterfactual_orders, 10)
        _check_int("counterfactual_donors", self.counterfactual_donors, 1)
        _check_fraction("recourse_share_gap_max", self.recourse_share_gap_max, low_open=False)
        _check_fraction("recourse_cost_ratio_min", self.recourse_cost_ratio_min, low_open=True)
        _check_int("recourse_max_rows", self.recourse_max_rows, 10)

    def supports_strata(self, covered: float, reference_covered: float, coverage: float) -> bool:
        """Whether a stratified gap after legitimate factors may be used for a pair: the strata
        the two groups share hold at least ``min_group_size`` rows of each, and ``coverage``
        (the share of the group's rows in them) reaches ``min_coverage``.

        >>> Policy().supports_strata(covered=10, reference_covered=900, coverage=0.1)
        False
        """
        return bool(
            covered >= self.min_group_size
            and reference_covered >= self.min_group_size
            and coverage >= self.min_coverage
        )

    def replace(self, **changes: Any) -> Policy:
        """Return a copy with some settings changed (validated again)."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise PolicyError(
                f"Policy has no setting {sorted(unknown)}; known settings: "
                f"{[f.name for f in dataclasses.fields(self)]}."
            )
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The settings as a plain dict (for JSON and the report)."""
        return dataclasses.asdict(self)


def _check_fraction(name: str, value: Any, *, low_open: bool) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = (0 < value <= 1) if low_open else (0 <= value <= 1)
    if not ok:
        interval = "(0, 1]" if low_open else "[0, 1]"
        raise PolicyError(f"Policy.{name} must be in {interval}, got {value!r}.")


def _check_int(name: str, value: Any, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise PolicyError(f"Policy.{name} must be an integer >= {minimum}, got {value!r}.")
