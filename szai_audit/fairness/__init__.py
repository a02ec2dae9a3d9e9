"""Art. 72(2)(iv): no discrimination by race, gender, nationality, ethnicity, religious belief
and the like.

The numbers, each usable alone:

* :mod:`.metrics`: group metrics of binary decisions from per-group cell counts
  (:func:`group_metrics`, :class:`GroupMetrics`), with bootstrap intervals and tests;
* :mod:`.scores`: ranking quality (AUC) and calibration by group;
* :mod:`.regression`: numeric outputs (mean prediction, bias, error) by group;
* :mod:`.proxies`: which inputs reveal a protected attribute;
* :mod:`.counterfactual`: the flip test (does changing only the attribute change the decision?);
* :mod:`.conditional`: the gap left after legitimate factors;
* :mod:`.mitigation`: what a fix by group thresholds would cost;
* :mod:`.power`: the smallest gap a rate finding could show, the grounds whose sample is too
  small to show a breach of the tolerance.

Then the findings (:mod:`.findings`), the sentences (:mod:`.words`), the report's part
(:mod:`.page`, :mod:`.charts`), the JSON parts (:mod:`.serialize`), everything an audit measured in
one object (:class:`FairnessAnalysis`, :mod:`.analysis`: ``AuditResult.fairness``), and the
checks' declarations (:mod:`.checks`).
"""

from __future__ import annotations

from . import (
    analysis,
    charts,
    checks,
    conditional,
    counterfactual,
    findings,
    metrics,
    mitigation,
    page,
    power,
    proxies,
    regression,
    scores,
    serialize,
    words,
)
from .analysis import FairnessAnalysis
from .metrics import (
    COUNT_COLUMNS,
    DENOMINATOR,
    METRICS,
    OUTCOME_METRICS,
    PROPORTION_METRICS,
    RATE_METRICS,
    GroupMetrics,
    counts_by_group,
    counts_from_cells,
    group_metrics,
    rates_from_counts,
)

__all__ = [
    "COUNT_COLUMNS",
    "DENOMINATOR",
    "METRICS",
    "OUTCOME_METRICS",
    "PROPORTION_METRICS",
    "RATE_METRICS",
    "FairnessAnalysis",
    "GroupMetrics",
    "analysis",
    "charts",
    "checks",
    "conditional",
    "counterfactual",
    "counts_by_group",
    "counts_from_cells",
    "findings",
    "group_metrics",
    "metrics",
    "mitigation",
    "page",
    "power",
    "proxies",
    "rates_from_counts",
    "regression",
    "scores",
    "serialize",
    "words",
]
