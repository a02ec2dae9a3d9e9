"""The sentences of ex-post tracking (Art. 66(2)), in Chinese and English: the labels of a
comparison's rows (direction, drift reasons, resolution, origin of a failure), the verdicts, and
the drift rule."""

from __future__ import annotations

from ...core.catalog import say
from ...core.findings import STATUS_LABELS
from ...core.messages import Message

__all__ = ["DIRECTIONS", "ORIGINS", "REASONS", "RESOLUTIONS", "VERDICT_LABELS", "drift_rule"]

#: A drifted finding's direction, by its code in ``Comparison.changes["direction"]``.
DIRECTIONS = {
    "worse": say("risk.directions.worse"),
    "better": say("risk.directions.better"),
    "same": say("risk.directions.same"),
}
#: The rules that made a finding drift, by their code in ``drift_reason``.
REASONS = {
    "status": say("risk.reasons.status"),
    "size": say("risk.reasons.size"),
    "crossed": say("risk.reasons.crossed"),
}
#: How a finding was resolved, by its code in ``Comparison.resolved["resolution"]``.
RESOLUTIONS = {
    "now_pass": say("risk.resolutions.now_pass"),
    "absent": say("risk.resolutions.absent"),
}
#: Where a new failure came from, by its code in ``Comparison.appeared_failures["origin"]``.
ORIGINS = {
    "changed": say("risk.origins.changed"),
    "new": say("risk.origins.new"),
}
#: The overall result of an audit, by its verdict, in words.
VERDICT_LABELS = {
    "FAIL": STATUS_LABELS["FAIL"],
    "WARN": STATUS_LABELS["WARN"],
    "PASS": STATUS_LABELS["PASS"],
    "INCOMPLETE": say("risk.verdict_labels.incomplete"),
}


def drift_rule(tolerance: float) -> Message:
    """The drift rule in words, as :func:`szai_audit.risk.tracking.compare` applies it.

    Parameters
    ----------
    tolerance : float
        The comparison's ``drift_tolerance``, written with ``:g``.

    Returns
    -------
    Message
    """
    tol = f"{tolerance:g}"
    return say("risk.drift_rule.drift_rule_finding_present", tol=tol)
