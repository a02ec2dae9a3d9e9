"""The Art. 72(2)(iv) checks, declared once (see :mod:`szai_audit.core.checks`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.articles import DISCRIMINATION
from ..core.catalog import say
from ..core.checks import Check, register
from ..core.messages import Message
from .words import favorable_name_of, rate_in_sentence, rate_name

__all__ = [
    "ARTICLE",
    "AUC",
    "CALIBRATION",
    "CONDITIONAL",
    "DIFFERENCE_CHECKS",
    "ERROR_RATE_CHECKS",
    "FALSE_POSITIVE_RATE",
    "FLIP",
    "GROUND_NOT_PROVIDED",
    "INTERSECTION_NOT_ASSESSED",
    "MAE_RATIO",
    "MEAN_CONDITIONAL",
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
    "TURNED",
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
    return say("fairness.tpr_title.true_positive_rate_difference")


def _fpr_title(details: Mapping[str, Any]) -> Message | None:
    """With the favourable label negative, the false-positive rate is equal opportunity:
    unfavourable decisions for people whose outcome was the favourable one."""
    if not _favourable_is_negative(details):
        return None
    return say("fairness.fpr_title.false_positive_rate_difference")


def _ratio_title(details: Mapping[str, Any]) -> Message | None:
    """The ratio's title with the favourable decision's name, when the audit gave one."""
    name = favorable_name_of(details)
    if name is None:
        return None
    return say("fairness.selection_ratio.approval_rate_ratio_four", rate=rate_name(name))


def _parity_title(details: Mapping[str, Any]) -> Message | None:
    """The parity difference's title with the favourable decision's name, when given."""
    name = favorable_name_of(details)
    if name is None:
        return None
    return say("fairness.selection_rate.approval_rate_difference_demographic", rate=rate_name(name))


def _trend_title(details: Mapping[str, Any]) -> Message | None:
    """The trend's title with the favourable decision's name, when given."""
    name = favorable_name_of(details)
    if name is None:
        return None
    return say("fairness.trend.trend_along_numeric_attribute", rate=rate_in_sentence(name))


SELECTION_RATIO = register(
    Check(
        "fairness.selection_rate_ratio",
        ARTICLE,
        say("fairness.selection_ratio.approval_rate_ratio_four", rate=rate_name()),
        unit="ratio",
        direction="at_least",
        computed_by=_RATES,
        minimum="rate",
        title_for=_ratio_title,
    )
)
SELECTION_RATE = register(
    Check(
        "fairness.demographic_parity_difference",
        ARTICLE,
        say("fairness.selection_rate.approval_rate_difference_demographic", rate=rate_name()),
        computed_by=_RATES,
        minimum="rate",
        title_for=_parity_title,
    )
)
TRUE_POSITIVE_RATE = register(
    Check(
        "fairness.true_positive_rate_difference",
        ARTICLE,
        say("fairness.true_positive_rate.true_positive_rate_difference"),
        computed_by=_RATES,
        minimum="rate",
        title_for=_tpr_title,
        outcomes=True,
    )
)
FALSE_POSITIVE_RATE = register(
    Check(
        "fairness.false_positive_rate_difference",
        ARTICLE,
        say("fairness.false_positive_rate.false_positive_rate_difference"),
        computed_by=_RATES,
        minimum="rate",
        title_for=_fpr_title,
        outcomes=True,
    )
)
AUC = register(
    Check(
        "fairness.auc_difference",
        ARTICLE,
        say("fairness.auc.ranking_accuracy_difference_auc"),
        unit="auc",
        computed_by=_SCORES,
        minimum="both_outcomes",
        outcomes=True,
    )
)
CALIBRATION = register(
    Check(
        "fairness.calibration_difference",
        ARTICLE,
        say("fairness.calibration.calibration_difference_mean_offset"),
        computed_by=_SCORES,
        minimum="people",
        outcomes=True,
    )
)
PROXY = register(
    Check(
        "fairness.proxy",
        ARTICLE,
        say("fairness.proxy.proxy_features"),
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
        say("fairness.flip.flip_test_changing_only"),
        unit="percent",
        computed_by=f"{_INPUTS}:flip_finding",
        minimum="sample",
    )
)
TURNED = register(
    Check(
        "fairness.protected_turned",
        ARTICLE,
        say("fairness.turned.title"),
        unit="percent",
        direction="at_most",
        computed_by="szai_audit.fairness.findings.turned:turned_finding",
        minimum="decisions",
        binned=False,
    )
)
_RECOURSE = "szai_audit.fairness.findings.recourse:recourse_findings"
RECOURSE_SHARE = register(
    Check(
        "fairness.recourse_share",
        ARTICLE,
        say("fairness.recourse_share.refused_people_with_recourse"),
        computed_by=_RECOURSE,
        minimum="refused",
    )
)
RECOURSE_COST = register(
    Check(
        "fairness.recourse_cost_ratio",
        ARTICLE,
        say("fairness.recourse_cost.change_needed_approval_median"),
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
        say("fairness.conditional.gap_after_legitimate_factors"),
        computed_by="szai_audit.fairness.findings.conditional:conditional_finding",
        minimum="covered",
    )
)
MEAN_PREDICTION_RATIO = register(
    Check(
        "fairness.mean_prediction_ratio",
        ARTICLE,
        say("fairness.mean_prediction_ratio.mean_prediction_ratio"),
        unit="ratio",
        direction="at_least",
        computed_by=_REGRESSION,
        minimum="people",
    )
)
MEAN_CONDITIONAL = register(
    Check(
        "fairness.mean_prediction_conditional",
        ARTICLE,
        say("fairness.mean_conditional.ratio_after_legitimate_factors"),
        unit="ratio",
        direction="at_least",
        computed_by="szai_audit.fairness.findings.conditional:mean_conditional_finding",
        minimum="covered",
    )
)
MEAN_RESIDUAL = register(
    Check(
        "fairness.mean_residual_difference",
        ARTICLE,
        say("fairness.mean_residual.prediction_bias_difference"),
        unit="percent",
        computed_by=_REGRESSION,
        minimum="people",
        outcomes=True,
    )
)
MAE_RATIO = register(
    Check(
        "fairness.mae_ratio",
        ARTICLE,
        say("fairness.mae_ratio.prediction_error_ratio"),
        unit="ratio",
        direction="at_least",
        computed_by=_REGRESSION,
        minimum="people",
        outcomes=True,
    )
)
TREND = register(
    Check(
        "fairness.trend",
        ARTICLE,
        say("fairness.trend.trend_along_numeric_attribute", rate=rate_in_sentence()),
        computed_by="szai_audit.fairness.findings.trend:trend_finding",
        minimum="trend",
        title_for=_trend_title,
    )
)
MEAN_TREND = register(
    Check(
        "fairness.mean_prediction_trend",
        ARTICLE,
        say("fairness.mean_trend.trend_along_numeric_attribute"),
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
        say("fairness.ground_not_provided.ground_not_provided"),
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
        say("fairness.intersection_not_assessed.intersection_not_assessed"),
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

#: The checks of error rates, which compare decisions with the recorded outcomes.
ERROR_RATE_CHECKS: tuple[str, ...] = (TRUE_POSITIVE_RATE.id, FALSE_POSITIVE_RATE.id)

#: The checks on decision rates (a FAIL on one of them asks what a fix would cost).
RATE_CHECKS: tuple[str, ...] = (SELECTION_RATIO.id, *DIFFERENCE_CHECKS)
