"""The sentences of ex-post tracking (Art. 66(2)), in Chinese and English: the labels of a
comparison's rows (direction, drift reasons, resolution, origin of a failure), the verdicts, and
the drift rule."""

from __future__ import annotations

from ...core.findings import STATUS_LABELS
from ...core.messages import Message

__all__ = ["DIRECTIONS", "ORIGINS", "REASONS", "RESOLUTIONS", "VERDICT_LABELS", "drift_rule"]

#: A drifted finding's direction, by its code in ``Comparison.changes["direction"]``.
DIRECTIONS = {
    "worse": Message("变差", "Worse"),
    "better": Message("改善", "Better"),
    "same": Message("状态未变", "Status unchanged"),
}
#: The rules that made a finding drift, by their code in ``drift_reason``.
REASONS = {
    "status": Message("状态变严重", "status more severe"),
    "size": Message("数值变化超过容许幅度", "value changed beyond tolerance"),
    "crossed": Message("数值越过阈值", "value crossed its threshold"),
}
#: How a finding was resolved, by its code in ``Comparison.resolved["resolution"]``.
RESOLUTIONS = {
    "now_pass": Message("现已通过", "Now passes"),
    "absent": Message("本次审计中已无此项", "Absent from the current audit"),
}
#: Where a new failure came from, by its code in ``Comparison.appeared_failures["origin"]``.
ORIGINS = {
    "changed": Message("原有检查项转为不通过", "Existing check turned to Fail"),
    "new": Message("新增检查项即为不通过", "New check, failing"),
}
#: The overall result of an audit, by its verdict, in words.
VERDICT_LABELS = {
    "FAIL": STATUS_LABELS["FAIL"],
    "WARN": STATUS_LABELS["WARN"],
    "PASS": STATUS_LABELS["PASS"],
    "INCOMPLETE": Message("未完成", "Incomplete"),
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
    return Message(
        "漂移规则：两次审计中均有的检查项，若状态变得更严重；或两次数值均有效且变化量的绝对值"
        f"大于 {tol} × max(|阈值|, 0.01)；或数值越过阈值，即视为发生漂移。"
        "方向按状态严重程度判断：状态变严重为“变差”，变轻为“改善”，否则为“状态未变”。",
        "Drift rule: a finding present in both audits drifts when its status got more severe, "
        f"or both values are finite and |change| > {tol} × max(|threshold|, 0.01), or the "
        "value moved across its threshold. Direction follows the status: more severe is "
        "worse, less severe is better, otherwise the status is unchanged.",
    )
