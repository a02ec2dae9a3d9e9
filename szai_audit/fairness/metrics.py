"""Art. 72(2)(iv): group metrics computed from per-group cell counts.

Every metric of a binary decision is a ratio of four counts per group: true positives (tp),
false positives (fp), false negatives (fn) and true negatives (tn). This module counts them once
with ``np.bincount`` over integer group codes and derives every rate from the counts, so results
are exact, fast and (being sums) mergeable across chunks of data.

The public entry point is :func:`group_metrics`, returning a :class:`GroupMetrics` with the
vocabulary of fairlearn's ``MetricFrame``: ``by_group``, ``overall``, ``difference()``,
``ratio()``, ``group_min()``, ``group_max()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..core.data import (
    GroupEncoding,
    align_rows,
    encode_groups,
    is_missing_array,
    real_numbers,
    to_1d,
)
from ..core.errors import InputError, InputTypeError, PredictionError, TargetError
from ..core.policy import MAX_BOOTSTRAP, bootstrap_cost
from ..core.stats import two_proportion_test

__all__ = ["METRICS", "OUTCOME_METRICS", "GroupMetrics", "group_metrics"]

#: Columns of ``GroupMetrics.by_group``, in order.
METRICS: tuple[str, ...] = (
    "count",
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
    "precision",
    "accuracy",
    "mean_score",
)
#: Rates that need the actual outcomes (``y_true``).
OUTCOME_METRICS: tuple[str, ...] = (
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
    "precision",
    "accuracy",
)
RATE_METRICS: tuple[str, ...] = METRICS[1:]

#: For each rate: the count column that is its denominator.
DENOMINATOR: dict[str, str] = {
    "selection_rate": "n",
    "true_positive_rate": "actual_positive",
    "false_positive_rate": "actual_negative",
    "false_negative_rate": "actual_positive",
    "precision": "predicted_positive",
    "accuracy": "n",
    "mean_score": "n",
}

COUNT_COLUMNS: tuple[str, ...] = ("n", "predicted_positive", "tp", "fp", "fn", "tn")

#: Rates that are a count over a count (all but mean_score), testable with a 2x2 table.
PROPORTION_METRICS: tuple[str, ...] = RATE_METRICS[:-1]


def _quantiles(draws: np.ndarray, q: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """``np.nanquantile(draws, q, axis=0)`` with the same values, the columns with as many
    values (not NaN) computed together.

    >>> d = np.array([[0.1, np.nan], [0.3, 0.2], [0.2, 0.4]])
    >>> [x.tolist() for x in _quantiles(d, [0.0, 1.0])]
    [[0.1, 0.2], [0.3, 0.4]]
    """
    valid = (~np.isnan(draws)).sum(axis=0)
    out = np.full((len(q), draws.shape[1]), np.nan)
    full = valid == draws.shape[0]
    if full.any():
        out[:, full] = np.quantile(draws[:, full], q, axis=0)
    partial = np.flatnonzero(~full & (valid > 0))
    if partial.size:
        # A column's NaNs sort last: its first ``valid`` values are what nanquantile keeps;
        # the columns with as many values go together (numpy's nanquantile loops over every
        # column in Python: 4 s for 10,000 groups).
        ordered = np.sort(draws[:, partial], axis=0)
        for count in np.unique(valid[partial]):
            cols = np.flatnonzero(valid[partial] == count)
            out[:, partial[cols]] = np.quantile(ordered[:count, cols], q, axis=0)
    return out[0], out[1]


#: Bytes of bootstrap work held at once beyond the resampled counts (a part of the
#: resamples drawn, the rates of a few groups): 64 MB.
BOOT_CHUNK = 64 * 2**20


def _check_n_boot(n_boot: Any) -> None:
    if not isinstance(n_boot, (int, np.integer)) or isinstance(n_boot, bool) or n_boot < 1:
        raise InputTypeError(f"n_boot must be a positive integer, got {n_boot!r}.")
    if n_boot > MAX_BOOTSTRAP:
        raise InputError(
            f"n_boot={n_boot!r} {bootstrap_cost(int(n_boot))}; at most {MAX_BOOTSTRAP:,} is "
            f"accepted."
        )


def _divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den as float, NaN where den == 0 (no warning)."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def rates_from_counts(counts: Mapping[str, np.ndarray], score_sum: np.ndarray | None) -> dict:
    """Every rate from cell counts; arrays of any (equal) shape, so resampled counts work too.

    ``counts`` holds ``n`` and ``predicted_positive`` and, when outcomes are known, ``tp``,
    ``fp``, ``fn``, ``tn`` (else those keys are absent and the outcome rates are NaN).
    """
    n = counts["n"]
    out: dict[str, np.ndarray] = {"selection_rate": _divide(counts["predicted_positive"], n)}
    if "tp" in counts:
        tp, fp, fn, tn = counts["tp"], counts["fp"], counts["fn"], counts["tn"]
        out["true_positive_rate"] = _divide(tp, tp + fn)
        out["false_positive_rate"] = _divide(fp, fp + tn)
        out["false_negative_rate"] = _divide(fn, tp + fn)
        out["precision"] = _divide(tp, tp + fp)
        out["accuracy"] = _divide(tp + tn, n)
    else:
        nan = np.full(np.shape(n), np.nan)
        for m in OUTCOME_METRICS:
            out[m] = nan
    out["mean_score"] = (
        _divide(score_sum, n) if score_sum is not None else np.full(np.shape(n), np.nan)
    )
    return out


@dataclass(frozen=True, eq=False)
class GroupMetrics:
    """Metrics of a binary decision by group, all derived from per-group cell counts.

    Build it with :func:`group_metrics`. Rates are proportions in [0, 1]; a rate whose
    denominator is zero in a group (no actual positives for the true-positive rate, say) is NaN,
    never 0.

    Attributes
    ----------
    counts : pandas.DataFrame
        The sufficient statistics, one row per group: ``n``, ``predicted_positive`` and, when
        outcomes were given, ``tp``, ``fp``, ``fn``, ``tn`` (plus ``score_sum`` with scores).
    pos_label : object
        The label counted as positive.
    has_outcomes : bool
        Whether ``y_true`` was given (else outcome-based rates are NaN).
    has_scores : bool
        Whether ``y_score`` was given (else ``mean_score`` is NaN).
    private : DataFrame or None
        Figures withheld so that no group of fewer than ``policy.k_anonymity`` people can be
        worked out from the others (:func:`szai_audit.fairness.withheld.withhold`): one
        column per rate of :data:`RATE_METRICS`, True where withheld; None: none (see
        :meth:`shown`). ``overall_private`` names the rates withheld from the overall row.
    """

    counts: pd.DataFrame
    pos_label: Any
    has_outcomes: bool
    has_scores: bool
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    private: pd.DataFrame | None = None
    #: The rates of :data:`RATE_METRICS` withheld from the overall row too.
    overall_private: frozenset[str] = frozenset()

    @property
    def sensitive_names(self) -> list[str]:
        """Names of the sensitive attributes (one, or several for an intersection)."""
        return [str(n) for n in self.counts.index.names]

    def _count_arrays(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        cols = COUNT_COLUMNS if self.has_outcomes else COUNT_COLUMNS[:2]
        return {c: frame[c].to_numpy(dtype=np.int64) for c in cols}

    @cached_property
    def by_group(self) -> pd.DataFrame:
        """One row per observed group: ``count`` and every rate of :data:`METRICS`."""
        score_sum = self.counts["score_sum"].to_numpy() if self.has_scores else None
        rates = rates_from_counts(self._count_arrays(self.counts), score_sum)
        frame = pd.DataFrame(rates, index=self.counts.index)
        frame.insert(0, "count", self.counts["n"].to_numpy())
        return frame[list(METRICS)]

    @cached_property
    def overall(self) -> pd.Series:
        """The metrics on all rows together (the rows dropped for a missing group excluded)."""
        totals = self.counts.sum(axis=0)
        arrays = {c: np.asarray(totals[c]) for c in self._count_arrays(self.counts)}
        score_sum = np.asarray(totals["score_sum"]) if self.has_scores else None
        rates = rates_from_counts(arrays, score_sum)
        values = {"count": int(totals["n"]), **{k: float(v) for k, v in rates.items()}}
        return pd.Series(values, name="overall")[list(METRICS)]

    def denominators(self) -> pd.DataFrame:
        """For each group and rate, how many people the rate is computed over."""
        c = self.counts
        base = {
            "n": c["n"].to_numpy(),
            "predicted_positive": c["predicted_positive"].to_numpy(),
        }
        if self.has_outcomes:
            base["actual_positive"] = (c["tp"] + c["fn"]).to_numpy()
            base["actual_negative"] = (c["fp"] + c["tn"]).to_numpy()
        zeros = np.zeros(len(c), dtype=np.int64)
        return pd.DataFrame(
            {m: base.get(DENOMINATOR[m], zeros) for m in RATE_METRICS}, index=c.index
        )

    def shown(self, min_size: int) -> pd.DataFrame:
        """For each group and rate, whether it may be published: the group and the people
        behind the rate number at least ``min_size``, and it is not withheld to protect a
        small group (``private``). Every output reads this, never the sizes alone.

        >>> gm = group_metrics([1, 0] * 50, [1, 1, 0, 0] * 25, ["a"] * 98 + ["b"] * 2)
        >>> gm.shown(30)["selection_rate"].tolist()
        [True, False]
        """
        den = self.denominators()
        ok = den.to_numpy() >= min_size
        ok &= self.counts["n"].to_numpy()[:, None] >= min_size
        if self.private is not None:
            ok &= ~self.private[list(den.columns)].to_numpy(dtype=bool)
        return pd.DataFrame(ok, index=den.index, columns=den.columns)

    def numerators(self) -> pd.DataFrame:
        """For each group and proportion, the count above the line (rate = numerator /
        denominator); NaN columns when outcomes are missing."""
        c = self.counts
        out = {
            "selection_rate": c["predicted_positive"].to_numpy(),
            "accuracy": (c["tp"] + c["tn"]).to_numpy() if self.has_outcomes else None,
            "true_positive_rate": c["tp"].to_numpy() if self.has_outcomes else None,
            "false_positive_rate": c["fp"].to_numpy() if self.has_outcomes else None,
            "false_negative_rate": c["fn"].to_numpy() if self.has_outcomes else None,
            "precision": c["tp"].to_numpy() if self.has_outcomes else None,
        }
        nan = np.full(len(c), np.nan)
        return pd.DataFrame(
            {m: nan if out[m] is None else out[m] for m in PROPORTION_METRICS}, index=c.index
        )

    # ----------------------------------------------------------------------------------------
    # uncertainty
    # ----------------------------------------------------------------------------------------

    def bootstrap(self, n_boot: int = 1000, random_state: Any = 0) -> dict[str, np.ndarray]:
        """Every rate on ``n_boot`` bootstrap resamples: ``{metric: array (n_boot, n_groups)}``.

        Resampling N rows with replacement from all rows gives cell counts (group x actual x
        decision) that are multinomial(N, counts / N); this draws those counts directly, so the
        cost depends on the number of cells, not of rows. Group sizes vary between resamples as
        in a row bootstrap; a rate undefined in a resample is NaN. ``mean_score`` uses the normal
        approximation of a mean (its spread within cells is not in the counts). Every rate of
        every resample is held (8 bytes each, seven rates): :meth:`ci` keeps far less.

        Examples
        --------
        >>> gm = group_metrics([1, 0] * 50, [1, 1, 0, 0] * 25, ["a"] * 50 + ["b"] * 50)
        >>> draws = gm.bootstrap(n_boot=200, random_state=1)
        >>> draws["selection_rate"].shape
        (200, 2)
        """
        key = ("bootstrap", int(n_boot), random_state)
        if key in self._cache:
            return dict(self._cache[key])
        _check_n_boot(n_boot)
        rng = np.random.default_rng(random_state)
        draws = self._draw_cells(n_boot, rng)
        rates = self._boot_rates(draws, self._score_draws(n_boot, rng), slice(None))
        self._cache[key] = rates
        return dict(rates)

    def _draw_cells(self, n_boot: int, rng: np.random.Generator) -> np.ndarray:
        """The resampled cell counts, ``(n_boot, groups, cells)``: drawn :data:`BOOT_CHUNK`
        bytes at a time (the same draws as at once) into 32-bit counts where they fit."""
        c = self.counts
        if self.has_outcomes:
            cells = np.stack([c[k].to_numpy() for k in ("tn", "fp", "fn", "tp")], axis=1)
        else:
            n = c["n"].to_numpy()
            cells = np.stack([n - c["predicted_positive"].to_numpy(), c["predicted_positive"]], 1)
        flat = cells.ravel().astype(float)
        total = int(flat.sum())
        dtype = np.int32 if total < 2**31 else np.int64
        out = np.empty((n_boot, flat.size), dtype=dtype)
        step = max(1, BOOT_CHUNK // (8 * max(flat.size, 1)))
        for start in range(0, n_boot, step):
            stop = min(n_boot, start + step)
            out[start:stop] = rng.multinomial(total, flat / total, size=stop - start)
        return out.reshape(n_boot, *cells.shape)

    def _score_draws(self, n_boot: int, rng: np.random.Generator) -> np.ndarray | None:
        """Standard normal draws of each group's mean score, ``(n_boot, groups)``, after the
        counts (None without scores)."""
        if not self.has_scores:
            return None
        return rng.standard_normal((n_boot, len(self.counts)))

    def _boot_rates(
        self, draws: np.ndarray, z: np.ndarray | None, groups: slice
    ) -> dict[str, np.ndarray]:
        """Every rate of the resampled counts of ``groups`` (``draws`` and ``z`` of all)."""
        d = draws[:, groups]
        if self.has_outcomes:
            tn, fp, fn, tp = (d[..., i] for i in range(4))
            boot = {"n": tn + fp + fn + tp, "predicted_positive": tp + fp}
            boot.update(tn=tn, fp=fp, fn=fn, tp=tp)
        else:
            boot = {"n": d.sum(axis=-1), "predicted_positive": d[..., 1]}
        rates = rates_from_counts(boot, None)
        if z is not None:
            c = self.counts.iloc[groups]
            n_g = c["n"].to_numpy(dtype=float)
            mean = _divide(c["score_sum"].to_numpy(), n_g)
            var = _divide(c["score_sq_sum"].to_numpy(), n_g) - mean**2
            se = np.sqrt(_divide(np.maximum(var, 0.0), n_g))
            rates["mean_score"] = mean + se * z[:, groups]
        return rates

    def ci(self, level: float = 0.95, n_boot: int = 1000, random_state: Any = 0) -> pd.DataFrame:
        """Percentile bootstrap intervals of every rate, by group.

        Returns a DataFrame indexed like ``by_group`` with columns ``(metric, "low")`` and
        ``(metric, "high")``. The resamples are those of :meth:`bootstrap`, but only their
        counts are held (4 bytes per cell, 16 per group and resample, and 8 for a mean
        score), the rates taken a few groups at a time: 10,000 groups need 240 MB at 1,000
        resamples, not the 1.2 GB of every rate.

        Examples
        --------
        >>> gm = group_metrics(None, [1, 0, 0, 1] * 100, ["a", "b"] * 200)
        >>> ci = gm.ci(n_boot=500)
        >>> low, high = ci.loc["a", "selection_rate"]
        >>> bool(low < 0.5 < high)
        True
        """
        if not 0 < level < 1:
            raise InputTypeError(f"level must be in (0, 1), got {level!r}.")
        _check_n_boot(n_boot)
        rng = np.random.default_rng(random_state)
        draws = self._draw_cells(n_boot, rng)
        z = self._score_draws(n_boot, rng)
        q = [(1 - level) / 2, 1 - (1 - level) / 2]
        size = len(self.counts)
        cols = {(m, b): np.full(size, np.nan) for m in RATE_METRICS for b in ("low", "high")}
        step = max(1, BOOT_CHUNK // (8 * n_boot * len(RATE_METRICS)))
        for start in range(0, size, step):
            block = slice(start, min(size, start + step))
            rates = self._boot_rates(draws, z, block)
            for m in RATE_METRICS:
                if not np.isnan(rates[m]).all():
                    cols[(m, "low")][block], cols[(m, "high")][block] = _quantiles(rates[m], q)
        frame = pd.DataFrame(cols, index=self.counts.index)
        frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["metric", "bound"])
        return frame

    def test_vs_rest(self, metric: str, groups: np.ndarray | None = None) -> pd.DataFrame:
        """Each group against all other rows: two-proportion test on ``metric``.

        Returns ``p_value`` (unadjusted) and ``method`` (``"chi2"`` or ``"fisher"``) by group.
        With ``groups`` (a boolean mask of the table's groups) only those are tested; the
        others have p-value NaN and method ``""`` (the audit tests the groups it compares,
        not thousands too small to compare).
        """
        if metric not in PROPORTION_METRICS:
            raise InputTypeError(
                f"metric must be one of {list(PROPORTION_METRICS)}, got {metric!r}."
            )
        k = self.numerators()[metric].to_numpy(dtype=float)
        n = self.denominators()[metric].to_numpy(dtype=float)
        tested = np.ones(len(k), dtype=bool) if groups is None else np.asarray(groups, bool)
        p, method = np.full(len(k), np.nan), np.full(len(k), "", dtype=object)
        res = two_proportion_test(
            k[tested], n[tested], np.nansum(k) - k[tested], n.sum() - n[tested]
        )
        p[tested], method[tested] = res.p_value, res.method
        return pd.DataFrame({"p_value": p, "method": method}, index=self.counts.index)

    def _rates(self) -> pd.DataFrame:
        return self.by_group[list(RATE_METRICS)]

    def group_min(self) -> pd.Series:
        """Smallest value of each rate across groups (NaN groups skipped)."""
        return self._rates().min(axis=0)

    def group_max(self) -> pd.Series:
        """Largest value of each rate across groups (NaN groups skipped)."""
        return self._rates().max(axis=0)

    def difference(
        self, method: Literal["between_groups", "to_overall"] = "between_groups"
    ) -> pd.Series:
        """Largest gap of each rate: max - min across groups, or max |group - overall|.

        Examples
        --------
        >>> gm = group_metrics([1, 0, 1, 1], [1, 0, 0, 1], ["a", "a", "b", "b"])
        >>> float(gm.difference()["selection_rate"])
        0.0
        >>> float(gm.difference()["true_positive_rate"])
        0.5
        """
        rates = self._rates()
        if method == "between_groups":
            return rates.max(axis=0) - rates.min(axis=0)
        if method == "to_overall":
            overall = self.overall[list(RATE_METRICS)]
            return (rates - overall).abs().max(axis=0)
        raise InputTypeError(f"method must be 'between_groups' or 'to_overall', got {method!r}.")

    def ratio(
        self, method: Literal["between_groups", "to_overall"] = "between_groups"
    ) -> pd.Series:
        """Smallest ratio of each rate: min / max across groups, or min of group/overall and
        overall/group. NaN when the denominator is 0.

        Examples
        --------
        >>> gm = group_metrics(None, [1, 0, 1, 1], ["a", "a", "b", "b"])
        >>> float(gm.ratio()["selection_rate"])
        0.5
        """
        rates = self._rates()
        if method == "between_groups":
            return pd.Series(
                _divide(rates.min(axis=0).to_numpy(), rates.max(axis=0).to_numpy()),
                index=rates.columns,
            )
        if method == "to_overall":
            overall = self.overall[list(RATE_METRICS)].to_numpy(dtype=float)
            r = _divide(rates.to_numpy(), overall[None, :])
            # Invert only the ratios above 1 (1/r of a tiny r would overflow, and is not used).
            r = np.where(r > 1, _divide(np.ones_like(r), np.where(r > 1, r, 1.0)), r)
            return pd.Series(pd.DataFrame(r, columns=rates.columns).min(axis=0))
        raise InputTypeError(f"method must be 'between_groups' or 'to_overall', got {method!r}.")

    def __repr__(self) -> str:
        names = " × ".join(self.sensitive_names)
        return (
            f"<GroupMetrics by {names}: {len(self.counts)} groups, n={int(self.counts['n'].sum())}>"
        )


def _binary_indicator(
    name: str, values: np.ndarray, pos_label: Any, error: type
) -> tuple[np.ndarray, set[Any]]:
    """``values == pos_label`` as uint8 and the labels seen, after checking for missing and
    non-binary values."""
    missing = is_missing_array(values)
    if missing.any():
        raise error(
            f"{name} has {int(missing.sum())} missing values (NaN/None); every row needs a "
            f"value. Drop those rows from all inputs, or fill them."
        )
    labels = pd.unique(values)
    if len(labels) > 2:
        shown = sorted(map(str, labels[:6]))
        raise error(
            f"{name} must be binary for a classification audit, but has {len(labels)} distinct "
            f"values (e.g. {shown}). Binarise it first, e.g. {name} = ({name} == label)."
        )
    return np.asarray(values == pos_label, dtype=np.uint8), set(labels.tolist())


def as_columns(sensitive: Any) -> dict[str, Any]:
    """Sensitive features in any accepted form -> {name: 1-D values}."""
    if isinstance(sensitive, pd.DataFrame):
        return {str(c): sensitive[c] for c in sensitive.columns}
    if isinstance(sensitive, Mapping):
        return {str(k): v for k, v in sensitive.items()}
    if isinstance(sensitive, pd.Series):
        return {str(sensitive.name) if sensitive.name is not None else "sensitive": sensitive}
    arr = np.asarray(sensitive, dtype=object) if isinstance(sensitive, list) else sensitive
    if isinstance(arr, np.ndarray) and arr.ndim == 2:
        return {f"sensitive_{i}": arr[:, i] for i in range(arr.shape[1])}
    return {"sensitive": sensitive}


def counts_by_group(
    encoding: GroupEncoding,
    y_pred_pos: np.ndarray,
    y_true_pos: np.ndarray | None,
    y_score: np.ndarray | None,
) -> pd.DataFrame:
    """Per-group cell counts via one ``np.bincount`` over combined cell codes."""
    sums = None if y_score is None else (y_score, y_score * y_score)
    return counts_from_cells(encoding, y_pred_pos, y_true_pos, None, sums)


def counts_from_cells(
    encoding: GroupEncoding,
    y_pred_pos: np.ndarray,
    y_true_pos: np.ndarray | None,
    n: np.ndarray | None,
    score_sums: tuple[np.ndarray, np.ndarray] | None,
) -> pd.DataFrame:
    """Per-group counts of data summarised as cells: entry ``i`` of the encoding stands for
    ``n[i]`` rows (one when ``n`` is None) sharing a group, a decision and an outcome, whose
    scores sum to ``score_sums[0][i]`` and their squares to ``score_sums[1][i]``. Tables of
    cells of parts of the data add up to the table of the whole."""
    g = encoding.codes
    keep = g >= 0
    if not keep.all():
        g, y_pred_pos = g[keep], y_pred_pos[keep]
        y_true_pos = y_true_pos[keep] if y_true_pos is not None else None
        n = n[keep] if n is not None else None
        score_sums = None if score_sums is None else (score_sums[0][keep], score_sums[1][keep])
    k = encoding.n_groups
    data: dict[str, np.ndarray] = {}
    if y_true_pos is not None:
        cells = np.bincount(g * 4 + y_true_pos * 2 + y_pred_pos, weights=n, minlength=4 * k)
        cells = cells.reshape(k, 4).astype(np.int64)
        data["tn"], data["fp"], data["fn"], data["tp"] = cells.T
        data["n"] = cells.sum(axis=1)
        data["predicted_positive"] = data["tp"] + data["fp"]
    else:
        cells = np.bincount(g * 2 + y_pred_pos, weights=n, minlength=2 * k)
        cells = cells.reshape(k, 2).astype(np.int64)
        data["n"] = cells.sum(axis=1)
        data["predicted_positive"] = cells[:, 1]
    cols = [c for c in COUNT_COLUMNS if c in data]
    frame = pd.DataFrame({c: data[c].astype(np.int64) for c in cols}, index=encoding.index)
    if score_sums is not None:
        frame["score_sum"] = np.bincount(g, weights=score_sums[0], minlength=k)
        frame["score_sq_sum"] = np.bincount(g, weights=score_sums[1], minlength=k)
    return frame


def group_metrics(
    y_true: Any,
    y_pred: Any,
    sensitive: Any,
    y_score: Any = None,
    *,
    pos_label: Any = 1,
    missing: Literal["group", "drop", "raise"] = "group",
) -> GroupMetrics:
    """Metrics of binary decisions by group (or by intersection of several attributes).

    Parameters
    ----------
    y_true : array-like or None
        Actual outcomes, binary. None for a decision log without outcomes: then only ``count``,
        ``selection_rate`` (and ``mean_score``) are computed and outcome rates are NaN.
    y_pred : array-like
        Decisions, binary.
    sensitive : array-like, Series, DataFrame or mapping of name to array-like
        The group of each row. Several columns (a DataFrame or a mapping) give the intersection;
        ``by_group`` then has a MultiIndex with only the combinations that occur.
    y_score : array-like, optional
        A numeric score per row (probability of the positive label, say); gives ``mean_score``.
    pos_label : scalar, default 1
        The label counted as positive in ``y_true`` and ``y_pred``.
    missing : {"group", "drop", "raise"}, default "group"
        Rows with a missing sensitive value form their own group ``"(missing)"``, are left out,
        or raise :class:`~szai_audit.errors.SensitiveAttributeError`.

    Returns
    -------
    GroupMetrics
        Always the same type and the same columns, whatever the input.

    Raises
    ------
    LengthMismatchError
        The inputs have different lengths, or a pandas input cannot be paired with ``y_pred``'s
        rows: with ``y_pred`` a Series, a Series (or DataFrame) in ``y_true``, ``y_score`` or
        ``sensitive`` is paired with it by index label (reordered when its labels are the same
        in another order, refused with other or repeated labels), as in an audit; arrays and
        lists by position.
    TargetError, PredictionError
        ``y_true`` / ``y_pred`` are missing values or are not binary, or ``pos_label`` does not
        occur among two labels.

    Examples
    --------
    >>> gm = group_metrics(
    ...     y_true=[1, 0, 1, 0, 1, 1],
    ...     y_pred=[1, 0, 0, 0, 1, 1],
    ...     sensitive=["f", "f", "f", "m", "m", "m"],
    ... )
    >>> gm.by_group[["count", "selection_rate", "true_positive_rate"]]
              count  selection_rate  true_positive_rate
    sensitive
    f             3        0.333333                 0.5
    m             3        0.666667                 1.0
    >>> round(float(gm.difference()["selection_rate"]), 4)
    0.3333
    """
    y_pred_arr = to_1d("y_pred", y_pred)
    n = len(y_pred_arr)
    y_true, y_score, columns = _paired(y_pred, y_true, y_score, as_columns(sensitive))
    y_true_arr = None if y_true is None else to_1d("y_true", y_true, n, "y_pred")
    score_arr = None if y_score is None else _score_array(y_score, n)
    pred_pos, true_pos = _indicators(y_pred_arr, y_true_arr, pos_label)
    encoding = encode_groups(columns, missing=missing, n=n)
    counts = counts_by_group(encoding, pred_pos, true_pos, score_arr)
    return GroupMetrics(
        counts=counts,
        pos_label=pos_label,
        has_outcomes=true_pos is not None,
        has_scores=score_arr is not None,
    )


def _paired(
    y_pred: Any, y_true: Any, y_score: Any, columns: dict[str, Any]
) -> tuple[Any, Any, dict[str, Any]]:
    """``y_true``, ``y_score`` and the sensitive columns paired with the rows of ``y_pred``:
    by index label when ``y_pred`` is a Series and they are pandas objects, as in an audit
    (:func:`~szai_audit.core.data.align_rows`); else by position."""
    index = y_pred.index if isinstance(y_pred, pd.Series) else None
    return (
        align_rows("y_true", y_true, index, "y_pred"),
        align_rows("y_score", y_score, index, "y_pred"),
        {k: align_rows(f"sensitive[{k!r}]", v, index, "y_pred") for k, v in columns.items()},
    )


def _score_array(y_score: Any, n: int) -> np.ndarray:
    """``y_score`` as a float array of length ``n``, checked to be numeric and without NaN."""
    score_arr = real_numbers("y_score", to_1d("y_score", y_score, n, "y_pred"), PredictionError)
    if np.isnan(score_arr).any():
        raise PredictionError(
            f"y_score has {int(np.isnan(score_arr).sum())} NaN values; every row needs a score."
        )
    return score_arr


def _indicators(
    y_pred_arr: np.ndarray, y_true_arr: np.ndarray | None, pos_label: Any
) -> tuple[np.ndarray, np.ndarray | None]:
    """Positive indicators of the decisions and outcomes (None without outcomes), checked to
    share two labels among which ``pos_label`` is."""
    pred_pos, labels = _binary_indicator("y_pred", y_pred_arr, pos_label, PredictionError)
    true_pos = None
    if y_true_arr is not None:
        true_pos, true_labels = _binary_indicator("y_true", y_true_arr, pos_label, TargetError)
        labels |= true_labels
        if len(labels) > 2:
            raise TargetError(
                f"y_true and y_pred together have {len(labels)} labels {sorted(map(str, labels))}; "
                f"they must share the same two labels."
            )
    if len(labels) == 2 and pos_label not in labels:
        shown = sorted(map(str, labels))
        raise TargetError(
            f"pos_label={pos_label!r} is not one of the labels {shown}; pass the label that "
            f"counts as positive, e.g. pos_label={shown[-1]!r}."
        )
    return pred_pos, true_pos
