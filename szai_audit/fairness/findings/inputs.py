"""Art. 72(2)(iv) findings on the model's inputs: proxies and the counterfactual flip test."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from ...core.findings import Finding, Status
from ...core.judging import Measured, Verdict, normal_comparison
from ...core.messages import Message, listing
from ...core.models import Repeat
from ...core.policy import Policy
from .. import words
from ..checks import ARTICLE, FLIP, PROXY, SELECTION_RATE, SELECTION_RATIO
from ..counterfactual import MAX_TARGETS, FlipResult
from ..proxies import ALL_FEATURES_MAX_GROUPS, MAX_GROUPS, ProxyReport, proxies_of, stand_in
from ..words import Labels

#: Proxies listed in a message (the table in the report lists more).
MAX_LISTED = 3

#: How the comparison of every input together is named.
ALL_INPUTS = "(all inputs)"


def proxy_finding(
    report: ProxyReport | None, ground: str, policy: Policy, labels: Labels = None
) -> Finding | Measured:
    """How well each input, and every input together, predict the attribute: each AUC
    (cross-validated, with its DeLong interval) against its limit (``proxy_auc_threshold``,
    ``proxy_all_features_auc_threshold``), by the decision rule with the one-sided test of
    ``H0: AUC <= limit``. Informative: a proxy is not discrimination by itself, so the check
    is WARN at worst (PASS when every interval lies below its limit). Inputs go by their
    ``labels`` names; one that all but equals the attribute (``stand_in``) is said to be so.
    The message names the ground's proxies by the audit's one rule
    (:func:`~szai_audit.fairness.proxies.proxies_of`: AUC at least the limit), and
    ``details["proxies"]`` lists them: the inputs every other finding, action, notice and
    filing calls proxies."""
    unmeasured = _proxy_unmeasured(report, ground)
    if unmeasured is not None or report is None:
        assert unmeasured is not None
        return unmeasured
    table = report.features
    perfect = stand_in(report)
    threshold, level = policy.proxy_auc_threshold, policy.confidence_level
    named = proxies_of(report, threshold)
    all_threshold = policy.proxy_all_features_auc_threshold
    comparisons = [
        normal_comparison(
            str(name),
            "",
            float(row["auc"]),
            float(row["auc_se"]),
            threshold=threshold,
            direction="below",
            level=level,
            no_gap=0.5,
            method="delong_z (cross-validated lookup table)",
            extra={"input": str(name)},
        )
        for name, row in table.iterrows()
    ]
    if math.isfinite(report.all_features_auc):
        together = normal_comparison(
            ALL_INPUTS,
            "",
            report.all_features_auc,
            report.all_features_auc_se,
            threshold=all_threshold,
            direction="below",
            level=level,
            no_gap=0.5,
            method="delong_z (cross-validated gradient boosting)",
        )
        comparisons.append(replace(together, threshold=all_threshold))

    def message(verdict: Verdict) -> Message:
        said = words.msg_proxy(
            ground,
            verdict,
            threshold=threshold,
            all_threshold=all_threshold,
            level=level,
            listed=MAX_LISTED,
            together=ALL_INPUTS,
            labels=labels,
            stand_in=perfect,
            proxies=named,
        )
        return _noted(said, _proxy_notes(report, ground))

    return Measured(
        check=PROXY.id,
        article=ARTICLE,
        ground=ground,
        threshold=threshold,
        direction="below",
        comparisons=comparisons,
        message=message,
        details={**_proxy_details(report, perfect, all_threshold), "proxies": named},
        informative=True,
        names_groups=False,
    )


def _proxy_notes(report: ProxyReport, ground: str) -> list[Message]:
    """What the proxy analysis did not compute: the groups taken together as one, the model
    of all inputs together."""
    notes = []
    if report.lumped:
        kept, lumped = MAX_GROUPS - 1, len(report.lumped)
        notes.append(
            words.msg_proxy_lumped(ground, report.n_groups, kept, lumped, report.lumped_rows)
        )
    if report.all_features_capped:
        notes.append(
            words.msg_proxy_all_inputs_capped(ground, report.n_groups, ALL_FEATURES_MAX_GROUPS)
        )
    return notes


def _proxy_details(
    report: ProxyReport, perfect: tuple[str, float] | None, all_threshold: float
) -> dict[str, Any]:
    """The proxy finding's details: the top input, a stand-in, the all-inputs AUC (and, when
    it was not computed for too many groups, why)."""
    capped: dict[str, Any] = (
        {"all_features_not_computed": {"groups": report.n_groups,
                                       "max_groups": ALL_FEATURES_MAX_GROUPS}}
        if report.all_features_capped
        else {}
    )  # fmt: skip
    if report.lumped:  # the groups beyond the largest, taken together as one: counted, not
        # named (a small group's value appears only under its stand-in, in the group table)
        capped["lumped"] = {"groups": len(report.lumped), "rows": report.lumped_rows}
    return {
        "top_feature": str(report.features.index[0]),
        "stand_in": None if perfect is None else {"input": perfect[0], "auc": perfect[1]},
        "all_features_auc": None
        if math.isnan(report.all_features_auc)
        else report.all_features_auc,
        "all_features_threshold": all_threshold,
        "rows_used": report.n_rows,
        "left_out": report.left_out,
        **capped,
    }


def _proxy_unmeasured(report: ProxyReport | None, ground: str) -> Finding | None:
    """The proxy finding when nothing could be measured: no data, too few rows, no inputs."""
    if report is None:
        status, message, details = Status.NOT_ASSESSED, words.msg_proxy_no_data(ground), {}
    elif report.features.empty and report.n_classes < 2:
        status = Status.INSUFFICIENT_DATA
        message = words.msg_proxy_too_few(ground, report.left_out)
        details = {"left_out": report.left_out}
    elif report.features.empty:
        status, message, details = Status.NOT_ASSESSED, words.msg_proxy_no_features(ground), {}
    else:
        return None
    return Finding(
        check=PROXY.id,
        article=ARTICLE,
        status=status,
        message=message,
        ground=ground,
        details=details,
    )


def _flip_notes(result: FlipResult, ground: str) -> list[Message]:
    """What the flip test did not try: the values of the groups beyond the largest."""
    if not result.not_tried:
        return []
    return [words.msg_flip_not_tried(ground, MAX_TARGETS, len(result.not_tried))]


def _flip_worst(top: Any) -> str:
    """The group a failing flip shows worse off: rows of "from" that lose the favourable
    decision when given "to"'s value show "to" treated worse; rows that gain it, "from"."""
    if top["to_unfavourable"] > top["to_favourable"]:
        return str(top["to_group"])
    return str(top["from_group"])


def _noted(message: Message, notes: list[Message]) -> Message:
    """``message`` followed by ``notes`` (what was not computed), if any."""
    return message.join(listing(notes, "", " ")) if notes else message


def _flip_not_tried(result: FlipResult) -> dict[str, Any]:
    return {"values_not_tried": list(result.not_tried)} if result.not_tried else {}


def flip_not_assessed(ground: str, reason: str, repeat: Repeat | None = None) -> Finding:
    """The flip test cannot run: ``reason`` is ``"no_model"``, ``"not_input"`` or
    ``"unrepeatable"`` (the model gave other outputs when called twice on the same rows,
    ``repeat``, recorded in the details)."""
    return Finding(
        check=FLIP.id,
        article=ARTICLE,
        status=Status.NOT_ASSESSED,
        message=words.msg_flip_not_assessed(ground, reason, repeat),
        ground=ground,
        details=repeat.details() if reason == "unrepeatable" and repeat is not None else {},
    )


def _flip_status(failed: bool, perfect: tuple[str, float] | None) -> Status:
    """FAIL beyond the tolerance; NEEDS_REVIEW for a pass when an input all but equals the
    attribute (the test changed only the attribute's own column, not its stand-in)."""
    if failed:
        return Status.FAIL
    return Status.PASS if perfect is None else Status.NEEDS_REVIEW


def _number(value: Any) -> float | None:
    """A float, None for NaN (a flip's directions for fewer than ``policy.k_anonymity``
    people, which would tell their decisions)."""
    return None if np.isnan(float(value)) else float(value)


def flip_finding(
    result: FlipResult,
    ground: str,
    policy: Policy,
    numeric: bool = False,
    change_rtol: float = 0.0,
    outputs: Message | None = None,
    proxy: ProxyReport | None = None,
    labels: Labels = None,
    amount: Callable[[float], Message] | None = None,
) -> Finding:
    """FAIL when changing only the attribute changes more decisions than the tolerance
    (``amount`` writes the mean change of a numeric output with its unit).

    Within the tolerance the result is PASS, unless ``proxy`` (the ground's proxy report)
    shows a single input that all but equals the attribute (a perfect proxy, cross-validated
    AUC of at least :data:`~szai_audit.fairness.proxies.PERFECT_PROXY_AUC`, named by its
    display name from ``labels``): then NEEDS_REVIEW. Not WARN, which says that a measured
    gap may lie beyond the tolerance: here nothing was measured about the stand-in, whose
    values the test kept, so the test cannot show whether the model treats people
    differently by the attribute (when the model does not use the attribute's own column, a
    pass is certain by construction). A person must judge (flip the stand-in too, or weigh
    the reason for using it)."""
    pairs = result.pairs
    tolerance = policy.flip_tolerance
    if pairs.empty:
        return flip_not_assessed(ground, "not_input")
    top = pairs.loc[pairs["changed"].idxmax()]
    value = float(top["changed"])
    failed = value > tolerance + 1e-12
    shift = float(top["mean_score_change"])
    perfect = stand_in(proxy)
    message = words.msg_flip(
        ground,
        source=str(top["from_group"]),
        target=str(top["to_group"]),
        changed=value,
        to_favourable=float(top["to_favourable"]),
        to_unfavourable=float(top["to_unfavourable"]),
        score_change=None if np.isnan(shift) else shift,
        tolerance=tolerance,
        n_rows=int(top["n"]),
        failed=failed,
        numeric=numeric,
        change_rtol=change_rtol,
        outputs=outputs,
        stand_in=None if perfect is None else words.msg_stand_in(ground, *perfect, labels),
        amount=amount,
    )
    n = int(top["n"])
    if not numeric and n < policy.min_group_size:
        message = message.join(words.msg_flip_few_people(ground, n, policy.min_group_size))
    return Finding(
        check=FLIP.id,
        article=ARTICLE,
        status=_flip_status(failed, perfect),
        message=_noted(message, _flip_notes(result, ground)),
        value=value,
        threshold=tolerance,
        ground=ground,
        worst_group=_flip_worst(top) if failed else None,
        details={
            "from_group": str(top["from_group"]),
            "to_group": str(top["to_group"]),
            "to_favourable": _number(top["to_favourable"]),
            "to_unfavourable": _number(top["to_unfavourable"]),
            "mean_score_change": None if np.isnan(shift) else shift,
            "rows_tested": result.n_rows,
            "change_rtol": change_rtol,
            "n": int(top["n"]),
            "by_group": {str(g): float(v) for g, v in result.by_group["changed"].items()},
            "stand_in": None if perfect is None else {"input": perfect[0], "auc": perfect[1]},
            **_flip_not_tried(result),
        },
    )


#: The rate checks whose too-small findings say why the flip test could still decide.
_RATE_CHECKS = (SELECTION_RATIO.id, SELECTION_RATE.id)


def with_flip_notes(findings: Sequence[Finding]) -> list[Finding]:
    """``findings`` with, after the message of each approval-rate finding too small to judge
    (INSUFFICIENT_DATA) whose ground's flip test reached a result (PASS or FAIL), why the
    flip test could decide where the rate could not: it changes only the attribute on every
    row and asks the model again (a property of the model), while a rate comparison needs
    enough people in each group."""
    decided = {
        f.ground for f in findings if f.check == FLIP.id and f.status in (Status.PASS, Status.FAIL)
    }
    out = []
    for f in findings:
        if f.check in _RATE_CHECKS and f.status is Status.INSUFFICIENT_DATA and f.ground in decided:
            f = replace(f, message=f.message.join(words.msg_flip_decides(str(f.ground))))
        out.append(f)
    return out
