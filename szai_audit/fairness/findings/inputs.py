"""Article 72(4) findings on the model's inputs: proxies and the counterfactual flip test."""

from __future__ import annotations

import math

import numpy as np

from ...core.findings import Finding, Status
from ...core.messages import Message
from ...core.policy import Policy
from .. import words
from ..checks import ARTICLE, FLIP, PROXY
from ..counterfactual import FlipResult
from ..proxies import ProxyReport

#: Proxies listed in a message (the table in the report lists more).
MAX_LISTED = 3


def proxy_finding(report: ProxyReport | None, ground: str, policy: Policy) -> Finding:
    """WARN when a feature, or all features together, predict the attribute too well."""
    if report is None:
        return Finding(
            check=PROXY.id,
            article=ARTICLE,
            status=Status.NOT_ASSESSED,
            message=words.msg_proxy_no_data(ground),
            ground=ground,
        )
    table = report.features
    if table.empty and report.n_classes < 2:
        return Finding(
            check=PROXY.id,
            article=ARTICLE,
            status=Status.INSUFFICIENT_DATA,
            message=words.msg_proxy_too_few(ground, report.left_out),
            ground=ground,
            details={"left_out": report.left_out},
        )
    if table.empty:
        return Finding(
            check=PROXY.id,
            article=ARTICLE,
            status=Status.NOT_ASSESSED,
            message=words.msg_proxy_no_features(ground),
            ground=ground,
        )
    threshold = policy.proxy_auc_threshold
    beyond_chance = table["auc_low"].isna() | (table["auc_low"] > 0.5)
    flagged = table[(table["auc"] >= threshold) & beyond_chance]
    all_auc = report.all_features_auc
    all_flag = not math.isnan(all_auc) and all_auc >= policy.proxy_all_features_auc_threshold
    top_name = str(table.index[0])
    top_auc = float(table["auc"].iloc[0])
    listed = {str(k): float(v) for k, v in flagged["auc"].head(MAX_LISTED).items()}
    warn = bool(len(flagged)) or all_flag
    return Finding(
        check=PROXY.id,
        article=ARTICLE,
        status=Status.WARN if warn else Status.PASS,
        message=words.msg_proxy(
            ground,
            listed=listed,
            top=(top_name, top_auc),
            all_auc=all_auc,
            threshold=threshold,
            all_threshold=policy.proxy_all_features_auc_threshold,
            warn=warn,
        ),
        value=top_auc,
        threshold=threshold,
        ground=ground,
        details={
            "top_feature": top_name,
            "flagged": {str(k): float(v) for k, v in flagged["auc"].items()},
            "all_features_auc": None if math.isnan(all_auc) else all_auc,
            "all_features_threshold": policy.proxy_all_features_auc_threshold,
            "rows_used": report.n_rows,
            "left_out": report.left_out,
        },
    )


def flip_not_assessed(ground: str, reason: str) -> Finding:
    """The flip test cannot run: ``reason`` is ``"no_model"`` or ``"not_input"``."""
    return Finding(
        check=FLIP.id,
        article=ARTICLE,
        status=Status.NOT_ASSESSED,
        message=words.msg_flip_not_assessed(ground, reason),
        ground=ground,
    )


def flip_finding(
    result: FlipResult,
    ground: str,
    policy: Policy,
    numeric: bool = False,
    change_rtol: float = 0.0,
    outputs: Message | None = None,
) -> Finding:
    """FAIL when changing only the attribute changes more decisions than the tolerance."""
    pairs = result.pairs
    tolerance = policy.flip_tolerance
    if pairs.empty:
        return flip_not_assessed(ground, "not_input")
    top = pairs.loc[pairs["changed"].idxmax()]
    value = float(top["changed"])
    failed = value > tolerance + 1e-12
    shift = float(top["mean_score_change"])
    return Finding(
        check=FLIP.id,
        article=ARTICLE,
        status=Status.FAIL if failed else Status.PASS,
        message=words.msg_flip(
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
        ),
        value=value,
        threshold=tolerance,
        ground=ground,
        # Rows of "from" that lose the favourable decision when given "to"'s value show "to"
        # treated worse; rows that gain it show "from" treated worse.
        worst_group=(
            (
                str(top["to_group"])
                if top["to_unfavourable"] > top["to_favourable"]
                else str(top["from_group"])
            )
            if failed
            else None
        ),
        details={
            "from_group": str(top["from_group"]),
            "to_group": str(top["to_group"]),
            "to_favourable": float(top["to_favourable"]),
            "to_unfavourable": float(top["to_unfavourable"]),
            "mean_score_change": None if np.isnan(shift) else shift,
            "rows_tested": result.n_rows,
            "change_rtol": change_rtol,
            "n": int(top["n"]),
            "by_group": {str(g): float(v) for g, v in result.by_group["changed"].items()},
        },
    )
