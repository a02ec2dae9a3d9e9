"""The smallest gap a rate finding could show beyond its tolerance, and the grounds whose
sample is too small to show a breach at all.

A rate finding that does not FAIL says "the data do not show the gap beyond the tolerance".
That is weak evidence when the sample could only have shown a gap far beyond it. Each rate
finding therefore records (``details["min_detectable_gap"]``) and, unless it FAILs, says the
smallest true gap that its sample would show beyond the tolerance with probability
:data:`POWER`: for the pair the finding names, with the two groups' sizes and the reference
group's rate, by the normal approximation of the score test's power
(:func:`szai_audit.core.power.min_detectable_gap`).

The level is the one at which the ground's Benjamini-Hochberg family of m questions rejects a
question whatever the others show: ``significance_level / m`` (the procedure rejects every
p-value at or below it). The power stated is thus a lower bound on the chance of a FAIL.

:func:`underpowered_grounds` lists, for page 1, the grounds where a breach of the tolerance
would go unnoticed: a rate finding whose smallest detectable gap is more than
:data:`UNDERPOWERED_FACTOR` times the tolerance (for a ratio: its shortfall from 1 more than
that many times the tolerance's), none at all, or groups too small to compare.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from ..core.catalog import say
from ..core.checks import title
from ..core.findings import Finding, Status
from ..core.grounds import INTERSECTION_SEP, ground_label
from ..core.judging import Verdict
from ..core.messages import Message, listing
from ..core.power import min_detectable_gap
from .checks import RATE_CHECKS, SELECTION_RATIO

__all__ = [
    "POWER",
    "UNDERPOWERED_FACTOR",
    "Underpowered",
    "detectable_gap",
    "power_sentence",
    "underpowered_grounds",
    "underpowered_message",
]

#: The chance of showing the gap that the smallest detectable gap is stated at.
POWER = 0.8

#: A rate finding is underpowered when the smallest gap its sample would show beyond the
#: tolerance is more than this many times the tolerance (both measured from no gap): a gap
#: twice what the policy allows would then go unnoticed more than one time in five, so "not
#: shown beyond the tolerance" says little about gaps near the tolerance, where it matters.
UNDERPOWERED_FACTOR = 2.0


def detectable_gap(
    verdict: Verdict,
    *,
    reference_rate: float,
    n_group: float,
    n_reference: float,
    ratio: bool,
    lower_is_worse: bool = True,
    power: float = POWER,
) -> dict[str, Any]:
    """The record ``details["min_detectable_gap"]`` of a judged rate finding.

    Parameters
    ----------
    verdict : Verdict
        The judged finding: its named pair, tolerance and family (m questions).
    reference_rate : float
        The rate of the named pair's reference group.
    n_group, n_reference : float
        The people behind the two rates.
    ratio : bool
        The check is a ratio of rates (harm below the tolerance), else a difference.
    lower_is_worse : bool
        For a difference: whether a lower rate than the reference's is the harm.
    power : float
        The chance of showing the gap.

    Returns
    -------
    dict
        ``value`` (a difference as a fraction, or a ratio; None when no gap the rates allow
        would be shown), ``power``, ``level`` (the one-sided level, ``alpha / m``), ``alpha``,
        ``questions`` (m), ``tolerance``, ``scale``, the pair, its sizes and reference rate,
        ``underpowered`` and ``method``.

    Examples
    --------
    >>> from szai_audit.core.judging import Family, Verdict, normal_comparison
    >>> from szai_audit.core.findings import Status
    >>> c = normal_comparison("f", "m", 0.144, 0.05, threshold=0.1, direction="at_most",
    ...                       level=0.95)
    >>> v = Verdict(Status.WARN, c, 0.7, 0.01, 1, 0.05, family=Family("gender", False, 7, 0,
    ...             0.05), threshold=0.1)
    >>> d = detectable_gap(v, reference_rate=0.847, n_group=91, n_reference=209, ratio=False)
    >>> round(d["value"], 3), round(d["level"], 5), d["underpowered"]
    (0.284, 0.00714, True)
    """
    m = verdict.family.size if verdict.family is not None else 1
    m = max(m, 1)
    level = verdict.alpha / m
    tolerance = float(verdict.threshold) if verdict.threshold is not None else float("nan")
    scale = "ratio" if ratio else "diff"
    value = min_detectable_gap(
        reference_rate,
        n_group,
        n_reference,
        tolerance,
        alpha=level,
        power=power,
        scale=scale,
        direction="lower" if ratio or lower_is_worse else "higher",
    )
    return {
        "value": value,
        "power": power,
        "level": level,
        "alpha": verdict.alpha,
        "questions": m,
        "tolerance": tolerance,
        "scale": scale,
        "group": verdict.comparison.group,
        "reference": verdict.comparison.reference,
        "group_size": int(n_group),
        "reference_size": int(n_reference),
        "reference_rate": float(reference_rate),
        "underpowered": is_underpowered(value, tolerance, ratio),
        "method": "score_normal_approximation",
    }


def is_underpowered(value: float | None, tolerance: float, ratio: bool) -> bool:
    """Whether the smallest detectable gap ``value`` is more than :data:`UNDERPOWERED_FACTOR`
    times the tolerance, both measured from no gap (None: no gap would be shown).

    >>> is_underpowered(0.284, 0.10, False), is_underpowered(0.15, 0.10, False)
    (True, False)
    >>> is_underpowered(0.59, 0.80, True), is_underpowered(None, 0.80, True)
    (True, True)
    """
    if value is None:
        return True
    if ratio:
        return 1 - value > UNDERPOWERED_FACTOR * (1 - tolerance)
    return value > UNDERPOWERED_FACTOR * tolerance


def _pct(x: float) -> str:
    return f"{round(100 * x):g}%"


def _points(x: float) -> str:
    return f"{100 * x:.1f}"


def _level_words(record: Mapping[str, Any]) -> Message:
    """The level the statement is at: one question, or alpha shared among m."""
    level = f"{record['level']:.3g}"
    if record["questions"] <= 1:
        return say("fairness.power.level_one", level=level)
    return say(
        "fairness.power.level_family",
        level=level,
        alpha=f"{record['alpha']:g}",
        m=record["questions"],
    )


def power_sentence(record: Mapping[str, Any]) -> Message:
    """The sentence of a rate finding's smallest detectable gap (``record``: its
    ``details["min_detectable_gap"]``).

    >>> r = {"value": 0.284, "power": 0.8, "level": 0.05 / 7, "alpha": 0.05, "questions": 7,
    ...      "tolerance": 0.1, "scale": "diff"}
    >>> power_sentence(r).en[:70]
    'At this sample size, a gap would have to be at least about 28.4 percen'
    """
    level = _level_words(record)
    power = _pct(record["power"])
    value = record["value"]
    if value is None:
        return say("fairness.power.none", power=power, level=level)
    if record["scale"] == "ratio":
        return say(
            "fairness.power.min_ratio",
            gap=f"{value:.2f}",
            threshold=f"{record['tolerance']:.2f}",
            power=power,
            level=level,
        )
    return say(
        "fairness.power.min_gap",
        gap=_points(value),
        threshold=_points(record["tolerance"]),
        power=power,
        level=level,
    )


class Underpowered(NamedTuple):
    """A ground (or an intersection) whose sample is too small to show a breach of a rate
    check's tolerance."""

    ground: str
    check: str
    #: The smallest gap the sample would show (None: no gap would be, or not compared).
    min_gap: float | None
    tolerance: float | None
    #: "underpowered" (compared, but only a gap far beyond the tolerance would be shown) or
    #: "too_few" (fewer than two groups large enough to compare).
    reason: str


def _findings(result: Any) -> Sequence[Finding]:
    found = getattr(result, "findings", result)
    return list(found)


def underpowered_grounds(result: Any) -> list[Underpowered]:
    """The rate findings whose sample is too small to show a breach of their tolerance.

    ``result`` is an :class:`~szai_audit.AuditResult` or its findings. A rate finding is listed
    when its smallest detectable gap (``details["min_detectable_gap"]``) is underpowered
    (:func:`is_underpowered`: more than :data:`UNDERPOWERED_FACTOR` times the tolerance, or
    none), or when it is INSUFFICIENT_DATA (fewer than two groups large enough). A finding
    that FAILs is not listed: its sample did show the breach.

    Returns
    -------
    list of Underpowered
        In the order of the findings: ``(ground, check, min_gap, tolerance, reason)``.

    Examples
    --------
    >>> from szai_audit.core.findings import Finding, Status
    >>> f = Finding(check="fairness.demographic_parity_difference", article="72(4)",
    ...             status=Status.WARN, message=Message("", ""), value=0.144, threshold=0.1,
    ...             ground="gender", details={"min_detectable_gap": {"value": 0.284,
    ...             "tolerance": 0.1, "underpowered": True}})
    >>> underpowered_grounds([f])[0][:4]
    ('gender', 'fairness.demographic_parity_difference', 0.284, 0.1)
    """
    out: list[Underpowered] = []
    for f in _findings(result):
        if f.check not in RATE_CHECKS or f.ground is None or f.status is Status.FAIL:
            continue
        if f.status is Status.INSUFFICIENT_DATA:
            out.append(Underpowered(f.ground, f.check, None, f.threshold, "too_few"))
            continue
        record = (f.details or {}).get("min_detectable_gap")
        if isinstance(record, Mapping) and record.get("underpowered"):
            out.append(
                Underpowered(
                    f.ground, f.check, record.get("value"), record.get("tolerance"), "underpowered"
                )
            )
    return out


def _item(entry: Underpowered, finding: Finding | None) -> Message:
    """One ground of the page-1 sentence, with the check it is about."""
    check = title(entry.check, finding.details if finding is not None else None)
    ground = ground_label(entry.ground)
    if entry.reason == "too_few":
        return say("fairness.power.item_too_few", ground=ground)
    if entry.min_gap is None:
        return say("fairness.power.item_none", ground=ground, check=check, power=_pct(POWER))
    if entry.check == SELECTION_RATIO.id:
        return say(
            "fairness.power.item_ratio",
            ground=ground,
            check=check,
            gap=f"{entry.min_gap:.2f}",
            threshold=f"{entry.tolerance:.2f}",
            power=_pct(POWER),
        )
    return say(
        "fairness.power.item_gap",
        ground=ground,
        check=check,
        gap=_points(entry.min_gap),
        threshold=_points(entry.tolerance or 0.0),
        power=_pct(POWER),
    )


def underpowered_message(result: Any, *, intersections: bool = False) -> Message | None:
    """The page-1 sentence listing the grounds whose sample is too small to show a breach of
    the tolerance (:func:`underpowered_grounds`), one item per ground (its first such check,
    the approval-rate difference first); None when there is none. Intersections of grounds
    are counted, not listed, unless ``intersections``.

    Examples
    --------
    >>> from szai_audit.core.findings import Finding, Status
    >>> f = Finding(check="fairness.demographic_parity_difference", article="72(4)",
    ...             status=Status.WARN, message=Message("", ""), value=0.144, threshold=0.1,
    ...             ground="gender", details={"min_detectable_gap": {"value": 0.284,
    ...             "tolerance": 0.1, "underpowered": True}})
    >>> underpowered_message([f]).en[:68]
    'Attributes on which the sample is too small to show a gap beyond the'
    """
    findings = _findings(result)
    entries = underpowered_grounds(findings)
    if not entries:
        return None
    first_check = {c: i for i, c in enumerate(_ORDER)}
    by_ground: dict[str, Underpowered] = {}
    for e in sorted(entries, key=lambda e: first_check.get(e.check, len(_ORDER))):
        by_ground.setdefault(e.ground, e)
    shown = [e for e in by_ground.values() if intersections or INTERSECTION_SEP not in e.ground]
    hidden = len(by_ground) - len(shown)
    order = {g: i for i, g in enumerate(dict.fromkeys(e.ground for e in entries))}
    shown.sort(key=lambda e: order[e.ground])
    lookup = {(f.ground, f.check): f for f in findings}
    items = [_item(e, lookup.get((e.ground, e.check))) for e in shown]
    if hidden:
        items.append(say("fairness.power.item_intersections", n=hidden))
    return say("fairness.power.underpowered", items=listing(items, sep_zh="；", sep_en="; "))


#: The check a ground's page-1 item names, when several of its rate checks are listed.
_ORDER: tuple[str, ...] = (
    "fairness.demographic_parity_difference",
    SELECTION_RATIO.id,
    "fairness.true_positive_rate_difference",
    "fairness.false_positive_rate_difference",
)
