"""The Audit: settings stored by ``__init__``, validated and computed by ``run()``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import pipelines
from .core.errors import InputTypeError
from .core.policy import Policy
from .inputs.outputs import run_time
from .inputs.settings import ARGUMENTS, validate
from .result import AuditResult
from .risk.context import UseContext
from .risk.review import Attestation

__all__ = ["Audit"]


class Audit:
    """An audit of a model, or of its decisions, against the Shenzhen AI Regulations.

    ``__init__`` only stores the settings, each as an attribute of its name; :meth:`run`
    validates them and computes. One Audit can be run several times (with different
    ``random_state``) and never modifies its inputs. Each argument is declared once, as a field
    of :class:`szai_audit.inputs.settings.Settings` (its default, its own check, the section of
    a run configuration that sets it); this signature and the list below are tested against
    that declaration.

    Parameters
    ----------
    model : estimator, Pipeline, booster, callable or None
        A fitted model: a scikit-learn estimator or Pipeline, anything with the scikit-learn
        API (xgboost, lightgbm), a native ``lightgbm.Booster`` / ``xgboost.Booster``, or a
        function (see :class:`szai_audit.CallableModel`). An object of one's own with
        ``predict`` (and ``predict_proba``) but no scikit-learn base class is called directly.
        None for a predictions-only audit (then give ``y_pred``). The model is always called
        on a copy of ``data`` whose rows are numbered 0 to n-1 (it may change that copy, never
        the frame passed in), and a pandas output is paired with the rows by those numbers; a
        model whose outputs differ between two calls on the same rows gets no finding that
        compares two calls of it (flip test, recourse, counterfactual prices, explanation).
    data : pandas.DataFrame, dask.dataframe.DataFrame or None
        The model's raw inputs, one row per person (before any pipeline step). Sensitive
        columns are looked up here too. May be None in a predictions-only audit whose
        sensitive attributes are given as arrays. A Dask DataFrame is audited partition by
        partition, without holding it in memory, with the same result (``y_true``, ``y_pred``,
        ``y_score`` and ``sensitive`` then name columns; see ``docs/scale.md``).
    y_true : array-like or str, optional
        Actual outcomes. Optional: without them, outcome-based checks are NOT_ASSESSED and only
        the selection-rate checks run.
    y_pred : array-like or str, optional
        Decisions, when auditing outputs without the model.
    y_score : array-like or str, optional
        Scores (probability of the positive label), when auditing outputs without the model.
        With ``y_score`` and no ``y_pred``, decisions are ``y_score >= threshold``.

        Each of ``y_true``, ``y_pred`` and ``y_score`` is either its values, one per row, or
        the name of a column of ``data`` (or of ``sensitive_data``), the same with pandas as
        with Dask and in the configuration file. A column named in ``data`` is taken out of
        the model's inputs (the model must not see the outcome; ``data`` itself is not
        changed). A name in neither frame raises ``ColumnNotFoundError`` with the close names.
        A pandas Series (or DataFrame) is paired with ``data``'s rows by index label: in
        another order it is reordered; an index with labels ``data``'s has not, or a label
        twice (unless it is ``data``'s index itself), is refused (``LengthMismatchError``,
        naming the first differences). Arrays and lists are paired by position.
    favorable_label : scalar, default 1
        The decision that is good for the person (approval, hire...). For a risk score where 1
        means high risk, pass ``favorable_label=0``: then a higher rate of label-1 decisions
        marks the group that is worse off. With more than two labels (a multiclass model) it
        names the favourable class, and the audit is that class against the rest.
    favorable_name : str or (str, str), optional
        What the favourable decision is called, in Chinese and English (one text serves
        both): ``("低风险", "low risk")``, ``("获批", "approval")``. The report then writes its
        rate as “低风险比例” / “low risk rate” in every sentence, title, table and chart; by
        default the neutral “有利决定率” / “favourable-decision rate”. Recorded in the JSON
        (``scope.favorable_name``). Classification only; an empty text is refused.
    sensitive : mapping of ground to column name or array-like, optional
        Art. 72(2)(iv) grounds (``"race"``, ``"gender"``, ``"nationality"``, ``"ethnicity"``,
        ``"religion"``, or any other name such as ``"age"``) mapped to a column of ``data``, a
        column of ``sensitive_data``, or an array with one value per row. ``"sex"`` is read as
        ``"gender"``. A numeric attribute with many values is binned (see ``bins``).
    sensitive_data : pandas.DataFrame, optional
        A separate frame holding sensitive columns that are not model inputs; same rows, same
        order as ``data`` (an index sharing no label with ``data``'s warns, as above).
    bins : mapping of ground to cut points or int, optional
        Explicit bins for numeric attributes: ``{"age": [25, 40, 60]}`` gives ``<25, 25–39,
        40–59, ≥60``; an int asks for that many quantile bins. Attributes not listed are binned
        into ``policy.n_bins`` quantile bins when they have more than
        ``policy.max_groups_before_binning`` values. The bins are shown in the report. A key
        that is not a ground of ``sensitive`` is refused as unknown, with the close names.
    task : {"classification", "regression", "pricing"}, default "classification"
        ``"classification"``: binary decisions. ``"regression"``: numeric outputs (a credit
        limit, a score), compared by group through the mean prediction, the mean error and
        the mean absolute error. ``"pricing"``: prices (a fare, a fee, a premium; positive
        numbers) set by the model or given as ``y_pred``, audited for Art. 72(2)(v) across
        ``consumer_profile`` and for Art. 72(2)(iv) across the grounds (see
        :mod:`szai_audit.pricing`).
    threshold : float, optional
        The cut-off that makes decisions from scores: a decision is positive when the score
        of the positive label is at least ``threshold``. Given with a scikit-learn model, the
        decisions are ``predict_proba(data)[:, 1] >= threshold`` (the production cut-off, in
        place of ``model.predict``; the model needs ``predict_proba`` and two classes); with a
        native booster, a score function or ``y_score`` without ``y_pred`` it replaces the
        default 0.5. Not allowed with ``y_pred`` (the decisions are then as given) nor for
        ``task="regression"`` or ``"pricing"``. The report states the rule the decisions
        followed, and the score table's "positive rate at threshold" uses this cut-off (it is
        left out when the decisions come from ``predict`` or ``y_pred``).
    metadata : mapping, optional
        The system card shown in the report: ``organisation``, ``system_name``, ``version``,
        ``purpose``, ``contact`` and any other key (docs/configuration.md lists the fields the
        outputs read). Each value is one text for both languages, or a text per language,
        ``{"zh": "示例银行", "en": "Example Bank"}`` (either may be left out: the other is then
        shown in both): a report, notice or filing in one language shows each field in that
        language only.
    policy : Policy, optional
        Thresholds; :class:`~szai_audit.Policy` defaults when omitted.
    reference : mapping of ground to group, optional
        A reference group per ground (``{"gender": "male"}``): each other group is also tested
        against it, besides against the rest.
    legitimate_factors : list of str, optional
        Columns of ``data`` that may legitimately explain different decisions (debt-to-income
        ratio in lending, say). The gap in favourable-decision rates that remains after them is
        measured per ground, by stratification and by regression adjustment. For
        ``task="pricing"``: the cost drivers (product, distance, time, quantity, cost, risk
        class) that may make prices differ.
    favorable_direction : {"higher", "lower"}, optional
        For ``task="regression"``: whether a higher output is good for the person (a credit
        limit; the default) or a lower one (a premium, a risk score). For ``task="pricing"``
        a lower price is always the favourable one.
    feature_labels : mapping, optional
        Display names (and units) of input columns for the explanation:
        ``{"duration": ("贷款期限", "loan duration", "月/months")}``.
    explain : bool, default True
        Explain the model (Art. 71) when the model and its inputs are given.
    consumer_profile : mapping, optional
        For ``task="pricing"``: the columns of ``data`` describing the customer, by the kinds
        Art. 72(2)(v) names: ``{"habits": [...], "preferences": [...], "ability_to_pay":
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
        reversibility): gives the risk tier (Art. 66; from the use alone) and what to prepare for
        its supervision, and whether Art. 71
        requires an explanation (then a missing one is a FAIL). Without it the tier is
        NOT_ASSESSED.
    risk_rules : str, Path or RiskRules, optional
        Risk rules replacing the shipped ``risk_rules.toml`` (see
        :func:`szai_audit.risk.load_rules`).
    attestations : list of Attestation, optional
        Named reviewers' statements on Art. 72's items that only a person can judge
        (national security, health, deep synthesis, other laws); unattested items are
        NEEDS_REVIEW.
    privacy : bool, dict or PrivacyScan, optional
        Art. 33(2) de-identification scan: ``True`` scans ``data`` as data meant for others
        (identifiers FAIL; pass ``{"external": False}`` for internal data); a dict passes options to
        :func:`szai_audit.privacy.scan` (``quasi_identifiers``, ``sensitive``, ``external``...);
        a ``PrivacyScan`` of another frame (the data to be shared) is reported as it is.
        Without it, Art. 33(2) is NOT_ASSESSED.
    value_labels : mapping, optional
        Display names of category values, by column (or ground): ``{"sex": {"female": ("女",
        "female"), "male": ("男", "male")}}``; a single text is used in both languages. The
        findings' sentences and the public notice then quote ``“女”`` where the data hold
        ``"female"`` (an intersection ``“女 × 是”`` part by part). A value shown without a label
        stays as it is in the data, and the result notes it once
        (:attr:`AuditResult.unlabelled_values`, :attr:`AuditResult.unlabelled_note`). A key
        that names no column or ground, or a label that is not text, is refused; a raw value
        that is not in the data only warns (``UserWarning``). The mappings are not changed.
    verbose : bool, default True
        Show a progress bar for each stage of :meth:`run` and :meth:`AuditResult.to_html`
        (predictions, bootstrap, proxies, flip test, explanation, recourse, fix cost, report)
        once it has run 3 seconds, on a terminal (stderr) or in a Jupyter notebook (tqdm's
        widget); never in a log or a pipe, or when the environment sets ``CI``. ``False``
        silences them. Either way the manifest records each stage's
        seconds (``result.manifest["stage_seconds"]``); see docs/scale.md for the settings that
        make a run faster.
    recourse : bool or dict, optional
        Recourse by group (Art. 72(2)(iv); ``task="classification"`` with a model and data in
        memory): of the people the model decides unfavourably (``policy.recourse_max_rows``
        drawn at random from more), the share who could reach the favourable decision by
        changing inputs they can act on, and the median change they need, by group
        (``fairness.recourse_share``, ``fairness.recourse_cost_ratio``; see
        :mod:`szai_audit.fairness.recourse`). By default (None or True) every model input
        other than the grounds and their proxies may change, either way; a dict
        ``{"actionable": {...}, "immutable": [...]}`` says which may change and how, as for
        :meth:`AuditResult.explain_person`; False leaves it NOT_ASSESSED.
    n_threads : int or None, default 1
        Threads of the models the audit fits itself (the proxy check's gradient boosting, the
        fix-cost illustration). One by default: on a shared machine whose cores are busy,
        more threads made these small fits 20-40 times slower. None uses every usable core.
        A lower limit set by the user (``OMP_NUM_THREADS``, ``threadpoolctl``) is never
        raised, and the model under audit is called with its own settings. The result does
        not depend on it.
    cluster : str, optional
        The column of ``data`` naming the independent unit each row belongs to, when rows are
        not independent: repeated applications of one person, several claims of one policy.
        The gaps that honour the design (the decision-rate and error-rate gaps, the mean
        prediction ratio, the gaps after legitimate factors, the price gaps) then have
        cluster-robust standard errors, the clusters as the independent units (statsmodels'
        ``cov_type="cluster"``), and normal intervals on them in place of the score and exact
        ones; the other checks say that they treat rows as independent. Without it every row
        is taken as one independent person or order. See docs/method.md, "Rows that are not
        independent".
    weights : str, optional
        The column of ``data`` holding each row's sampling (survey) weight: how many people of
        the population it stands for (finite, >= 0, not all 0). The same gaps are then of
        weighted rates and means, with design-based (sandwich) standard errors; without it
        every row counts once. Both columns are taken out of the model's inputs (like a
        ``y_true`` named by its column), may not name a model input, a sensitive attribute, a
        legitimate factor or an output, and are not supported with data in parts (Dask). The
        result records the columns and the number of clusters, never their values.
    value_order : dict, optional
        The direction the organisation expects each input to weigh in:
        ``{column: "higher" | "lower" | [categories from worse to better]}`` (a higher number,
        or a lower one, is expected to help the favourable decision; a category's list puts the
        worse first; a category left out is not ordered). Recourse never proposes a move the
        order calls worse (a number only in its better direction, a category only to one
        listed after the person's own), and the public algorithm notice flags, as NEEDS_REVIEW,
        an input whose most favourable value in the model contradicts it. See
        :mod:`szai_audit.core.orders`.

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
    fairness.demographic_parity_difference WARN
    fairness.true_positive_rate_difference PASS
    fairness.false_positive_rate_difference PASS
    fairness.auc_difference NOT_ASSESSED
    fairness.calibration_difference NOT_ASSESSED
    fairness.proxy WARN
    fairness.counterfactual_flip NOT_ASSESSED
    fairness.attribution_share NOT_ASSESSED
    fairness.recourse_share NOT_ASSESSED
    fairness.recourse_cost_ratio NOT_ASSESSED

    With display names of the groups, the sentences quote them instead of the raw values:

    >>> labelled = sa.Audit(
    ...     y_true=df["good_credit"],
    ...     y_pred=df["good_credit"],
    ...     data=df.drop(columns="good_credit"),
    ...     sensitive={"gender": "sex", "nationality": "foreign_worker"},
    ...     value_labels={"sex": {"female": ("女", "female"), "male": ("男", "male")}},
    ... ).run(random_state=0)
    >>> finding = next(f for f in labelled.findings if f.check == "fairness.selection_rate_ratio")
    >>> "“女”" in finding.message.zh, "“female”" in finding.message.zh
    (True, False)
    >>> sorted(labelled.unlabelled_values["foreign_worker"])  # shown raw, noted once
    ['no', 'yes']
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
        favorable_name: str | Sequence[str] | None = None,
        sensitive: Mapping[str, Any] | None = None,
        sensitive_data: pd.DataFrame | None = None,
        bins: Mapping[str, Sequence[float] | int] | None = None,
        task: str = "classification",
        threshold: float | None = None,
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
        value_labels: Mapping[str, Mapping[Any, Any]] | None = None,
        verbose: bool = True,
        recourse: bool | Mapping[str, Any] | None = None,
        n_threads: int | None = 1,
        cluster: str | None = None,
        weights: str | None = None,
        value_order: Mapping[str, str | Sequence[Any]] | None = None,
    ) -> None:
        arguments = locals()  # stored as given, each under its name (see DECLARED)
        for name in ARGUMENTS:
            setattr(self, name, arguments[name])

    def __repr__(self) -> str:
        stored = vars(self)
        model, sensitive = stored["model"], stored["sensitive"]
        what = type(model).__name__ if model is not None else "predictions"
        grounds = list(sensitive) if isinstance(sensitive, Mapping) else []
        return f"Audit(model={what}, task={stored['task']!r}, sensitive={grounds})"

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
        started = run_time()
        settings = validate({name: getattr(self, name) for name in ARGUMENTS})
        return pipelines.run(settings, random_state, started)
