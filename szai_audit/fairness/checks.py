"""The Art. 72(2)(iv) checks, declared once (see :mod:`szai_audit.core.checks`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.articles import DISCRIMINATION
from ..core.checks import Check, register
from ..core.messages import Message

__all__ = [
    "ARTICLE",
    "AUC",
    "CALIBRATION",
    "CONDITIONAL",
    "DIFFERENCE_CHECKS",
    "FALSE_POSITIVE_RATE",
    "FLIP",
    "GROUND_NOT_PROVIDED",
    "INTERSECTION_NOT_ASSESSED",
    "MAE_RATIO",
    "MEAN_PREDICTION_RATIO",
    "MEAN_RESIDUAL",
    "MEAN_TREND",
    "PROXY",
    "RATE_CHECKS",
    "RECOURSE_COST",
    "RECOURSE_SHARE",
    "SELECTION_RATE",
    "SELECTION_RATIO",
    "TREND",
    "TRUE_POSITIVE_RATE",
]

#: The article these checks evidence: no discrimination by race, gender, nationality,
#: ethnicity, religious belief and the like.
ARTICLE = DISCRIMINATION

_RATES = "szai_audit.fairness.findings.rates:assess_table"
_REGRESSION = "szai_audit.fairness.findings.regression:assess_regression_table"
_SCORES = "szai_audit.fairness.findings.scores:score_findings"
_INPUTS = "szai_audit.fairness.findings.inputs"
_GROUNDS = "szai_audit.fairness.findings.grounds"


def _favourable_is_negative(details: Mapping[str, Any]) -> bool:
    return details.get("favorable_is_positive") is False


def _tpr_title(details: Mapping[str, Any]) -> Message | None:
    """With the favourable label negative, the true-positive rate counts unfavourable
    decisions among people whose outcome was the unfavourable one."""
    if not _favourable_is_negative(details):
        return None
    return Message(
        "真阳性率差异（实际结果不利者得到不利决定的比例）",
        "True-positive-rate difference (unfavourable decisions among people with the "
        "unfavourable outcome)",
    )


def _fpr_title(details: Mapping[str, Any]) -> Message | None:
    """With the favourable label negative, the false-positive rate is equal opportunity:
    unfavourable decisions for people whose outcome was the favourable one."""
    if not _favourable_is_negative(details):
        return None
    return Message(
        "假阳性率差异（机会均等：实际结果有利者却得到不利决定的比例）",
        "False-positive-rate difference (equal opportunity: unfavourable decisions for people "
        "with the favourable outcome)",
    )


SELECTION_RATIO = register(
    Check(
        "fairness.selection_rate_ratio",
        ARTICLE,
        Message("批准率之比（五分之四规则）", "Approval-rate ratio (four-fifths rule)"),
        unit="ratio",
        direction="at_least",
        computed_by=_RATES,
        minimum="rate",
    )
)
SELECTION_RATE = register(
    Check(
        "fairness.demographic_parity_difference",
        ARTICLE,
        Message("批准率差异（人口均等）", "Approval-rate difference (demographic parity)"),
        computed_by=_RATES,
        minimum="rate",
    )
)
TRUE_POSITIVE_RATE = register(
    Check(
        "fairness.true_positive_rate_difference",
        ARTICLE,
        Message("真阳性率差异（机会均等）", "True-positive-rate difference (equal opportunity)"),
        computed_by=_RATES,
        minimum="rate",
        title_for=_tpr_title,
    )
)
FALSE_POSITIVE_RATE = register(
    Check(
        "fairness.false_positive_rate_difference",
        ARTICLE,
        Message("假阳性率差异", "False-positive-rate difference"),
        computed_by=_RATES,
        minimum="rate",
        title_for=_fpr_title,
    )
)
AUC = register(
    Check(
        "fairness.auc_difference",
        ARTICLE,
        Message("排序准确度差异（AUC）", "Ranking-accuracy difference (AUC)"),
        unit="auc",
        computed_by=_SCORES,
        minimum="both_outcomes",
    )
)
CALIBRATION = register(
    Check(
        "fairness.calibration_difference",
        ARTICLE,
        Message(
            "校准差异（同分不同果）", "Calibration difference (same score, different outcomes)"
        ),
        computed_by=_SCORES,
        minimum="people",
    )
)
PROXY = register(
    Check(
        "fairness.proxy",
        ARTICLE,
        Message("代理变量", "Proxy features"),
        unit="proxy_auc",
        direction="below",
        computed_by=f"{_INPUTS}:proxy_finding",
        minimum="sample",
    )
)
FLIP = register(
    Check(
        "fairness.counterfactual_flip",
        ARTICLE,
        Message("翻转检验（只改变该属性）", "Flip test (changing only the attribute)"),
        unit="percent",
        computed_by=f"{_INPUTS}:flip_finding",
        minimum="sample",
    )
)
_RECOURSE = "szai_audit.fairness.findings.recourse:recourse_findings"
RECOURSE_SHARE = register(
    Check(
        "fairness.recourse_share",
        ARTICLE,
        Message("不利决定后可获有利决定的比例", "Refused people with recourse"),
        computed_by=_RECOURSE,
        minimum="refused",
    )
)
RECOURSE_COST = register(
    Check(
        "fairness.recourse_cost_ratio",
        ARTICLE,
        Message("获得有利决定所需改变（中位数之比）", "Change needed for approval (median ratio)"),
        unit="ratio",
        direction="at_least",
        computed_by=_RECOURSE,
        minimum="recourse",
    )
)
CONDITIONAL = register(
    Check(
        "fairness.conditional_gap",
        ARTICLE,
        Message("控制正当因素后的差异", "Gap after legitimate factors"),
        computed_by="szai_audit.fairness.findings.conditional:conditional_finding",
        minimum="covered",
    )
)
MEAN_PREDICTION_RATIO = register(
    Check(
        "fairness.mean_prediction_ratio",
        ARTICLE,
        Message("平均预测值之比", "Mean-prediction ratio"),
        unit="ratio",
        direction="at_least",
        computed_by=_REGRESSION,
        minimum="people",
    )
)
MEAN_RESIDUAL = register(
    Check(
        "fairness.mean_residual_difference",
        ARTICLE,
        Message("预测偏差差异", "Prediction-bias difference"),
        unit="percent",
        computed_by=_REGRESSION,
        minimum="people",
    )
)
MAE_RATIO = register(
    Check(
        "fairness.mae_ratio",
        ARTICLE,
        Message("预测误差之比", "Prediction-error ratio"),
        unit="ratio",
        direction="at_least",
        computed_by=_REGRESSION,
        minimum="people",
    )
)
TREND = register(
    Check(
        "fairness.trend",
        ARTICLE,
        Message("沿数值的趋势（批准率）", "Trend along a numeric attribute (approval rate)"),
        computed_by="szai_audit.fairness.findings.trend:trend_finding",
        minimum="trend",
    )
)
MEAN_TREND = register(
    Check(
        "fairness.mean_prediction_trend",
        ARTICLE,
        Message("沿数值的趋势（平均预测值）", "Trend along a numeric attribute (mean prediction)"),
        unit="ratio",
        direction="at_least",
        computed_by="szai_audit.fairness.findings.trend:trend_finding",
        minimum="trend",
    )
)
GROUND_NOT_PROVIDED = register(
    Check(
        "fairness.ground_not_provided",
        ARTICLE,
        Message("未提供的歧视事由", "Ground not provided"),
        unit="none",
        direction="none",
        computed_by=f"{_GROUNDS}:ground_not_provided",
        minimum="none",
    )
)
INTERSECTION_NOT_ASSESSED = register(
    Check(
        "fairness.intersection_not_assessed",
        ARTICLE,
        Message("交叉组合未评估", "Intersection not assessed"),
        unit="none",
        direction="none",
        computed_by=f"{_GROUNDS}:intersection_too_large",
        minimum="none",
    )
)

#: The difference checks of decision rates: check -> (metric, the Policy field of its tolerance).
DIFFERENCE_CHECKS: dict[str, tuple[str, str]] = {
    SELECTION_RATE.id: ("selection_rate", "demographic_parity_max"),
    TRUE_POSITIVE_RATE.id: ("true_positive_rate", "true_positive_rate_difference_max"),
    FALSE_POSITIVE_RATE.id: ("false_positive_rate", "false_positive_rate_difference_max"),
}

#: The checks on decision rates (a FAIL on one of them asks what a fix would cost).
RATE_CHECKS: tuple[str, ...] = (SELECTION_RATIO.id, *DIFFERENCE_CHECKS)
