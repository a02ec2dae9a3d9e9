"""The Audit: settings stored by ``__init__``, validated and computed by ``run()``."""

from __future__ import annotations

import datetime as _dt
import itertools
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from . import _conditional_checks as conditional_checks
from . import _explain_checks as explain_checks
from . import _fairness_checks as checks
from . import _input_checks as input_checks
from . import _regression_checks as regression_checks
from . import _score_checks as score_checks
from . import narrative as nv
from ._explain_summary import ExplanationSummary, summarize
from .core.manifest import build_manifest
from .core.conditional import ConditionalGaps, conditional_gaps, legitimate_frame
from .counterfactual import FlipResult, flip_test
from .core.data import (
    MISSING_LABEL,
    BinSpec,
    GroupEncoding,
    bin_numeric,
    check_index_order,
    encode_groups,
    group_label,
    is_dask_frame,
    is_missing_array,
    is_missing_group_key,
    needs_binning,
    to_1d,
)
from .core.errors import (
    ColumnNotFoundError,
    InputError,
    InputTypeError,
    PredictionError,
    SensitiveAttributeError,
    SzaiAuditError,
    TargetError,
    UnsupportedError,
)
from .explain import Explanation, explain
from .fairness import GroupMetrics, counts_from_cells
from .findings import Finding, Status
from .mitigation import threshold_tradeoff
from .core.models import ModelAdapter, adapt_model
from .narrative import ARTICLE_72_4_GROUNDS, INTERSECTION_SEP, Message, canonical_ground
from .core.policy import Policy
from .proxies import ProxyReport, find_proxies
from .regression import (
    RegressionMetrics,
    regression_metrics_from_cells,
    regression_metrics_from_codes,
)
from .result import AuditResult, Scope, SensitiveInfo
from .risk import Attestation, UseContext
from .scores import ScoreMetrics, round_scores, score_metrics
from .core.stats import weighted_median

__all__ = ["Audit"]

TASKS = ("classification", "regression", "pricing")


@dataclass(frozen=True)
class _Attribute:
    info: SensitiveInfo
    values: Any  # 1-D values or a Categorical (binned)


#: ``lookup(key, spec) -> (values, column, source, counts, n_missing)`` for data seen in parts:
#: the distinct values of a sensitive attribute and how many rows have each.
_Lookup = Callable[
    [str, Any], tuple[pd.Series, "str | None", str, "np.ndarray | None", "int | None"]
]


class RowAccess(Protocol):
    """The rows the proxy and flip checks read: all of them in memory, or samples drawn in
    advance from data seen in parts (:mod:`szai_audit._chunked`)."""

    has_data: bool

    def proxies(
        self, ground: str, exclude: tuple[str, ...], policy: Policy, random_state: int | None
    ) -> ProxyReport: ...

    def flip_rows(
        self, ground: str, policy: Policy, random_state: int | None
    ) -> tuple[pd.DataFrame, np.ndarray]: ...

    def column_counts(self, column: str) -> tuple[np.ndarray, np.ndarray, bool]: ...


class _InMemoryRows:
    """Every row of ``data``, with each ground's group per row."""

    def __init__(self, data: pd.DataFrame | None, encodings: Mapping[str, GroupEncoding]):
        self.data = data
        self.has_data = data is not None
        self.encodings = encodings

    def proxies(
        self, ground: str, exclude: tuple[str, ...], policy: Policy, random_state: int | None
    ) -> ProxyReport:
        assert self.data is not None
        return find_proxies(
            self.data,
            self.encodings[ground].row_labels(),
            exclude=exclude,
            max_rows=policy.proxy_max_rows,
            random_state=random_state,
            level=policy.confidence_level,
        )

    def flip_rows(
        self, ground: str, policy: Policy, random_state: int | None
    ) -> tuple[pd.DataFrame, np.ndarray]:
        assert self.data is not None  # flip_test draws its own sample of these
        return self.data, self.encodings[ground].row_labels()

    def column_counts(self, column: str) -> tuple[np.ndarray, np.ndarray, bool]:
        assert self.data is not None
        raw = self.data[column]
        numbers = raw.to_numpy(dtype=float, na_value=np.nan)
        distinct, counts = np.unique(numbers[~np.isnan(numbers)], return_counts=True)
        return distinct, counts, pd.api.types.is_integer_dtype(raw.dtype)


def _flip_values(
    info: SensitiveInfo,
    enc: GroupEncoding,
    column_counts: Callable[[str], tuple[np.ndarray, np.ndarray, bool]],
) -> dict[str, Any]:
    """Group label -> the value written into the column to put a row in that group: the
    group's own value, or for a binned number the median of the rows in the bin."""
    if info.binning is None:
        return {
            str(k): (k.item() if isinstance(k, np.generic) else k)
            for k in enc.index
            if str(k) != MISSING_LABEL
        }
    assert info.column is not None
    distinct, counts, integer = column_counts(info.column)
    codes = np.searchsorted(np.asarray(info.binning.edges), distinct, side="right")
    out: dict[str, Any] = {}
    for code, label in enumerate(info.binning.labels):
        inside = codes == code
        if inside.any():
            median = weighted_median(distinct[inside], counts[inside])
            out[label] = round(median) if integer else median
    return out


class Audit:
    """An audit of a model, or of its decisions, against the Shenzhen AI Regulations.

    ``__init__`` only stores the settings; :meth:`run` validates them and computes. One Audit
    can be run several times (with different ``random_state``) and never modifies its inputs.

    Parameters
    ----------
    model : estimator, Pipeline, booster, callable or None
        A fitted model: a scikit-learn estimator or Pipeline, anything with the scikit-learn
        API (xgboost, lightgbm), a native ``lightgbm.Booster`` / ``xgboost.Booster``, or a
        function (see :class:`szai_audit.models.CallableModel`). None for a predictions-only
        audit (then give ``y_pred``).
    data : pandas.DataFrame, dask.dataframe.DataFrame or None
        The model's raw inputs, one row per person (before any pipeline step). Sensitive
        columns are looked up here too. May be None in a predictions-only audit whose
        sensitive attributes are given as arrays. A Dask DataFrame is audited partition by
        partition, without holding it in memory, with the same result (``y_true``, ``y_pred``,
        ``y_score`` and ``sensitive`` then name columns; see ``docs/scale.md``).
    y_true : array-like, optional
        Actual outcomes. Optional: without them, outcome-based checks are NOT_ASSESSED and only
        the selection-rate checks run.
    y_pred : array-like, optional
        Decisions, when auditing outputs without the model.
    y_score : array-like, optional
        Scores (probability of the positive label), when auditing outputs without the model.
        With ``y_score`` and no ``y_pred``, decisions are ``y_score >= threshold``.
    favorable_label : scalar, default 1
        The decision that is good for the person (approval, hire...). For a risk score where 1
        means high risk, pass ``favorable_label=0``: then a higher rate of label-1 decisions
        marks the group that is worse off.
    sensitive : mapping of ground to column name or array-like
        Article 72(4) grounds (``"race"``, ``"gender"``, ``"nationality"``, ``"ethnicity"``,
        ``"religion"``, or any other name such as ``"age"``) mapped to a column of ``data``, a
        column of ``sensitive_data``, or an array with one value per row. ``"sex"`` is read as
        ``"gender"``. A numeric attribute with many values is binned (see ``bins``).
    sensitive_data : pandas.DataFrame, optional
        A separate frame holding sensitive columns that are not model inputs; same rows, same
        order as ``data``.
    bins : mapping of ground to cut points or int, optional
        Explicit bins for numeric attributes: ``{"age": [25, 40, 60]}`` gives ``<25, 25–39,
        40–59, ≥60``; an int asks for that many quantile bins. Attributes not listed are binned
        into ``policy.n_bins`` quantile bins when they have more than
        ``policy.max_groups_before_binning`` values. The bins are shown in the report.
    task : {"classification", "regression", "pricing"}, default "classification"
        ``"classification"``: binary decisions. ``"regression"``: numeric outputs (a credit
        limit, a score), compared by group through the mean prediction, the mean error and
        the mean absolute error. ``"pricing"``: prices (a fare, a fee, a premium; positive
        numbers) set by the model or given as ``y_pred``, audited for Article 72(5) across
        ``consumer_profile`` and for Article 72(4) across the grounds (see
        :mod:`szai_audit.pricing`).
    threshold : float, default 0.5
        Decision threshold applied to scores when decisions come from scores (native boosters,
        score functions, ``y_score`` without ``y_pred``).
    metadata : mapping, optional
        The system card shown in the report: ``organisation``, ``system_name``, ``version``,
        ``purpose``, ``contact`` and any other key.
    policy : Policy, optional
        Thresholds; :class:`~szai_audit.Policy` defaults when omitted.
    reference : mapping of ground to group, optional
        A reference group per ground (``{"gender": "male"}``): each other group is also tested
        against it, besides against the rest.
    favorable_direction : {"higher", "lower"}, optional
        For ``task="regression"``: whether a higher output is good for the person (a credit
        limit; the default) or a lower one (a premium, a risk score). For ``task="pricing"``
        a lower price is always the favourable one.
    feature_labels : mapping, optional
        Display names (and units) of input columns for the explanation:
        ``{"duration": ("贷款期限", "loan duration", "月/months")}``.
    explain : bool, default True
        Explain the model (Article 71) when the model and its inputs are given.
    legitimate_factors : list of str, optional
        Columns of ``data`` that may legitimately explain different decisions (debt-to-income
        ratio in lending, say). The gap in favourable-decision rates that remains after them is
        measured per ground, by stratification and by regression adjustment. For
        ``task="pricing"``: the cost drivers (product, distance, time, quantity, cost, risk
        class) that may make prices differ.
    consumer_profile : mapping, optional
        For ``task="pricing"``: the columns of ``data`` describing the customer, by the kinds
        Article 72(5) names: ``{"habits": [...], "preferences": [...], "ability_to_pay":
        [...]}`` (purchase frequency, tenure, time of use; categories, brands; income, device
        price tier, membership level, neighbourhood affluence).
    loyalty : str, optional
        For ``task="pricing"``: the column of ``data`` giving how long (or how much) the
        customer has been one (months of tenure, past orders; 0 for a new customer), for the
        check that loyal customers are not charged more than new ones.
    currency : str, default "CNY"
        For ``task="pricing"``: the currency of the prices, for the messages.
    context : UseContext, optional
        Where and how the system is used (domain, special groups, automation, scale,
        reversibility): gives the Article 66 risk tier and its duties, and whether Article 71
        requires an explanation (then a missing one is a FAIL). Without it the tier is
        NOT_ASSESSED.
    risk_rules : str, Path or RiskRules, optional
        Risk rules replacing the shipped ``risk_rules.toml`` (see
        :func:`szai_audit.risk.load_rules`).
    attestations : list of Attestation, optional
        Named reviewers' statements on Article 72's items that only a person can judge
        (national security, health, deep synthesis, other laws); unattested items are
        NEEDS_REVIEW.
    privacy : bool, dict or PrivacyScan, optional
        Article 33 de-identification scan: ``True`` scans ``data`` as data meant for others
        (identifiers FAIL; pass ``{"external": False}`` for internal data); a dict passes options to
        :func:`szai_audit.privacy.scan` (``quasi_identifiers``, ``sensitive``, ``external``...);
        a ``PrivacyScan`` of another frame (the data to be shared) is reported as it is.
        Without it, Article 33 is NOT_ASSESSED.

    Examples
    --------
    >>> import szai_audit as sa
    >>> df = sa.datasets.load_german_credit()
    >>> audit = sa.Audit(
    ...     y_true=df["good_credit"],
    ...     y_pred=df["good_credit"],  # a perfect "model", for illustration
    ...     data=df.drop(columns="good_credit"),
    ...     sensitive={"gender": "sex", "nationality": "foreign_worker"},
    ... )
    >>> result = audit.run(random_state=0)
    >>> for f in result.findings:
    ...     if f.ground == "gender":
    ...         print(f.check, f.status.value)
    fairness.selection_rate_ratio PASS
    fairness.demographic_parity_difference PASS
    fairness.true_positive_rate_difference PASS
    fairness.false_positive_rate_difference PASS
    fairness.auc_difference NOT_ASSESSED
    fairness.calibration_difference NOT_ASSESSED
    fairness.proxy WARN
    fairness.counterfactual_flip NOT_ASSESSED
    fairness.attribution_share NOT_ASSESSED
    """

    def __init__(
        self,
        model: Any = None,
        data: pd.DataFrame | None = None,
        y_true: Any = None,
        *,
        y_pred: Any = None,
        y_score: Any = None,
        favorable_label: Any = 1,
        sensitive: Mapping[str, Any] | None = None,
        sensitive_data: pd.DataFrame | None = None,
        bins: Mapping[str, Sequence[float] | int] | None = None,
        task: str = "classification",
        threshold: float = 0.5,
        metadata: Mapping[str, Any] | None = None,
        policy: Policy | None = None,
        reference: Mapping[str, Any] | None = None,
        legitimate_factors: Sequence[str] | None = None,
        favorable_direction: str | None = None,
        feature_labels: Mapping[str, Sequence[str]] | None = None,
        explain: bool = True,
        consumer_profile: Mapping[str, Sequence[str]] | None = None,
        loyalty: str | None = None,
        currency: str = "CNY",
        context: UseContext | None = None,
        risk_rules: Any = None,
        attestations: Sequence[Attestation] | None = None,
        privacy: Any = None,
    ) -> None:
        self.model = model
        self.data = data
        self.y_true = y_true
        self.y_pred = y_pred
        self.y_score = y_score
        self.favorable_label = favorable_label
        self.sensitive = sensitive
        self.sensitive_data = sensitive_data
        self.bins = bins
        self.task = task
        self.threshold = threshold
        self.metadata = metadata
        self.policy = policy
        self.reference = reference
        self.legitimate_factors = legitimate_factors
        self.favorable_direction = favorable_direction
        self.feature_labels = feature_labels
        self.explain = explain
        self.consumer_profile = consumer_profile
        self.loyalty = loyalty
        self.currency = currency
        self.context = context
        self.risk_rules = risk_rules
        self.attestations = attestations
        self.privacy = privacy

    @property
    def _direction(self) -> str:
        """The favourable direction of a numeric output: lower for prices, else as given
        (higher by default)."""
        if self.task == "pricing":
            return "lower"
        return self.favorable_direction or "higher"

    def __repr__(self) -> str:
        what = type(self.model).__name__ if self.model is not None else "predictions"
        grounds = list(self.sensitive) if isinstance(self.sensitive, Mapping) else []
        return f"Audit(model={what}, task={self.task!r}, sensitive={grounds})"

    # ----------------------------------------------------------------------------------------
    # validation
    # ----------------------------------------------------------------------------------------

    def _check_settings(self) -> tuple[Policy, dict[str, str]]:
        # The governance settings are checked first, so a slip fails fast, not after the checks.
        if self.context is not None and not isinstance(self.context, UseContext):
            raise InputTypeError(
                f"context must be a szai_audit.UseContext, got {type(self.context).__name__}."
            )
        if self.attestations is not None and any(
            not isinstance(a, Attestation) for a in self.attestations
        ):
            raise InputTypeError("attestations must be a list of szai_audit.Attestation objects.")
        if (self.privacy is True or isinstance(self.privacy, Mapping)) and self.data is None:
            raise InputError("privacy= scans data=, which was not given.")
        if self.task not in TASKS:
            raise InputError(f"task must be one of {list(TASKS)}, got {self.task!r}.")
        if self.favorable_direction not in (None, "higher", "lower"):
            raise InputError(
                f"favorable_direction must be 'higher' or 'lower', got "
                f"{self.favorable_direction!r}."
            )
        if self.task != "pricing" and (
            self.consumer_profile is not None or self.loyalty is not None
        ):
            raise InputError(
                "consumer_profile= and loyalty= are for task='pricing' (Article 72(5)); got "
                f"task={self.task!r}."
            )
        policy = Policy() if self.policy is None else self.policy
        if not isinstance(policy, Policy):
            raise InputTypeError(
                f"policy must be a szai_audit.Policy, got {type(policy).__name__}."
            )
        if np.ndim(self.favorable_label) != 0 or isinstance(self.favorable_label, (dict, set)):
            raise InputTypeError(
                f"favorable_label must be a single label such as 1 or 'approved', got "
                f"{self.favorable_label!r}."
            )
        thr = self.threshold
        if isinstance(thr, bool) or not isinstance(thr, (int, float)) or not 0 < thr < 1:
            raise InputError(f"threshold must be a number in (0, 1), got {thr!r}.")
        if is_dask_frame(self.data):
            from ._chunked import check_chunked_settings

            check_chunked_settings(self)
        elif self.data is not None and not isinstance(self.data, pd.DataFrame):
            raise InputTypeError(
                f"data must be a pandas DataFrame of the model's raw inputs, got "
                f"{type(self.data).__name__}; wrap an array with pd.DataFrame(X, columns=[...])."
            )
        for name, frame in (("data", self.data), ("sensitive_data", self.sensitive_data)):
            if isinstance(frame, pd.DataFrame) and frame.columns.duplicated().any():
                dup = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
                raise InputError(
                    f"{name} has duplicate column names {dup}; a column must be named once "
                    f"(rename or drop the copies)."
                )
        if (
            self.sensitive_data is not None
            and not isinstance(self.sensitive_data, pd.DataFrame)
            and not (is_dask_frame(self.data) and is_dask_frame(self.sensitive_data))
        ):
            raise InputTypeError(
                f"sensitive_data must be a pandas DataFrame, got "
                f"{type(self.sensitive_data).__name__}."
            )
        metadata: dict[str, str] = {}
        if self.metadata is not None:
            if not isinstance(self.metadata, Mapping):
                raise InputTypeError(
                    f"metadata must be a mapping such as {{'organisation': ..., "
                    f"'system_name': ...}}, got {type(self.metadata).__name__}."
                )
            metadata = {str(k): str(v) for k, v in self.metadata.items()}
        return policy, metadata

    def _decisions(
        self,
    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, str, ModelAdapter | None]:
        """Decisions, outcomes, scores, how decisions were made, and the model adapter."""
        if self.model is not None:
            if self.y_pred is not None or self.y_score is not None:
                raise InputError(
                    "give either model= (the audit computes its outputs) or y_pred=/y_score= "
                    "(outputs already computed), not both."
                )
            if self.data is None:
                raise InputError("model= was given without data=; pass the model's inputs.")
            adapter = adapt_model(self.model, self.threshold)
            y_pred = adapter.predict(self.data)
            y_true = self._true_array(len(y_pred))
            pos = _positive_label(y_pred, y_true, self.favorable_label)
            score = adapter.score(self.data, pos)
            return y_pred, y_true, score, adapter.decision_rule, adapter
        if self.y_pred is None and self.y_score is None:
            raise InputError(
                "nothing to audit: give model= with data=, or the model's outputs with y_pred= "
                "(and optionally y_score=)."
            )
        n = len(self.data) if self.data is not None else None
        score = None
        if self.y_score is not None:
            score = to_1d("y_score", self.y_score, n)
            check_index_order("y_score", self.y_score, self.data)
            score = _numeric_scores(score)
            n = len(score)
            if self.y_pred is None and (score.min() < 0 or score.max() > 1):
                raise PredictionError(
                    f"y_score ranges over [{score.min():.4g}, {score.max():.4g}], but without "
                    f"y_pred the decisions are y_score >= threshold, which needs probabilities "
                    f"in [0, 1]. Pass y_pred with the decisions, or probabilities as y_score."
                )
        if self.y_pred is not None:
            y_pred = to_1d("y_pred", self.y_pred, n, "y_score" if self.data is None else "data")
            check_index_order("y_pred", self.y_pred, self.data)
            missing = is_missing_array(y_pred)
            if missing.any():
                raise PredictionError(
                    f"y_pred has {int(missing.sum())} missing values (NaN/None) out of "
                    f"{len(y_pred)}; every row needs a decision."
                )
            rule = "y_pred (given)"
        else:
            assert score is not None
            y_pred = (score >= self.threshold).astype(np.int64)
            rule = f"y_score >= {self.threshold:g} (1), else 0"
        return y_pred, self._true_array(len(y_pred)), score, rule, None

    def _true_array(self, n: int) -> np.ndarray | None:
        if self.y_true is None:
            return None
        arr = to_1d("y_true", self.y_true, n, "data" if self.data is not None else "y_pred")
        check_index_order("y_true", self.y_true, self.data)
        missing = is_missing_array(arr)
        if missing.any():
            raise TargetError(
                f"y_true has {int(missing.sum())} missing values (NaN/None) out of {n}. Drop "
                f"those rows from data and y_true, or pass y_true=None to audit decisions only."
            )
        return arr

    def _attributes(
        self, n: int, policy: Policy, lookup: _Lookup | None = None
    ) -> list[_Attribute]:
        """The sensitive attributes, binned and checked. ``lookup(key, spec)`` gives a ground's
        values, column, source and, for data seen in parts, the count of each (distinct) value
        and the number of missing rows; by default the values of every row."""
        if self.sensitive is None:
            return []
        if not isinstance(self.sensitive, Mapping):
            raise InputTypeError(
                f"sensitive must map grounds to columns, e.g. {{'gender': 'sex'}}, got "
                f"{type(self.sensitive).__name__}."
            )
        bins = {canonical_ground(str(k)): v for k, v in (self.bins or {}).items()}
        grounds = {canonical_ground(str(k)) for k in self.sensitive}
        unknown_bins = set(bins) - grounds
        if unknown_bins:
            raise SensitiveAttributeError(
                f"bins has entries {sorted(unknown_bins)} that are not keys of sensitive "
                f"{sorted(map(str, self.sensitive))}."
            )
        attrs: list[_Attribute] = []
        seen: dict[str, str] = {}
        for key, spec in self.sensitive.items():
            ground = canonical_ground(str(key))
            if ground in seen:
                raise SensitiveAttributeError(
                    f"sensitive has both {seen[ground]!r} and {key!r}, which name the same "
                    f"ground {ground!r}; keep one."
                )
            seen[ground] = str(key)
            counts, n_missing = None, None
            if lookup is None:
                values, column, source = self._lookup(str(key), spec, n)
            else:
                values, column, source, counts, n_missing = lookup(str(key), spec)
            binning: BinSpec | None = None
            if ground in bins or needs_binning(values, policy.max_groups_before_binning):
                if not pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(
                    values.dtype
                ):
                    raise SensitiveAttributeError(
                        f"bins were given for {key!r} but its values are not numeric "
                        f"(dtype {values.dtype})."
                    )
                values, binning = bin_numeric(
                    values, str(key), bins.get(ground), n_bins=policy.n_bins, counts=counts
                )
            enc = encode_groups({ground: values}, missing="group")
            as_text = [str(g) for g in enc.index]
            if len(set(as_text)) != len(as_text):
                clash = sorted({t for t in as_text if as_text.count(t) > 1})
                raise SensitiveAttributeError(
                    f"sensitive[{key!r}] has distinct values that read the same ({clash}), e.g. "
                    f"the number 1 and the text '1'; convert the column to one type first, e.g. "
                    f".astype(str)."
                )
            present = [g for g in enc.index if g != MISSING_LABEL]
            if len(present) < 2:
                shown = present[0] if present else "(all missing)"
                raise SensitiveAttributeError(
                    f"sensitive[{key!r}] ({_where(column, source)}) has a single group "
                    f"{shown!r} in the {n} rows audited; a fairness audit compares at least two "
                    f"groups. Check the column, or leave this ground out."
                )
            info = SensitiveInfo(
                ground=ground,
                column=column,
                source=source,
                binning=binning,
                groups=tuple(str(g) for g in enc.index),
                n_missing=int(enc.missing.get(ground, 0)) if n_missing is None else n_missing,
            )
            attrs.append(_Attribute(info, values))
        return attrs

    def _input_checks(
        self,
        attrs: list[_Attribute],
        encodings: Mapping[str, GroupEncoding],
        adapter: ModelAdapter | None,
        pos: Any,
        favorable_is_positive: bool,
        policy: Policy,
        random_state: int | None,
        numeric: bool = False,
        change_rtol: float = 0.0,
        outputs: Message | None = None,
        rows: RowAccess | None = None,
    ) -> tuple[dict[str, ProxyReport], dict[str, FlipResult], list[Finding]]:
        """Proxy ranking and counterfactual flip test of every ground (``change_rtol``: the
        relative change of a numeric output that counts; ``outputs``: what the outputs are
        called in the messages; ``rows``: the rows these checks read, all of ``data`` by
        default)."""
        rows = _InMemoryRows(self.data, encodings) if rows is None else rows
        proxies: dict[str, ProxyReport] = {}
        flips: dict[str, FlipResult] = {}
        findings: list[Finding] = []
        for a in attrs:
            ground, info = a.info.ground, a.info
            report = None
            if rows.has_data:
                exclude = (info.column,) if info.source == "data" and info.column else ()
                report = rows.proxies(ground, exclude, policy, random_state)
                proxies[ground] = report
            findings.append(input_checks.proxy_finding(report, ground, policy))
            if adapter is None:
                findings.append(input_checks.flip_not_assessed(ground, "no_model"))
                continue
            if info.source != "data" or not info.column or not rows.has_data:
                findings.append(input_checks.flip_not_assessed(ground, "not_input"))
                continue
            frame, labels = rows.flip_rows(ground, policy, random_state)
            values = _flip_values(info, encodings[ground], rows.column_counts)
            flip = flip_test(
                adapter,
                frame,
                info.column,
                labels,
                values,
                pos_label=pos,
                favorable_is_positive=favorable_is_positive,
                max_rows=policy.flip_max_rows,
                random_state=random_state,
                numeric=numeric,
                change_rtol=change_rtol,
            )
            flips[ground] = flip
            findings.append(
                input_checks.flip_finding(
                    flip, ground, policy, numeric=numeric, change_rtol=change_rtol, outputs=outputs
                )
            )
        return proxies, flips, findings

    def _explanation(
        self,
        adapter: ModelAdapter | None,
        attrs: list[_Attribute],
        encodings: Mapping[str, GroupEncoding],
        favourable: np.ndarray | Callable[[np.ndarray], np.ndarray],
        pos: Any,
        favorable_is_positive: bool,
        input_findings: list[Finding],
        policy: Policy,
        random_state: int | None,
        metadata: Mapping[str, str],
        numeric: bool = False,
        compute: Callable[[Any], Explanation] | None = None,
    ) -> tuple[Explanation | None, ExplanationSummary | None, list[Finding]]:
        """Article 71: the explanation, its summary, and the findings that follow from it.

        ``favourable`` is a 0/1 array over every row, or a function of row positions (data seen
        in parts); ``compute(model)`` explains the model (a stratified sample of every row by
        default)."""
        findings = [explain_checks.notice_complete(metadata)]
        reason = None
        if not self.explain:
            reason = nv.Message(
                "审计时关闭了算法说明（explain=False）。",
                "The explanation was switched off for this audit (explain=False).",
            )
        elif adapter is None or self.data is None:
            reason = nv.Message(
                "仅有决定记录、没有模型或输入数据，无法解释模型如何作出决定。",
                "Only decisions were given, not the model and its inputs, so how the model "
                "decides cannot be explained.",
            )
        explanation = summary = None
        if reason is None:
            assert adapter is not None and self.data is not None
            model = adapter.model if adapter.kind == "callable" else self.model
            if compute is None:
                strata = explanation_strata(
                    np.asarray(favourable), [encodings[a.info.ground].row_labels() for a in attrs]
                )

                def compute(model: Any) -> Explanation:
                    return explain(
                        model,
                        self.data,
                        positive_label=None if numeric else pos,
                        sample_size=policy.explain_sample_size,
                        strata=strata,
                        background_size=policy.explain_background_size,
                        random_state=random_state,
                    )

            try:
                explanation = compute(model)
            except SzaiAuditError as exc:
                reason = nv.Message(
                    f"未能生成算法说明：{exc}", f"No explanation could be produced: {exc}"
                )
        if explanation is not None:
            summary = summarize(
                explanation,
                labels=self.feature_labels,
                favorable_is_positive=favorable_is_positive,
                favourable=(
                    favourable(explanation.positions)
                    if callable(favourable)
                    else np.asarray(favourable)[explanation.positions]
                ),
                positive_label=pos if pos is not None else self._direction,
                stratified=True,
                level=policy.confidence_level,
                k=policy.k_anonymity,
                random_state=random_state,
                numeric_output=numeric,
            )
        findings.insert(0, explain_checks.explained(summary, reason))
        flagged = {
            str(f.ground): list((f.details.get("flagged") or {}).keys())
            for f in input_findings
            if f.check == "fairness.proxy"
        }
        for a in attrs:
            ground = a.info.ground
            if summary is None:
                findings.append(
                    explain_checks.share_not_assessed(
                        ground,
                        nv.Message(
                            "没有算法说明，无法衡量该属性对决定的影响占比。",
                            "Without an explanation, the attribute's share of the model's "
                            "influence cannot be measured.",
                        ),
                    )
                )
                continue
            column = a.info.column if a.info.source == "data" else None
            findings.append(
                explain_checks.attribution_share(
                    summary, ground, column, flagged.get(ground, []), policy
                )
            )
        return explanation, summary, findings

    def _manifest(
        self,
        started: _dt.datetime,
        y_true: np.ndarray | None,
        y_pred: np.ndarray,
        adapter: ModelAdapter | None,
        random_state: int | None,
    ) -> dict[str, Any]:
        return build_manifest(
            data=self.data,
            y_true=y_true,
            y_pred=y_pred,
            model=adapter.describe() if adapter is not None else None,
            random_state=None if random_state is None else int(random_state),
            generated_at=started,
        )

    def _run_regression(
        self,
        started: _dt.datetime,
        policy: Policy,
        metadata: dict[str, str],
        random_state: int | None,
    ) -> AuditResult:
        """The audit of numeric outputs (``task="regression"``)."""
        if self.y_score is not None:
            raise InputError(
                "y_score is for classification; with task='regression' give the numeric "
                "outputs as y_pred (or the model)."
            )
        if self.legitimate_factors:
            raise UnsupportedError(
                "legitimate_factors is supported for task='classification' in this version."
            )
        parts = None
        if is_dask_frame(self.data):
            from ._chunked import prepare_chunked_numeric

            parts = prepare_chunked_numeric(self, policy, random_state, started)
            n, attrs, rule, adapter = parts.n_rows, parts.attrs, parts.rule, parts.adapter
            has_outcomes = parts.has_outcomes
        else:
            adapter, y_pred, y_true, rule = self._numeric_outputs()
            n, has_outcomes = len(y_pred), y_true is not None
            attrs = self._attributes(n, policy)
        if not attrs:
            raise SensitiveAttributeError(
                "sensitive is empty: name at least one Article 72(4) ground and its column, "
                "e.g. sensitive={'gender': 'sex'}."
            )
        higher = self._direction == "higher"

        def metrics_by(columns: dict[str, Any]) -> tuple[RegressionMetrics, GroupEncoding]:
            enc = encode_groups(columns, missing="group")
            if parts is not None:
                merged = regression_metrics_from_cells(
                    enc.codes, enc.index, parts.cells, has_outcomes
                )
                return merged, enc
            return regression_metrics_from_codes(enc.codes, enc.index, y_pred, y_true), enc

        tables: dict[str, RegressionMetrics] = {}
        encodings: dict[str, GroupEncoding] = {}
        for a in attrs:
            tables[a.info.ground], encodings[a.info.ground] = metrics_by({a.info.ground: a.values})
        extra: list[Finding | checks.Judgeable] = []
        combos: list[tuple[_Attribute, ...]] = list(itertools.combinations(attrs, 2))
        if len(attrs) > 2:
            combos.append(tuple(attrs))
        for combo in combos:
            key = INTERSECTION_SEP.join(a.info.ground for a in combo)
            rm = metrics_by({a.info.ground: a.values for a in combo})[0]
            if len(combo) > 2 and len(rm.stats) > policy.max_intersection_groups:
                extra.append(checks.intersection_too_large(key, len(rm.stats), policy))
                continue
            tables[key] = rm
        proxy_reports, flips, input_findings = self._input_checks(
            attrs,
            encodings,
            adapter,
            None,
            higher,
            policy,
            random_state,
            numeric=True,
            rows=None if parts is None else parts.rows,
        )
        extra += input_findings
        if parts is None:
            above = y_pred >= np.median(y_pred)
            favourable: Any = above if higher else ~above
        else:
            favourable = parts.favourable
        explanation, summary, explain_findings = self._explanation(
            adapter,
            attrs,
            encodings,
            favourable,
            None,
            higher,
            input_findings,
            policy,
            random_state,
            metadata,
            numeric=True,
            compute=None if parts is None else parts.explain,
        )
        extra += explain_findings
        assessed = [
            regression_checks.assess_regression_table(key, rm, policy, higher)
            for key, rm in tables.items()
        ]
        findings, _ = checks.finalize(assessed, policy, extra)
        provided = {a.info.ground for a in attrs}
        findings += [
            checks.ground_not_provided(g) for g in ARTICLE_72_4_GROUNDS if g not in provided
        ]
        scope = Scope(
            task=self.task,
            n_rows=n,
            favorable_label=self._direction,
            positive_label=None,
            labels=(),
            has_outcomes=has_outcomes,
            has_scores=False,
            decision_rule=rule,
            mode="model" if adapter is not None else "predictions",
            favorable_is_positive=higher,
        )
        if parts is None:
            manifest = self._manifest(started, y_true, y_pred, adapter, random_state)
        else:
            manifest = parts.manifest
        return AuditResult(
            findings=findings,
            group_metrics={},
            intersections={},
            cis={key: rm.ci(policy.confidence_level) for key, rm in tables.items()},
            group_tests={},
            score_metrics={},
            proxies=proxy_reports,
            flips=flips,
            mitigation={},
            conditional={},
            regression_metrics=tables,
            explanation=explanation,
            explanation_summary=summary,
            sensitive=tuple(a.info for a in attrs),
            scope=scope,
            policy=policy,
            metadata=metadata,
            manifest=manifest,
        )

    def _numeric_outputs(
        self,
    ) -> tuple[ModelAdapter | None, np.ndarray, np.ndarray | None, str]:
        """The model adapter, numeric predictions, outcomes and how predictions were made."""
        adapter = None
        if self.model is not None:
            if self.y_pred is not None:
                raise InputError("give either model= or y_pred=, not both.")
            if self.data is None:
                raise InputError("model= was given without data=; pass the model's inputs.")
            adapter = adapt_model(self.model, self.threshold)
            y_pred = _as_numbers("the model's predictions", adapter.predict(self.data))
            rule = "model.predict(data)"
        elif self.y_pred is not None:
            n0 = len(self.data) if self.data is not None else None
            y_pred = _as_numbers("y_pred", to_1d("y_pred", self.y_pred, n0, "data"))
            check_index_order("y_pred", self.y_pred, self.data)
            rule = "y_pred (given)"
        else:
            raise InputError("nothing to audit: give model= with data=, or y_pred=.")
        y_true = None
        if self.y_true is not None:
            check_index_order("y_true", self.y_true, self.data)
            y_true = _as_numbers(
                "y_true", to_1d("y_true", self.y_true, len(y_pred), "y_pred"), error=TargetError
            )
        return adapter, y_pred, y_true, rule

    def _conditional(
        self,
        attrs: list[_Attribute],
        encodings: Mapping[str, GroupEncoding],
        metrics: Mapping[str, GroupMetrics],
        favourable: np.ndarray,
        favorable_is_positive: bool,
        reference: Mapping[str, str],
        policy: Policy,
    ) -> dict[str, ConditionalGaps]:
        """Favourable-decision gaps after the legitimate factors, per ground."""
        if not self.legitimate_factors:
            return {}
        if isinstance(self.legitimate_factors, str):
            raise InputTypeError(
                f"legitimate_factors must be a list of column names, got the string "
                f"{self.legitimate_factors!r}; write [{self.legitimate_factors!r}]."
            )
        names = [str(c) for c in self.legitimate_factors]
        sensitive_columns = {a.info.column for a in attrs if a.info.source == "data"}
        clash = sorted(set(names) & {c for c in sensitive_columns if c})
        if clash:
            raise InputError(
                f"legitimate_factors {clash} are sensitive attributes; a protected ground "
                f"cannot be a legitimate reason for a different decision."
            )
        factors = legitimate_frame(self.data, names)
        out: dict[str, ConditionalGaps] = {}
        for a in attrs:
            ground = a.info.ground
            ref = reference.get(ground)
            if ref is None:  # the comparable group with the most favourable decisions
                gm = metrics[ground]
                fav_count = gm.counts["n"] - gm.counts["predicted_positive"]
                if favorable_is_positive:
                    fav_count = gm.counts["predicted_positive"]
                rates = {
                    group_label(k): f / n
                    for k, f, n in zip(gm.counts.index, fav_count, gm.counts["n"], strict=True)
                    if n >= policy.min_group_size and not is_missing_group_key(k)
                }
                if not rates:
                    continue
                ref = max(rates, key=rates.__getitem__)
            out[ground] = conditional_gaps(favourable, encodings[ground].row_labels(), factors, ref)
        return out

    def _references(self, metrics: Mapping[str, GroupMetrics]) -> dict[str, str]:
        """The user's reference group per ground, checked to be one of its groups."""
        if self.reference is None:
            return {}
        if not isinstance(self.reference, Mapping):
            raise InputTypeError(
                f"reference must map grounds to a group, e.g. {{'gender': 'male'}}, got "
                f"{type(self.reference).__name__}."
            )
        out: dict[str, str] = {}
        for key, group in self.reference.items():
            ground = canonical_ground(str(key))
            if ground not in metrics:
                raise SensitiveAttributeError(
                    f"reference names the ground {key!r}, which is not in sensitive "
                    f"{sorted(metrics)}."
                )
            groups = [str(g) for g in metrics[ground].counts.index]
            if str(group) not in groups:
                raise SensitiveAttributeError(
                    f"reference[{key!r}] = {group!r} is not a group of that ground; its groups "
                    f"are {groups}."
                )
            out[ground] = str(group)
        return out

    def _lookup(self, key: str, spec: Any, n: int) -> tuple[pd.Series, str | None, str]:
        """Values of one sensitive attribute, the column name, and where it came from."""
        if isinstance(spec, str):
            frames = [("data", self.data), ("sensitive_data", self.sensitive_data)]
            for source, frame in frames:
                if frame is not None and spec in frame.columns:
                    col = frame[spec]
                    if len(col) != n:
                        raise InputError(
                            f"{source} has {len(col)} rows but the audit has {n}; "
                            f"sensitive_data must hold the same rows as data, in order."
                        )
                    if source == "sensitive_data":
                        check_index_order("sensitive_data", frame, self.data)
                    return col.reset_index(drop=True), spec, source
            available = [c for _, f in frames if f is not None for c in f.columns]
            hint = _close_names(spec, [str(c) for c in available])
            raise ColumnNotFoundError(
                f"sensitive[{key!r}] names column {spec!r}, which is not in data"
                f"{' or sensitive_data' if self.sensitive_data is not None else ''}."
                f"{hint} Pass the values themselves (an array, one per row) if they are kept "
                f"elsewhere."
            )
        arr = to_1d(f"sensitive[{key!r}]", spec, n, "data" if self.data is not None else "y_pred")
        check_index_order(f"sensitive[{key!r}]", spec, self.data)
        if isinstance(spec, pd.Series):
            return spec.reset_index(drop=True), None, "array"
        return pd.Series(arr), None, "array"

    # ----------------------------------------------------------------------------------------
    # computation
    # ----------------------------------------------------------------------------------------

    def run(self, random_state: int | None = 0) -> AuditResult:
        """Validate the inputs, compute every check, and return the result.

        Parameters
        ----------
        random_state : int or None, default 0
            Seed for every random step, recorded in the manifest; the same inputs and seed give
            the same result.

        Returns
        -------
        AuditResult

        Raises
        ------
        SzaiAuditError
            A subclass naming the parameter at fault (see :mod:`szai_audit.errors`).
        """
        if random_state is not None and (
            isinstance(random_state, bool)
            or not isinstance(random_state, (int, np.integer))
            or not 0 <= random_state < 2**32
        ):
            raise InputTypeError(
                f"random_state must be None or an integer from 0 to 2**32 - 1, got "
                f"{random_state!r}."
            )
        started = _run_time()
        policy, metadata = self._check_settings()
        from . import _governance

        result = self._run_checks(started, policy, metadata, random_state)
        return _governance.apply(self, result, policy)

    def _run_checks(
        self,
        started: _dt.datetime,
        policy: Policy,
        metadata: dict[str, str],
        random_state: int | None,
    ) -> AuditResult:
        """The checks of the task (Articles 72(4), 72(5), 71)."""
        if self.task == "regression":
            return self._run_regression(started, policy, metadata, random_state)
        if self.task == "pricing":
            from ._pricing_audit import run_pricing

            return run_pricing(self, started, policy, metadata, random_state)
        if is_dask_frame(self.data):
            from ._chunked import prepare_chunked

            prep = prepare_chunked(self, policy, random_state, started)
        else:
            prep = self._prepare_rows(policy, random_state, started)
        return self._classification(prep, policy, metadata, random_state)

    def _prepare_rows(
        self, policy: Policy, random_state: int | None, started: _dt.datetime
    ) -> Prepared:
        """The classification audit's inputs from data in memory: one entry per row."""
        y_pred, y_true, score, rule, adapter = self._decisions()
        n = len(y_pred)
        pos = _positive_label(y_pred, y_true, self.favorable_label)
        attrs = self._attributes(n, policy)
        pred_pos = np.asarray(y_pred == pos, dtype=np.uint8)
        true_pos = None if y_true is None else np.asarray(y_true == pos, dtype=np.uint8)

        def scores(enc: GroupEncoding, n_bins: int) -> ScoreMetrics:
            assert score is not None and true_pos is not None
            labels_per_row = enc.index.take(enc.codes)
            rounded = round_scores(score, policy.score_resolution)
            return score_metrics(
                true_pos, rounded, labels_per_row, threshold=self.threshold, n_bins=n_bins
            )

        labels = set(pd.unique(y_pred).tolist())
        if y_true is not None:
            labels |= set(pd.unique(y_true).tolist())
        return Prepared(
            n_rows=n,
            pos=pos,
            attrs=attrs,
            pred_pos=pred_pos,
            true_pos=true_pos,
            weights=None,
            score_sums=None if score is None else (score, score * score),
            rule=rule,
            adapter=adapter,
            labels=tuple(sorted(map(str, labels))),
            score_metrics=scores if score is not None and true_pos is not None else None,
            manifest=self._manifest(started, y_true, y_pred, adapter, random_state),
            score=score,
        )

    def _classification(
        self, prep: Prepared, policy: Policy, metadata: dict[str, str], random_state: int | None
    ) -> AuditResult:
        """Article 72(4) checks of binary decisions, and Article 71."""
        attrs, pos, adapter = prep.attrs, prep.pos, prep.adapter
        if not attrs:
            raise SensitiveAttributeError(
                "sensitive is empty: name at least one Article 72(4) ground and its column, "
                "e.g. sensitive={'gender': 'sex'}."
            )
        pred_pos, true_pos = prep.pred_pos, prep.true_pos
        has_scores = prep.score_sums is not None
        favorable_is_positive = _same_label(pos, self.favorable_label)

        def metrics_by(columns: dict[str, Any]) -> tuple[GroupMetrics, GroupEncoding]:
            enc = encode_groups(columns, missing="group")
            gm = GroupMetrics(
                counts_from_cells(enc, pred_pos, true_pos, prep.weights, prep.score_sums),
                pos_label=pos,
                has_outcomes=true_pos is not None,
                has_scores=has_scores,
            )
            return gm, enc

        encodings: dict[str, GroupEncoding] = {}
        metrics: dict[str, GroupMetrics] = {}
        for a in attrs:
            metrics[a.info.ground], encodings[a.info.ground] = metrics_by({a.info.ground: a.values})
        intersections: dict[str, GroupMetrics] = {}
        extra: list[Finding | checks.Judgeable] = []
        for pair in itertools.combinations(attrs, 2):
            key = INTERSECTION_SEP.join(a.info.ground for a in pair)
            intersections[key] = metrics_by({a.info.ground: a.values for a in pair})[0]
        if len(attrs) > 2:
            key = INTERSECTION_SEP.join(a.info.ground for a in attrs)
            full = metrics_by({a.info.ground: a.values for a in attrs})[0]
            if len(full.counts) <= policy.max_intersection_groups:
                intersections[key] = full
            else:
                extra.append(checks.intersection_too_large(key, len(full.counts), policy))

        # Score metrics (AUC, calibration) per ground, when scores and outcomes exist.
        score_tables: dict[str, ScoreMetrics] = {}
        for ground, enc in encodings.items():
            sm = None
            if prep.score_metrics is not None:
                sizes = metrics[ground].counts["n"]
                big = sizes[sizes >= policy.min_group_size]
                # Bins of about min_group_size people or more in the smallest compared group.
                n_bins = int(
                    np.clip((big.min() if len(big) else 0) // policy.min_group_size, 3, 10)
                )
                sm = prep.score_metrics(enc, n_bins)
                order = [str(k) for k in metrics[ground].counts.index]
                sm = sm.reordered(order)
                score_tables[ground] = sm
            extra += score_checks.score_findings(
                sm,
                ground,
                policy,
                has_outcomes=true_pos is not None,
                has_scores=has_scores,
                favorable_is_positive=favorable_is_positive,
                positive_label=pos,
            )

        proxy_reports, flips, input_findings = self._input_checks(
            attrs,
            encodings,
            adapter,
            pos,
            favorable_is_positive,
            policy,
            random_state,
            rows=prep.rows,
        )
        extra += input_findings
        favourable_rows: Any = prep.favourable
        if favourable_rows is None:
            favourable_rows = (pred_pos if favorable_is_positive else 1 - pred_pos).astype(bool)
        explanation, summary, explain_findings = self._explanation(
            adapter,
            attrs,
            encodings,
            favourable_rows,
            pos,
            favorable_is_positive,
            input_findings,
            policy,
            random_state,
            metadata,
            compute=prep.explain,
        )
        extra += explain_findings

        reference = self._references(metrics)
        favourable = pred_pos if favorable_is_positive else 1 - pred_pos
        conditional = self._conditional(
            attrs, encodings, metrics, favourable, favorable_is_positive, reference, policy
        )
        for ground, gaps in conditional.items():
            sizes = {group_label(k): int(v) for k, v in metrics[ground].counts["n"].items()}
            extra.append(conditional_checks.conditional_finding(gaps, ground, policy, sizes))

        tables = [*metrics.items(), *intersections.items()]
        seeds = [
            None if random_state is None else (int(random_state), i) for i in range(len(tables))
        ]
        assessed = [
            checks.assess_table(
                key,
                gm,
                policy,
                favorable_is_positive,
                random_state=seed,
                reference=reference.get(key),
            )
            for (key, gm), seed in zip(tables, seeds, strict=True)
        ]
        findings, group_tests = checks.finalize(assessed, policy, extra)
        mitigation = {}
        score = prep.score
        if score is not None and true_pos is not None:
            failing = {
                f.ground
                for f in findings
                if f.status is Status.FAIL and f.check in checks.RATE_CHECKS
            }
            for ground in (g for g in metrics if g in failing):
                mitigation[ground] = threshold_tradeoff(
                    true_pos,
                    score,
                    pred_pos,
                    encodings[ground].row_labels(),
                    random_state=random_state,
                )
        provided = {a.info.ground for a in attrs}
        findings += [
            checks.ground_not_provided(g) for g in ARTICLE_72_4_GROUNDS if g not in provided
        ]
        cis = {
            key: gm.ci(policy.confidence_level, policy.n_bootstrap, seed)
            for (key, gm), seed in zip(tables, seeds, strict=True)
        }

        scope = Scope(
            task=self.task,
            n_rows=prep.n_rows,
            favorable_label=_plain(self.favorable_label),
            positive_label=_plain(pos),
            labels=prep.labels,
            has_outcomes=true_pos is not None,
            has_scores=has_scores,
            decision_rule=prep.rule,
            mode="model" if adapter is not None else "predictions",
            favorable_is_positive=favorable_is_positive,
        )
        manifest = prep.manifest
        return AuditResult(
            findings=findings,
            group_metrics=metrics,
            intersections=intersections,
            cis=cis,
            group_tests=group_tests,
            score_metrics=score_tables,
            proxies=proxy_reports,
            flips=flips,
            mitigation=mitigation,
            conditional=conditional,
            regression_metrics={},
            explanation=explanation,
            explanation_summary=summary,
            sensitive=tuple(a.info for a in attrs),
            scope=scope,
            policy=policy,
            metadata=metadata,
            manifest=manifest,
        )


@dataclass(frozen=True)
class Prepared:
    """What the classification checks read, from every row in memory or from cells of rows of
    data seen in parts (:mod:`szai_audit._chunked`): entry ``i`` of ``pred_pos``, ``true_pos``,
    ``score_sums`` and of each attribute's values stands for ``weights[i]`` rows (one each
    when ``weights`` is None)."""

    n_rows: int
    pos: Any
    attrs: list[_Attribute]
    pred_pos: np.ndarray
    true_pos: np.ndarray | None
    weights: np.ndarray | None
    score_sums: tuple[np.ndarray, np.ndarray] | None
    rule: str
    adapter: ModelAdapter | None
    labels: tuple[str, ...]
    score_metrics: Callable[[GroupEncoding, int], ScoreMetrics] | None
    manifest: dict[str, Any]
    #: Scores of every row (for the fairness-constraint illustration); None in parts.
    score: np.ndarray | None = None
    #: Rows of the proxy and flip checks (all rows when None).
    rows: RowAccess | None = None
    #: The explanation's computation and each row's favourable decision (a function of
    #: positions), for data seen in parts.
    explain: Callable[[Any], Explanation] | None = None
    favourable: Callable[[np.ndarray], np.ndarray] | None = None


def explanation_strata(favourable: np.ndarray, labels: Sequence[np.ndarray]) -> np.ndarray:
    """The stratum of each row for the explanation's sample: its decision (favourable or not)
    and its group on every ground, as text."""
    strata = np.asarray(favourable).astype(str).astype(object)
    for row_labels in labels:
        strata = strata + "|" + np.asarray(row_labels).astype(str)
    return strata


def _where(column: str | None, source: str) -> str:
    return f"column {column!r} of {source}" if column else "the array given"


def _close_names(name: str, options: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, options, n=3)
    return f" Did you mean {close}?" if close else ""


def _as_numbers(name: str, values: Any, error: type = PredictionError) -> np.ndarray:
    """Finite floats, or a clear error naming ``name``."""
    arr = np.asarray(values)
    try:
        out = arr.astype(float)
    except (TypeError, ValueError) as exc:
        raise error(
            f"{name} must be numbers for task='regression', got values of dtype {arr.dtype}."
        ) from exc
    if out.ndim != 1:
        raise error(f"{name} must be one number per row, got an array of shape {out.shape}.")
    bad = ~np.isfinite(out)
    if bad.any():
        raise error(
            f"{name} has {int(bad.sum())} missing or infinite values out of {len(out)}; every "
            f"row needs a number."
        )
    return out


def _run_time() -> _dt.datetime:
    """The time stamped on the result: now, or ``SOURCE_DATE_EPOCH`` (seconds since 1970, the
    reproducible-builds convention) when set, so that two runs give byte-identical reports."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return _dt.datetime.now(_dt.timezone.utc)
    try:
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc)
    except (ValueError, OverflowError, OSError) as exc:
        raise InputError(
            f"SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01, got {epoch!r}."
        ) from exc


def _numeric_scores(score: np.ndarray) -> np.ndarray:
    try:
        out = score.astype(float)
    except (TypeError, ValueError) as exc:
        raise PredictionError(f"y_score must be numeric, got dtype {score.dtype}.") from exc
    if np.isnan(out).any():
        raise PredictionError(
            f"y_score has {int(np.isnan(out).sum())} NaN values; every row needs a score."
        )
    if np.isinf(out).any():
        raise PredictionError(
            f"y_score has {int(np.isinf(out).sum())} infinite values; scores must be finite."
        )
    return out


def _same_label(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _positive_label(y_pred: np.ndarray, y_true: np.ndarray | None, favorable: Any) -> Any:
    """The label metrics count as positive: 1 for 0/1 (or -1/1, False/True) labels, else the
    favourable label. Also checks the labels are binary and contain the favourable one."""
    labels = set(pd.unique(y_pred).tolist())
    if y_true is not None:
        labels |= set(pd.unique(y_true).tolist())
    shown = sorted(map(str, labels))[:6]
    if len(labels) > 2:
        raise TargetError(
            f"a classification audit needs binary decisions and outcomes, but y_pred and y_true "
            f"together have {len(labels)} labels (e.g. {shown}). Binarise them, e.g. "
            f"y == 'approved', or audit one class against the rest."
        )
    if len(labels) == 2 and not any(_same_label(lbl, favorable) for lbl in labels):
        raise TargetError(
            f"favorable_label={favorable!r} is not among the labels {shown}; pass the label of "
            f"the favourable decision, e.g. favorable_label={shown[-1]!r}."
        )
    numeric = all(
        isinstance(lbl, (bool, int, float, np.bool_, np.integer, np.floating)) for lbl in labels
    )
    if numeric and (labels <= {0, 1} or labels <= {-1, 1}):
        return 1
    return favorable
