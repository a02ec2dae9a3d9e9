"""The power of the two-proportion score test, and the smallest gap a sample could show.

A rate finding (:mod:`szai_audit.core.margins`) tests ``H0: the gap is within the tolerance``
with the score test of Miettinen and Nurminen. Where it does not reject, a reader asks how
large a gap *would* have been shown: :func:`min_detectable_gap` answers, for the group sizes
and the reference group's rate of the sample, with the normal approximation of the score
test's power (Farrington and Manning, 1990):

.. math::

    \\text{power} = \\Phi\\left(\\frac{|E| - z_{1-a}\\,\\sigma_0}{\\sigma_1}\\right)

where ``E`` is the expected distance of the test's numerator from the margin (``p1 - p2 -
t`` for a difference, ``p1 - t p2`` for a ratio), ``sigma_0`` its standard error under the null
(the proportions constrained to the margin by maximum likelihood, from the expected counts,
times ``sqrt(N / (N - 1))`` as in the test) and ``sigma_1`` its standard error at the true
proportions. It is asymptotic: where the audit uses the exact test (small expected counts),
the true power is lower.

Examples
--------
>>> round(min_detectable_gap(0.85, 91, 209, 0.10, alpha=0.05 / 7), 3)  # 91 against 209 people
0.284
"""

from __future__ import annotations

import math

import numpy as np

from .errors import InputError
from .margins import constrained_mle

__all__ = ["min_detectable_gap", "score_power"]

_SCALES = ("diff", "ratio")
_ALTERNATIVES = ("greater", "less")
_HARMS = ("lower", "higher")


def _check_probability(name: str, value: float, *, open_low: bool = False) -> None:
    ok = (0 < value < 1) if open_low else (0 <= value <= 1)
    if not (math.isfinite(value) and ok):
        interval = "(0, 1)" if open_low else "[0, 1]"
        raise InputError(f"{name} must be in {interval}, got {value!r}.")


def _check_size(name: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise InputError(f"{name} must be a positive number of people, got {value!r}.")


def score_power(
    p1: float,
    n1: float,
    p2: float,
    n2: float,
    margin: float,
    *,
    scale: str = "diff",
    alternative: str = "greater",
    alpha: float = 0.05,
) -> float:
    """Asymptotic power of the one-sided score test of two proportions against a margin.

    ``alternative="greater"`` is the test of ``H0: p1 - p2 <= margin`` (``scale="diff"``) or
    ``H0: p1 / p2 <= margin`` (``"ratio"``) at one-sided level ``alpha``, ``"less"`` the other
    side (as :func:`szai_audit.core.margins.score_margin_test`); ``p1`` and ``p2`` are the true
    proportions, ``n1`` and ``n2`` the group sizes.

    Parameters
    ----------
    p1, p2 : float
        The true proportions of the two groups, in [0, 1].
    n1, n2 : float
        The numbers of people behind each proportion (> 0).
    margin : float
        The tolerance the test is against (a difference, or a ratio > 0).
    scale : {"diff", "ratio"}
    alternative : {"greater", "less"}
    alpha : float
        The one-sided significance level, in (0, 1).

    Returns
    -------
    float
        The probability that the test rejects, by the normal approximation.

    Examples
    --------
    >>> round(score_power(0.85, 209, 0.60, 91, 0.10, alpha=0.05), 3)
    0.854
    >>> round(score_power(0.85, 209, 0.85, 91, 0.10, alpha=0.05), 4)  # no gap: far below alpha
    0.0001
    """
    if scale not in _SCALES:
        raise InputError(f"scale must be one of {list(_SCALES)}, got {scale!r}.")
    if alternative not in _ALTERNATIVES:
        raise InputError(f"alternative must be one of {list(_ALTERNATIVES)}, got {alternative!r}.")
    _check_probability("p1", p1)
    _check_probability("p2", p2)
    _check_size("n1", n1)
    _check_size("n2", n2)
    _check_probability("alpha", alpha, open_low=True)
    if scale == "ratio" and not margin > 0:
        raise InputError(f"a ratio margin must be positive, got {margin!r}.")
    from scipy.special import ndtr, ndtri

    weight = 1.0 if scale == "diff" else margin**2
    q1, q2 = (
        float(v[0])
        for v in constrained_mle(
            np.array([n1 * p1]),
            np.array([n1]),
            np.array([n2 * p2]),
            np.array([n2]),
            np.array([float(margin)]),
            scale,
        )
    )
    n = n1 + n2
    sigma0 = math.sqrt((q1 * (1 - q1) / n1 + weight * q2 * (1 - q2) / n2) * n / (n - 1))
    sigma1 = math.sqrt(p1 * (1 - p1) / n1 + weight * p2 * (1 - p2) / n2)
    expected = p1 - p2 - margin if scale == "diff" else p1 - margin * p2
    if alternative == "less":
        expected = -expected
    z = float(ndtri(1 - alpha))
    if sigma1 == 0:  # no sampling error at the truth: the test rejects or it does not
        return 1.0 if expected > z * sigma0 else 0.0
    return float(ndtr((expected - z * sigma0) / sigma1))


def _power_at(
    harm: float,
    reference_rate: float,
    n_group: float,
    n_reference: float,
    tolerance: float,
    scale: str,
    direction: str,
    alpha: float,
) -> float:
    """The power at a true gap ``harm`` (a difference, or the ratio for ``scale="ratio"``)."""
    if scale == "ratio":  # H0: group / reference >= tolerance, against "less"
        return score_power(
            harm * reference_rate,
            n_group,
            reference_rate,
            n_reference,
            tolerance,
            scale="ratio",
            alternative="less",
            alpha=alpha,
        )
    if direction == "lower":  # H0: reference - group <= tolerance
        return score_power(
            reference_rate,
            n_reference,
            reference_rate - harm,
            n_group,
            tolerance,
            alpha=alpha,
        )
    return score_power(  # H0: group - reference <= tolerance
        reference_rate + harm, n_group, reference_rate, n_reference, tolerance, alpha=alpha
    )


def _bracket(
    reference_rate: float, tolerance: float, scale: str, direction: str
) -> tuple[float, float] | None:
    """The range of true gaps beyond the tolerance the rates allow (for a ratio: from 0, the
    largest harm, to the tolerance); None when there is none."""
    if direction not in _HARMS:
        raise InputError(f"direction must be one of {list(_HARMS)}, got {direction!r}.")
    if scale == "ratio":
        if direction != "lower":
            raise InputError(
                f"a ratio is harmful below its tolerance: direction must be "
                f"'lower', got {direction!r}."
            )
        if not 0 < tolerance <= 1:
            raise InputError(f"a ratio tolerance must be in (0, 1], got {tolerance!r}.")
        return None if reference_rate == 0 else (0.0, float(tolerance))
    if scale == "diff":
        if not 0 <= tolerance <= 1:
            raise InputError(f"a difference tolerance must be in [0, 1], got {tolerance!r}.")
        room = reference_rate if direction == "lower" else 1 - reference_rate
        return None if room <= tolerance else (float(tolerance), float(room))
    raise InputError(f"scale must be one of {list(_SCALES)}, got {scale!r}.")


def min_detectable_gap(
    reference_rate: float,
    n_group: float,
    n_reference: float,
    tolerance: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    scale: str = "diff",
    direction: str = "lower",
) -> float | None:
    """The smallest true gap the score test would show beyond ``tolerance`` with ``power``.

    The reference group keeps its rate ``reference_rate``; the compared group's rate is moved
    to the harmful side (``direction="lower"``: a lower rate is worse; ``"higher"``: a higher
    one is) until the one-sided score test of ``H0: the gap is within the tolerance`` at
    level ``alpha`` rejects with probability ``power`` (:func:`score_power`).

    Parameters
    ----------
    reference_rate : float
        The reference group's rate, in [0, 1].
    n_group, n_reference : float
        The numbers of people behind the compared group's rate and the reference's.
    tolerance : float
        The largest gap allowed: a difference of rates (``scale="diff"``), or the smallest
        ratio allowed, compared group to reference (``scale="ratio"``, harm below it).
    alpha : float
        The one-sided level of the test (for a finding, the level its family allows one
        rejection at: ``significance_level / m``).
    power : float
        The probability of showing the gap, in (0, 1).
    scale : {"diff", "ratio"}
    direction : {"lower", "higher"}
        Which side of the reference's rate is harmful (a ratio: only ``"lower"``).

    Returns
    -------
    float or None
        For a difference, the smallest gap (a fraction: 0.25 is 25 points); for a ratio, the
        largest ratio that would be shown below the tolerance. None when not even the largest
        gap the reference's rate allows (a rate of 0 or 1 for the compared group) would be
        shown with ``power``.

    Examples
    --------
    >>> round(min_detectable_gap(0.5, 1000, 1000, 0.10, alpha=0.025), 3)
    0.161
    >>> round(min_detectable_gap(0.5, 1000, 1000, 0.8, scale="ratio", alpha=0.025), 3)
    0.689
    >>> min_detectable_gap(0.05, 30, 30, 0.10) is None  # a 5% rate cannot fall 10 points
    True
    """
    from scipy.optimize import brentq

    _check_probability("reference_rate", reference_rate)
    _check_probability("power", power, open_low=True)
    _check_size("n_group", n_group)
    _check_size("n_reference", n_reference)
    bracket = _bracket(reference_rate, tolerance, scale, direction)
    if bracket is None:
        return None
    low, high = bracket

    def shortfall(harm: float) -> float:
        return (
            _power_at(
                harm, reference_rate, n_group, n_reference, tolerance, scale, direction, alpha
            )
            - power
        )

    largest = low if scale == "ratio" else high  # the largest harm the rates allow
    at_edge = high if scale == "ratio" else low  # no harm beyond the tolerance
    if shortfall(largest) < 0:
        return None
    if shortfall(at_edge) >= 0:  # pragma: no cover - the power at the margin is at most alpha
        return at_edge
    return float(brentq(shortfall, low, high, xtol=1e-10))
