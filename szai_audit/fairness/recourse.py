"""Recourse by group (Art. 72(2)(iv)): who of the people decided unfavourably could reach the
favourable decision, and how much they must change to.

Two groups with the same approval rate can still be treated differently: if the refused of one
group would be approved after a small change and the refused of the other only after a large
one (or never, within the changes a person can make), the second group is disadvantaged. This
module measures it on the model itself (:mod:`szai_audit.core.recourse`: every option is a
row the model decides favourably):

* :func:`sample_recourse` searches the cheapest recourse of each unfavourably decided person
  (a random sample of ``recourse_max_rows``), with the changes allowed;
* :func:`by_group` tabulates, per group: the refused searched, those with recourse, their
  share, and the median cost of recourse among them;
* :func:`share_comparisons` and :func:`cost_comparisons` compare each group with the
  reference, on the decision rule of :mod:`szai_audit.core.judging`.

The tests, their null hypotheses (one-sided, "within the tolerance"):

* **share with recourse**: the gap ``d = p_ref - p_group`` of two independent proportions;
  H0: ``d <= recourse_share_gap_max``. Wald standard error
  ``sqrt(p_r (1 - p_r) / n_r + p_g (1 - p_g) / n_g)`` (the Agresti-Caffo one, each proportion
  with one success and one failure added, when that is 0), normal interval; the same z-test as
  ``statsmodels.stats.proportion.test_proportions_2indep(method="wald")``;
* **median cost**: the ratio ``r = median_ref / median_group`` (below 1: the group must change
  more); H0: ``log r >= log recourse_cost_ratio_min``. Standard error of ``log r`` from
  ``n_bootstrap`` resamples of each group's costs (seeded), normal interval on the log scale;
  for costs with density ``f`` at the median ``m`` it approaches
  ``sqrt(1 / (4 n_r f_r(m_r)^2 m_r^2) + 1 / (4 n_g f_g(m_g)^2 m_g^2))``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.judging import Comparison, normal_comparison
from ..core.progress import stage
from ..core.recourse import RecourseSpace, search
from .proxies import proxies_of

__all__ = [
    "RecourseSample",
    "by_group",
    "cost_comparisons",
    "sample_recourse",
    "sensitive_inputs",
    "share_comparisons",
    "tied_inputs",
]


def sensitive_inputs(
    columns: Sequence[Any],
    ground_columns: Sequence[str | None],
    proxies: Mapping[str, Any],
    threshold: float,
) -> list[str]:
    """The inputs that must never be a reason nor change: the grounds' columns among
    ``columns``, and each ground's proxies (:func:`~szai_audit.fairness.proxies.proxies_of`:
    single-input AUC at or above ``threshold``, from the
    :class:`~szai_audit.fairness.proxies.ProxyReport` of each ground)."""
    present = set(columns)
    out = [c for c in ground_columns if c is not None and c in present]
    named = {str(c) for c in columns}
    for report in proxies.values():
        out += [c for c in proxies_of(report, threshold) if c in named]
    return list(dict.fromkeys(out))


def tied_inputs(
    columns: Sequence[Any],
    grounds: Mapping[str, str | None],
    proxies: Mapping[str, Any],
    threshold: float,
) -> dict[str, list[str]]:
    """:func:`sensitive_inputs`, in its order, each with the grounds it is or stands in for:
    ``{column: [ground, ...]}`` (``grounds``: each ground's column, None when it has none).

    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> report = SimpleNamespace(features=pd.DataFrame({"auc": [0.9, 0.6]}, index=["job", "x"]))
    >>> tied_inputs(["sex", "job", "x"], {"gender": "sex"}, {"gender": report}, 0.8)
    {'sex': ['gender'], 'job': ['gender']}
    """
    present = set(columns)
    out: dict[str, list[str]] = {}
    for ground, column in grounds.items():
        if column is not None and column in present:
            out.setdefault(str(column), []).append(str(ground))
    named = {str(c) for c in columns}
    for ground, report in proxies.items():
        for c in proxies_of(report, threshold):
            if c in named:
                out.setdefault(c, []).append(str(ground))
    order = sensitive_inputs(columns, list(grounds.values()), proxies, threshold)
    return {str(c): list(dict.fromkeys(out[str(c)])) for c in order if str(c) in out}


@dataclass(frozen=True)
class RecourseSample:
    """The cheapest recourse of each unfavourably decided person searched.

    ``positions`` are their rows in the data; ``costs`` the cost of their cheapest option
    (NaN: none within the allowed changes); ``changeable`` the inputs allowed to change, with
    their direction; ``n_unfavourable`` all the unfavourably decided people (searched or not);
    ``scales`` the cost unit (interquartile range) of each changeable number.
    """

    positions: np.ndarray
    costs: np.ndarray
    changeable: Mapping[str, Any]
    n_unfavourable: int
    scales: Mapping[str, float] = field(default_factory=dict)

    @property
    def sampled(self) -> bool:
        return len(self.positions) < self.n_unfavourable


#: People searched together (one call of the model per step of the search for all of them);
#: each person's search is their own, so the batches change no result, only show progress.
RECOURSE_BATCH = 250


def sample_recourse(
    adapter: Any,
    data: pd.DataFrame,
    favourable: np.ndarray,
    allowed: Mapping[str, Any],
    favorable_label: Any,
    *,
    max_rows: int,
    grid: int = 10,
    random_state: int | None = 0,
    min_count: int = 10,
    orders: Mapping[str, Any] | None = None,
) -> RecourseSample:
    """Search the cheapest recourse of the unfavourably decided (``favourable`` False), at
    most ``max_rows`` of them drawn at random (seeded, sorted), on a grid of ``grid``
    quantiles per number, each single change then narrowed in 6 bisection steps (to 1/64 of
    a grid step: the costs compared are medians, not one person's advice); a category may
    change only to one held by at least ``min_count`` rows, as in the person notices
    (:func:`szai_audit.explain.explain_people`); never against ``orders`` (``value_order``)."""
    refused = np.flatnonzero(~np.asarray(favourable, dtype=bool))
    chosen = refused
    if len(refused) > max_rows:
        rng = np.random.default_rng(random_state)
        chosen = np.sort(rng.choice(refused, max_rows, replace=False))
    costs = np.full(len(chosen), np.nan)
    scales: dict[str, float] = {}
    if len(chosen) and allowed:
        space = RecourseSpace.of(data, allowed, grid, min_count, orders)
        scales = {c: float(space.scales[c]) for c in allowed if space.numeric[c]}
        found = []
        with stage("recourse") as bar:  # people searched in batches, each a step
            batches = [
                chosen[i : i + RECOURSE_BATCH] for i in range(0, len(chosen), RECOURSE_BATCH)
            ]
            bar.add(len(batches))
            for batch in batches:
                found += search(
                    adapter, data.iloc[batch], space, favorable_label, n_options=1, refine_rounds=6
                )
                bar.update()
        costs = np.array([o[0].cost if o else np.nan for o in found], dtype=float)
    return RecourseSample(chosen, costs, dict(allowed), len(refused), scales)


def by_group(costs: np.ndarray, groups: np.ndarray) -> pd.DataFrame:
    """Per group (the index, in order of appearance): ``refused`` searched, ``with_recourse``,
    ``share`` with recourse, ``median_cost`` among those with recourse (NaN for none).

    >>> t = by_group(np.array([1.0, np.nan, 0.5, 2.0]), np.array(["a", "a", "b", "b"]))
    >>> t["share"].tolist(), t["median_cost"].tolist()
    ([0.5, 1.0], [1.0, 1.25])
    """
    frame = pd.DataFrame({"group": np.asarray(groups, dtype=object), "cost": costs})
    rows = {}
    for g, part in frame.groupby("group", sort=False):
        c = part["cost"].to_numpy(dtype=float)
        found = c[np.isfinite(c)]
        rows[g] = {
            "refused": len(c),
            "with_recourse": len(found),
            "share": len(found) / len(c),
            "median_cost": float(np.median(found)) if len(found) else math.nan,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def _proportion_se(k_r: int, n_r: int, k_g: int, n_g: int) -> float:
    p_r, p_g = k_r / n_r, k_g / n_g
    se = math.sqrt(p_r * (1 - p_r) / n_r + p_g * (1 - p_g) / n_g)
    if se > 0:
        return se
    a_r, a_g = (k_r + 1) / (n_r + 2), (k_g + 1) / (n_g + 2)  # Agresti-Caffo
    return math.sqrt(a_r * (1 - a_r) / (n_r + 2) + a_g * (1 - a_g) / (n_g + 2))


def share_comparisons(
    table: pd.DataFrame, reference: str, *, threshold: float, level: float
) -> list[Comparison]:
    """Each group of ``table`` (:func:`by_group`) but the reference: the gap in the share
    with recourse, reference minus group (positive: the group has recourse less often)."""
    ref = table.loc[reference]
    out = []
    for g, row in table.iterrows():
        if g == reference:
            continue
        value = float(ref["share"] - row["share"])
        se = _proportion_se(
            int(ref["with_recourse"]), int(ref["refused"]),
            int(row["with_recourse"]), int(row["refused"]),
        )  # fmt: skip
        out.append(
            normal_comparison(
                str(g),
                str(reference),
                value,
                se,
                threshold=threshold,
                direction="at_most",
                level=level,
                method="wald",
                size=int(row["refused"]),
                extra={"share": float(row["share"]), "reference_share": float(ref["share"])},
            )
        )
    return out


def cost_comparisons(
    costs: np.ndarray,
    groups: np.ndarray,
    table: pd.DataFrame,
    reference: str,
    *,
    threshold: float,
    level: float,
    n_bootstrap: int,
    random_state: int | None,
    unit_scale: float | None = None,
) -> list[Comparison]:
    """Each group of ``table`` but the reference: the ratio of the reference's median cost of
    recourse to the group's (below 1: the group must change more), its log's standard error
    from ``n_bootstrap`` resamples of each group's costs. With ``unit_scale`` (the cost unit
    of the one number that may change), the medians also in that number's own unit
    (``median_change``, ``reference_median_change``)."""
    rng = np.random.default_rng(random_state)
    found = np.isfinite(costs)
    labels = np.asarray(groups, dtype=object)
    boot = {
        g: _boot_log_median(costs[found & (labels == g)], n_bootstrap, rng) for g in table.index
    }
    ref = table.loc[reference]
    out = []
    for g, row in table.iterrows():
        if g == reference:
            continue
        value = float(ref["median_cost"] / row["median_cost"]) if row["median_cost"] > 0 else 1.0
        if ref["median_cost"] == 0 and row["median_cost"] == 0:
            value = 1.0
        se = float(np.std(boot[reference] - boot[g], ddof=1))
        out.append(
            normal_comparison(
                str(g),
                str(reference),
                value,
                max(se, 1e-12),
                threshold=threshold,
                direction="at_least",
                level=level,
                scale="log",
                method="bootstrap",
                size=int(row["with_recourse"]),
                extra=_medians(row["median_cost"], ref["median_cost"], unit_scale),
            )
        )
    return out


def _medians(group: float, reference: float, unit_scale: float | None) -> dict[str, float]:
    out = {"median": float(group), "reference_median": float(reference)}
    if unit_scale is not None:
        out |= {
            "median_change": float(group) * unit_scale,
            "reference_median_change": float(reference) * unit_scale,
        }
    return out


def _boot_log_median(x: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Logs of the medians of ``n`` resamples of ``x`` (costs of 0 count as a small cost)."""
    floor = max(1e-6, float(np.min(x[x > 0])) / 100) if np.any(x > 0) else 1e-6
    draws = rng.integers(0, len(x), size=(n, len(x)))
    return np.log(np.maximum(np.median(x[draws], axis=1), floor))
