"""The groups' base rates, and when calibration and equal error rates pull against each other.

Where the groups' recorded outcomes occur at different rates (their *base rates*), a score that
is calibrated in every group cannot in general also give every group the same error rates, nor
the reverse, unless it predicts perfectly (Kleinberg, Mullainathan and Raghavan 2016, "Inherent
trade-offs in the fair determination of risk scores"; Chouldechova 2017, "Fair prediction with
disparate impact"). When an audit measures both kinds of check on a ground whose base rates
differ, the report says so beside the ground: which of the two matters more for the use is a
choice for the committee, not something the data settle.

The rule, per ground, among the groups the calibration check compares (at least
``min_group_size`` people, the missing group left out): the base rates differ when Pearson's
chi-square test of equal rates (the groups' table of recorded outcomes, two-sided, no
continuity correction) has a p-value below the policy's ``significance_level``. The p-value is
not adjusted with the audit's findings: it decides a note, not a finding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.data import group_label, is_missing_group_key
from ..core.messages import Message
from . import words
from .metrics import GroupMetrics

__all__ = ["BaseRates", "base_rates"]


@dataclass(frozen=True)
class BaseRates:
    """The share of each compared group whose recorded outcome is the positive label.

    Attributes
    ----------
    rates : dict of str to float
        Group -> its base rate, for the groups of at least ``min_group_size`` people.
    sizes : dict of str to int
        Group -> its people.
    p_value : float or None
        Pearson's chi-square test of equal base rates; None with fewer than two groups.
    level : float
        The significance level the p-value is read at (``Policy.significance_level``).
    both_measured : bool
        Whether calibration and an error-rate check (true- or false-positive rate) were both
        measured on the ground.
    note : Message or None
        The report's note on the conflict, when there is one (:attr:`conflict`).
    """

    rates: dict[str, float]
    sizes: dict[str, int]
    p_value: float | None
    level: float
    both_measured: bool
    note: Message | None = field(default=None, compare=False)

    @property
    def differ(self) -> bool:
        """Whether the data show the base rates different (p below the level)."""
        return self.p_value is not None and self.p_value < self.level

    @property
    def conflict(self) -> bool:
        """Calibration and equal error rates both measured where the base rates differ."""
        return self.both_measured and self.differ

    def to_dict(self) -> dict[str, Any]:
        return {
            "rates": dict(self.rates),
            "sizes": dict(self.sizes),
            "test": "chi2",
            "p_value": self.p_value,
            "level": self.level,
            "differ": self.differ,
            "calibration_and_error_rates_measured": self.both_measured,
            "conflict": self.conflict,
            "note": None if self.note is None else self.note.to_dict(),
        }


def base_rates(
    gm: GroupMetrics,
    ground: str,
    min_size: int,
    level: float,
    *,
    both_measured: bool,
    positive: object = 1,
) -> BaseRates:
    """The base rates of ``gm``'s groups of at least ``min_size`` people (the missing group
    left out), the chi-square test of their equality (see the module's rule) and, when
    calibration and an error rate were both measured where they differ, the note on ``ground``
    (``positive``: the label whose rate the base rate is).

    >>> from szai_audit.fairness import group_metrics
    >>> y = [1] * 30 + [0] * 70 + [1] * 60 + [0] * 40
    >>> gm = group_metrics(y, y, ["a"] * 100 + ["b"] * 100)
    >>> r = base_rates(gm, "race", 30, 0.05, both_measured=True)
    >>> r.rates, r.conflict, "Chouldechova" in r.note.en
    ({'a': 0.3, 'b': 0.6}, True, True)
    """
    from scipy.stats import chi2_contingency

    counts = gm.counts
    n = counts["n"].to_numpy(dtype=float)
    positives = (counts["tp"] + counts["fn"]).to_numpy(dtype=float)
    # The groups whose decision figures are shown (the base rate, with them, would give a
    # withheld group's outcomes back: GroupMetrics.shown).
    keep = np.array([not is_missing_group_key(k) for k in counts.index], dtype=bool) & (
        gm.shown(min_size)["selection_rate"].to_numpy()
    )
    labels = [group_label(k) for k, kept in zip(counts.index, keep, strict=True) if kept]
    n, positives = n[keep], positives[keep]
    rates = {g: float(p / m) for g, p, m in zip(labels, positives, n, strict=True)}
    p_value = None
    table = np.column_stack([positives, n - positives])
    if len(labels) >= 2:
        if (table.sum(axis=0) == 0).any():  # every group at 0%, or every group at 100%
            p_value = 1.0
        else:
            p_value = float(chi2_contingency(table, correction=False).pvalue)
            p_value = p_value if math.isfinite(p_value) else None
    found = BaseRates(
        rates=rates,
        sizes={g: int(m) for g, m in zip(labels, n, strict=True)},
        p_value=p_value,
        level=level,
        both_measured=both_measured,
    )
    if not found.conflict or p_value is None:
        return found
    note = words.msg_base_rate_conflict(ground, rates, p_value, positive)
    return BaseRates(found.rates, found.sizes, p_value, level, both_measured, note)
