"""Thresholds and settings of an audit, in one object the user can override.

Each setting of :class:`Policy` is declared once, as a field whose metadata holds the values it
may take (:class:`Fraction`, :class:`Level`, :class:`Step`, :class:`AtLeast` or :class:`OneOf`):
the check that
refuses a value with a :class:`~szai_audit.errors.PolicyError`, and the range the table of
docs/concepts.md prints (``Policy.allowed()``, tested against that table).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import PolicyError

__all__ = [
    "BOOTSTRAP_BYTES",
    "LEVEL",
    "MAX_BOOTSTRAP",
    "RATIO",
    "SHARE",
    "STEP",
    "AtLeast",
    "Between",
    "Fraction",
    "Level",
    "OneOf",
    "Policy",
    "Step",
    "bootstrap_cost",
    "size_text",
]


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class Fraction:
    """A finite number in (0, 1] (``low_open``: a ratio, which 0 would make meaningless) or in
    [0, 1] (a difference or a share, which may be 0).

    >>> Fraction(low_open=True).check("mae_ratio_min", 0)
    Traceback (most recent call last):
    ...
    szai_audit.errors.PolicyError: Policy.mae_ratio_min must be in (0, 1], got 0.
    """

    low_open: bool

    @property
    def text(self) -> str:
        """The interval, as docs/concepts.md writes it."""
        return "(0, 1]" if self.low_open else "[0, 1]"

    def check(self, name: str, value: Any) -> None:
        """Raise :class:`~szai_audit.errors.PolicyError` naming ``Policy.name`` unless
        ``value`` is in the interval."""
        ok = _number(value) and math.isfinite(value)
        if ok:
            ok = (0 < value <= 1) if self.low_open else (0 <= value <= 1)
        if not ok:
            raise PolicyError(f"Policy.{name} must be in {self.text}, got {value!r}.")


@dataclass(frozen=True)
class Level:
    """A probability strictly between 0 and 1: a significance or confidence level.

    >>> Level().check("confidence_level", 1)
    Traceback (most recent call last):
    ...
    szai_audit.errors.PolicyError: Policy.confidence_level and ... must be below 1.
    """

    text = "(0, 1)"

    def check(self, name: str, value: Any) -> None:
        """Raise :class:`~szai_audit.errors.PolicyError` unless ``value`` is in (0, 1)."""
        Fraction(low_open=True).check(name, value)
        if value == 1:
            raise PolicyError(
                "Policy.confidence_level and Policy.significance_level must be below 1."
            )


@dataclass(frozen=True)
class Step:
    """None, or a rounding step in (0, 1] (``score_resolution``).

    >>> Step().check("score_resolution", 1e-4)
    """

    text = "`None` or (0, 1]"

    def check(self, name: str, value: Any) -> None:
        """Raise :class:`~szai_audit.errors.PolicyError` unless ``value`` is None or a step in
        (0, 1]."""
        if value is not None and not (_number(value) and 0 < value <= 1):
            raise PolicyError(
                f"Policy.{name} must be None or a step in (0, 1] such as 1e-4, got {value!r}."
            )


@dataclass(frozen=True)
class AtLeast:
    """A whole number of at least ``minimum`` (a size, a count of rows or resamples).

    >>> AtLeast(10).text
    'integer ≥ 10'
    """

    minimum: int

    @property
    def text(self) -> str:
        """The range, as docs/concepts.md writes it."""
        return f"integer ≥ {self.minimum}"

    def check(self, name: str, value: Any) -> None:
        """Raise :class:`~szai_audit.errors.PolicyError` unless ``value`` is an integer of at
        least ``minimum``."""
        if not isinstance(value, int) or isinstance(value, bool) or value < self.minimum:
            raise PolicyError(f"Policy.{name} must be an integer >= {self.minimum}, got {value!r}.")


def size_text(n_bytes: float) -> str:
    """A number of bytes as a person reads it.

    >>> size_text(2.4e9), size_text(24_000), size_text(512)
    ('2.4 GB', '24 KB', '512 bytes')
    """
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.2g} {unit}".replace("e+", "e")
    return f"{n_bytes:.0f} bytes"


@dataclass(frozen=True)
class Between(AtLeast):
    """A whole number from ``minimum`` to ``maximum``: a size whose cost grows with it (rows
    sampled, resamples, model calls). ``cost(value)`` says what a value would cost, so that a
    refusal tells the user why.

    >>> Between(100, 100_000, lambda v: "would cost much").text
    'integer from 100 to 100,000'
    >>> Between(100, 100_000, lambda v: "would cost much").check("n_bootstrap", 10**8)
    Traceback (most recent call last):
    ...
    szai_audit.errors.PolicyError: Policy.n_bootstrap=100000000 would cost much; at most 100,000 ...
    """

    maximum: int = 0
    cost: Callable[[int], str] = field(default=lambda v: "", compare=False)

    @property
    def text(self) -> str:
        """The range, as docs/concepts.md writes it."""
        return f"integer from {self.minimum} to {self.maximum:,}"

    def check(self, name: str, value: Any) -> None:
        """Raise :class:`~szai_audit.errors.PolicyError` unless ``value`` is an integer in
        the range; above it, the message says what the value would cost."""
        super().check(name, value)
        if value > self.maximum:
            raise PolicyError(
                f"Policy.{name}={value!r} {self.cost(value)}; at most {self.maximum:,} is accepted."
            )


#: The most bootstrap resamples accepted (``Policy.n_bootstrap``, ``GroupMetrics.ci``).
MAX_BOOTSTRAP = 100_000
#: Bytes a table's intervals hold per group and resample: four 32-bit counts and a mean
#: score's normal draw (:meth:`szai_audit.fairness.metrics.GroupMetrics.ci`).
BOOTSTRAP_BYTES = 24


def bootstrap_cost(n: int) -> str:
    """What ``n`` bootstrap resamples cost.

    >>> bootstrap_cost(10**8)
    'would hold 2.4 GB of resampled counts for each group of each table (60 GB for 25 groups), ...'
    """
    per_group = n * BOOTSTRAP_BYTES
    return (
        f"would hold {size_text(per_group)} of resampled counts for each group of each table "
        f"({size_text(25 * per_group)} for 25 groups), and take time in proportion"
    )


def _intersection_cost(n: int) -> str:
    per_group = 1000 * BOOTSTRAP_BYTES
    return (
        f"would let the intersection of all grounds keep up to {n:,} groups, each with its "
        f"resampled counts ({size_text(per_group)} at 1,000 resamples: "
        f"{size_text(n * per_group)}), its tests and a row of the report"
    )


def _rows_cost(what: str, default: int, note: str) -> Callable[[int], str]:
    """The cost of sampling ``n`` rows for a step whose default samples ``default``."""
    return lambda n: (
        f"would {what} up to {n:,} rows, {n / default:,.0f} times the default {default:,} ({note})"
    )


def _explain_cost(what: str, other: str, default: int) -> Callable[[int], str]:
    """The cost of the explanation's sample or background: a permutation explanation asks
    the model for about one prediction per explained row, input and background row."""
    return lambda n: (
        f"would {what} {n:,} rows; a permutation explanation asks the model for about one "
        f"prediction per explained row, input and background row ({n * default:,} per input "
        f"with {other} at its default {default:,})"
    )


_COSTS: dict[str, Callable[[int], str]] = {
    "proxy_max_rows": _rows_cost(
        "fit the proxy models of each ground on", 20_000, "which takes about a second"
    ),
    "flip_max_rows": _rows_cost(
        "ask the model again, for every other group of a ground that is a model input, on",
        20_000,
        "one prediction per row and other group",
    ),
    "explain_sample_size": _explain_cost("explain", "explain_background_size", 100),
    "explain_background_size": _explain_cost(
        "compare each explained row with", "explain_sample_size", 2000
    ),
    "counterfactual_orders": lambda n: (
        f"would re-price {n:,} sampled orders once per donor ({n * 10:,} model prices with "
        f"counterfactual_donors at its default 10)"
    ),
    "counterfactual_donors": lambda n: (
        f"would re-price each sampled order {n:,} times ({n * 2000:,} model prices with "
        f"counterfactual_orders at its default 2,000)"
    ),
    "recourse_max_rows": _rows_cost(
        "search the changes that reach the favourable decision for",
        1000,
        "each search asks the model about many candidate changes",
    ),
}


@dataclass(frozen=True)
class OneOf:
    """One of a few words: a choice of method (``regression_gap_scale``).

    >>> OneOf(("difference", "log")).text
    '`"difference"` or `"log"`'
    >>> OneOf(("difference", "log")).check("regression_gap_scale", "levels")
    Traceback (most recent call last):
    ...
    szai_audit.errors.PolicyError: Policy.regression_gap_scale must be "difference" or "log", ...
    """

    values: tuple[str, ...]

    @property
    def text(self) -> str:
        """The choices, as docs/concepts.md writes them."""
        return " or ".join(f'`"{v}"`' for v in self.values)

    def check(self, name: str, value: Any) -> None:
        """Raise :class:`~szai_audit.errors.PolicyError` unless ``value`` is one of
        ``values``."""
        if not isinstance(value, str) or value not in self.values:
            choices = " or ".join(f'"{v}"' for v in self.values)
            raise PolicyError(f"Policy.{name} must be {choices}, got {value!r}.")


#: A ratio (or an AUC), in (0, 1].
RATIO = Fraction(low_open=True)
#: A difference or a share, in [0, 1].
SHARE = Fraction(low_open=False)
#: A significance or confidence level, in (0, 1).
LEVEL = Level()
#: None or a rounding step in (0, 1].
STEP = Step()


def _setting(default: Any, allowed: Fraction | Level | Step | AtLeast | OneOf) -> Any:
    """A field of :class:`Policy`: its default and the values it may take."""
    return dataclasses.field(default=default, metadata={"allowed": allowed})


@dataclass(frozen=True)
class Policy:
    """Every threshold an audit applies, with defaults from common practice.

    Create one with the values to change and pass it as ``Audit(..., policy=...)``; the report
    prints the policy in force, so a reader sees which tolerances the verdict rests on. Each
    value must lie in its setting's allowed range (:meth:`allowed`, the table of
    docs/concepts.md), or a :class:`~szai_audit.errors.PolicyError` names the setting.

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
        rejected at this level, after Benjamini-Hochberg adjustment over the questions asked
        about the same ground (see the decision rule in docs/concepts.md). A finding's
        interval is at the level matching that test (docs/method.md).
    confidence_level : float, default 0.95
        Level of the descriptive intervals: group tables, charts, an estimate given beside
        the one that decides. A finding's own interval is at the level of its test.
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
    regression_gap_scale : {"difference", "log"}, default "difference"
        Numeric outputs with ``legitimate_factors``: how the gap in mean prediction between
        two groups is measured once the factors are held equal. ``"difference"``: in the
        output's own unit (a wage gap of 1.81 an hour), from a regression additive in the
        factors; ``"log"``: between the logarithms of the outputs (a relative gap, 8% less),
        from a regression multiplicative in them, as prices are compared; it needs every
        output positive. Either way the gap is judged as a ratio against
        ``mean_prediction_ratio_min``.
    explain_sample_size : int, default 2000
        Rows explained (a sample stratified by sensitive group and decision) for Art. 71; at
        most as many rows (a random sample) are checked for decisions that turn on the inputs
        tied to protected grounds (``fairness.protected_turned``).
    explain_background_size : int, default 100
        Background rows of linear and permutation explanations (the audit's, the decisions
        turned, and the notices made from its result).
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

    selection_rate_ratio_min: float = _setting(0.8, RATIO)
    demographic_parity_max: float = _setting(0.10, SHARE)
    true_positive_rate_difference_max: float = _setting(0.10, SHARE)
    false_positive_rate_difference_max: float = _setting(0.10, SHARE)
    min_group_size: int = _setting(30, AtLeast(1))
    max_groups_before_binning: int = _setting(10, AtLeast(2))
    n_bins: int = _setting(4, AtLeast(2))
    significance_level: float = _setting(0.05, LEVEL)
    confidence_level: float = _setting(0.95, LEVEL)
    n_bootstrap: int = _setting(1000, Between(100, MAX_BOOTSTRAP, bootstrap_cost))
    auc_difference_max: float = _setting(0.05, SHARE)
    calibration_difference_max: float = _setting(0.05, SHARE)
    score_resolution: float | None = _setting(None, STEP)
    proxy_auc_threshold: float = _setting(0.7, RATIO)
    proxy_all_features_auc_threshold: float = _setting(0.8, RATIO)
    proxy_max_rows: int = _setting(20_000, Between(100, 1_000_000, _COSTS["proxy_max_rows"]))
    flip_tolerance: float = _setting(0.0, SHARE)
    flip_max_rows: int = _setting(20_000, Between(10, 1_000_000, _COSTS["flip_max_rows"]))
    mean_prediction_ratio_min: float = _setting(0.9, RATIO)
    mean_residual_difference_max: float = _setting(0.05, SHARE)
    mae_ratio_min: float = _setting(0.8, RATIO)
    regression_gap_scale: str = _setting("difference", OneOf(("difference", "log")))
    explain_sample_size: int = _setting(2000, Between(10, 100_000, _COSTS["explain_sample_size"]))
    explain_background_size: int = _setting(
        100, Between(1, 10_000, _COSTS["explain_background_size"])
    )
    attribution_share_max: float = _setting(0.02, SHARE)
    min_coverage: float = _setting(0.5, SHARE)
    k_anonymity: int = _setting(5, AtLeast(1))
    max_intersection_groups: int = _setting(64, Between(2, 10_000, _intersection_cost))
    price_gap_max: float = _setting(0.02, SHARE)
    price_change_tolerance: float = _setting(0.02, SHARE)
    counterfactual_share_max: float = _setting(0.01, SHARE)
    counterfactual_orders: int = _setting(
        2000, Between(10, 1_000_000, _COSTS["counterfactual_orders"])
    )
    counterfactual_donors: int = _setting(10, Between(1, 1_000, _COSTS["counterfactual_donors"]))
    recourse_share_gap_max: float = _setting(0.10, SHARE)
    recourse_cost_ratio_min: float = _setting(0.8, RATIO)
    recourse_max_rows: int = _setting(1000, Between(10, 100_000, _COSTS["recourse_max_rows"]))

    def __post_init__(self) -> None:
        for setting in dataclasses.fields(self):
            setting.metadata["allowed"].check(setting.name, getattr(self, setting.name))

    @classmethod
    def allowed(cls) -> dict[str, str]:
        """The values each setting may take, as the table of docs/concepts.md writes them.

        >>> Policy.allowed()["min_group_size"], Policy.allowed()["demographic_parity_max"]
        ('integer ≥ 1', '[0, 1]')
        """
        return {f.name: f.metadata["allowed"].text for f in dataclasses.fields(cls)}

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
