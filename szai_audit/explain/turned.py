"""Decisions turned by the inputs tied to protected grounds: for each decision, whether it
would have been the other one without the contributions of those inputs (Art. 72(2)(iv),
measured with Art. 71's explanation).

:func:`protected_turned` is, for many decisions at once, what each person's notice says in
its ``turned`` flag (:attr:`szai_audit.explain.PersonExplanation.turned`): the contributions
of every input to each decision, computed by the explanation engine against the same
background (``background_size`` rows of ``data`` drawn with ``random_state``, as
:func:`~szai_audit.explain.explain_people` draws them), are taken off the model's explained
output (the additive counterfactual: the output less the sum of the contributions of the
inputs tied to protected grounds), and the result is read against the cut-off the decisions
follow (:func:`~szai_audit.explain.person.decision_cutoff`, verified against every decision
of ``data``), on the probability or log-odds scale
(:func:`~szai_audit.explain.person.decisions_turned`). The same rows with the same
``background_size`` and ``random_state`` give the same flags as the notices.

What it is, and is not: a decision "turned" rests on those inputs in the model's own
arithmetic (without their contributions the model's output falls on the other side of the
cut-off); it is not a claim about what the model would decide had the person another gender,
which the counterfactual flip test measures for the ground's own column. The inputs are those
the audit ties to a ground: the ground's own column among the model's inputs, and each input
that predicts the ground well (a proxy); information about a ground carried by inputs below
the proxy limit is not taken off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import ColumnNotFoundError, InputError, InputTypeError
from ..core.models import ModelAdapter, adapt_model
from .engine import RowSample, explain_sample
from .person import Cutoff, decision_cutoff, decisions_turned

__all__ = ["TurnedDecisions", "favourable_threshold", "protected_turned"]


@dataclass(frozen=True)
class TurnedDecisions:
    """Which decisions would have been the other one without the contributions of the inputs
    tied to protected grounds (:func:`protected_turned`).

    Attributes
    ----------
    index : pandas.Index
        The labels of the rows explained, in the order of ``data``.
    positions : numpy.ndarray
        Their positions in ``data``.
    n_total : int
        The rows of ``data``: all were explained when ``len(positions) == n_total``.
    favourable : numpy.ndarray
        Whether each decision explained is the favourable one.
    turned : numpy.ndarray or None
        Whether each would have been the other one without the contributions of every input
        tied to a protected ground; None when that cannot be read (``cutoff`` None, and then
        nothing is explained, or an explained scale other than the probability or log-odds
        of the favourable decision).
    by_ground : dict of str to numpy.ndarray
        The same, without the contributions of one ground's inputs alone (its own column and
        its proxies), per ground; empty when ``turned`` is None.
    used : numpy.ndarray
        Whether any of those inputs contributed to the decision (a contribution not zero).
    inputs : dict of str to tuple of str
        The inputs taken off, each with the grounds it is or stands in for.
    unused : tuple of str
        Those of them whose contribution is zero for every decision explained (an input the
        model's preprocessing drops, say).
    cutoff : Cutoff or None
        The cut-off on the favourable score that every decision of ``data`` follows.
    output_space : str
        The scale of the explained output (``Explanation.output_space``).
    method : str
        The explanation engine, in words.
    """

    index: pd.Index
    positions: np.ndarray
    n_total: int
    favourable: np.ndarray
    turned: np.ndarray | None
    by_ground: Mapping[str, np.ndarray] = field(default_factory=dict)
    used: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    inputs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    unused: tuple[str, ...] = ()
    cutoff: Cutoff | None = None
    output_space: str = ""
    method: str = ""

    @property
    def n_explained(self) -> int:
        """Decisions explained."""
        return len(self.positions)

    @property
    def sampled(self) -> bool:
        """Whether a sample of the rows was explained (not all of them)."""
        return self.n_explained < self.n_total

    def series(self) -> pd.Series | None:
        """``turned`` as a boolean Series over ``index`` (None when it cannot be read)."""
        if self.turned is None:
            return None
        return pd.Series(self.turned.astype(bool), index=self.index, name="turned")


def favourable_threshold(
    adapter: ModelAdapter, favorable_label: Any, given: float | None
) -> float | None:
    """The decision threshold on the favourable decision's score: the model's threshold (or
    ``given``, the audit's ``threshold`` on the positive label's score), as it is when the
    favourable label is the positive one (the second of a binary classifier's classes, else
    1), else one less it; None when the decisions come from ``model.predict``.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> model = LogisticRegression().fit([[0.0], [1.0]], [0, 1])
    >>> favourable_threshold(adapt_model(model, 0.3), 1, 0.3)
    0.3
    >>> favourable_threshold(adapt_model(model, 0.3), 0, 0.3)
    0.7
    >>> favourable_threshold(adapt_model(model), 1, None) is None
    True
    """
    threshold = adapter.threshold if adapter.threshold is not None else given
    if threshold is None:
        return None
    classes = adapter.classes() if adapter.kind == "sklearn" else None
    positive = classes[1] if classes is not None and len(classes) == 2 else 1
    return float(threshold) if favorable_label == positive else 1.0 - float(threshold)


def _checked(
    data: Any, sensitive: Any, max_rows: int | None, background_size: int
) -> dict[str, tuple[str, ...]]:
    """``sensitive`` as {column: grounds}, checked against ``data`` with the sizes."""
    if not isinstance(data, pd.DataFrame) or data.empty:
        raise InputTypeError("data must be a non-empty pandas DataFrame of the model's inputs.")
    if not isinstance(sensitive, Mapping) or not sensitive:
        raise InputTypeError(
            f"sensitive must map each input tied to a protected ground to the grounds it is or "
            f"stands in for ({{'personal_status': ['gender']}}), got {sensitive!r}."
        )
    tied: dict[str, tuple[str, ...]] = {}
    for column, grounds in sensitive.items():
        if isinstance(grounds, str) or not isinstance(grounds, Sequence):
            grounds = (grounds,)
        tied[str(column)] = tuple(str(g) for g in grounds)
    unknown = [c for c in tied if c not in data.columns]
    if unknown:
        raise ColumnNotFoundError(f"sensitive names columns {unknown} that are not in data.")
    for name, value in (("max_rows", max_rows), ("background_size", background_size)):
        if value is None and name == "max_rows":
            continue
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise InputError(f"{name} must be an integer of at least 1, got {value!r}.")
    return tied


def _rows(n: int, max_rows: int | None, random_state: int | None) -> np.ndarray:
    """The positions explained: all, or ``max_rows`` drawn at random (sorted), with a seed of
    their own (not the background's)."""
    if max_rows is None or n <= max_rows:
        return np.arange(n)
    seed = None if random_state is None else [int(random_state), 72]
    return np.sort(np.random.default_rng(seed).choice(n, max_rows, replace=False))


def protected_turned(
    model: Any,
    data: pd.DataFrame,
    sensitive: Mapping[str, Sequence[str]],
    *,
    favorable_label: Any = 1,
    threshold: float | None = None,
    max_rows: int | None = None,
    background_size: int = 100,
    random_state: int | None = 0,
    progress: bool = False,
) -> TurnedDecisions:
    """Which of the model's decisions on ``data`` would have been the other one without the
    contributions of the inputs tied to protected grounds (see the module's documentation).

    Parameters
    ----------
    model : estimator or CallableModel
        The classifier, called on frames with ``data``'s columns.
    data : DataFrame
        The model's inputs (not modified): the decisions, their background and cut-off.
    sensitive : mapping of str to sequence of str
        Each input tied to a protected ground, with the grounds it is or stands in for
        (``{"sex": ["gender"]}``, :meth:`szai_audit.AuditResult.protected_inputs`).
    favorable_label : object, default 1
    threshold : float, optional
        The audit's decision threshold on the positive label's score (``Audit(threshold=)``).
    max_rows : int, optional
        At most this many rows are explained, drawn at random (all by default); the
        permutation engine explains a random part of them, as :func:`explain` does.
    background_size : int, default 100
        Rows of ``data`` drawn as background (as :func:`~szai_audit.explain.explain_people`).
    random_state : int or None, default 0
        Seed of the rows, the background and the permutations.
    progress : bool, default False
        Show the explanation's progress bar.

    Returns
    -------
    TurnedDecisions

    Raises
    ------
    ExplanationError
        The model cannot be explained.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression; rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"income": rng.normal(size=400), "group": rng.integers(0, 2, 400)})
    >>> y = (X["income"] - 1.5 * X["group"] + rng.logistic(size=400) > 0).astype(int)
    >>> found = protected_turned(LogisticRegression().fit(X, y), X, {"group": ["gender"]})
    >>> found.n_explained, found.cutoff, bool(found.turned.any())
    (400, Cutoff(value=0.5, inclusive=False), True)
    """
    tied = _checked(data, sensitive, max_rows, background_size)
    favoured, cutoff = _decisions(model, data, favorable_label, threshold)
    take = _rows(len(data), max_rows, random_state)
    if cutoff is None:  # nothing to read a contribution against: nothing explained
        return TurnedDecisions(data.index[take], take, len(data), favoured[take], None)
    explained, values, output, space, method = _contributions(
        model, data, take, favorable_label, background_size, random_state, progress
    )
    fav, columns = favoured[explained], [str(c) for c in data.columns]
    turned, by_ground, used, unused = _flags(tied, columns, values, output, space, fav, cutoff)
    return TurnedDecisions(
        index=data.index[explained],
        positions=explained,
        n_total=len(data),
        favourable=fav,
        turned=turned,
        by_ground=by_ground,
        used=used,
        inputs=tied,
        unused=unused,
        cutoff=cutoff,
        output_space=space,
        method=method,
    )


def _decisions(
    model: Any, data: pd.DataFrame, favorable_label: Any, threshold: float | None
) -> tuple[np.ndarray, Cutoff | None]:
    """Whether each decision on ``data`` is the favourable one, and the cut-off on the
    favourable score they all follow (None: none), as the notices find it."""
    adapter = adapt_model(model, threshold)
    everyone = adapter.outputs(data)
    favoured = np.asarray(everyone.decisions) == favorable_label
    given = favourable_threshold(adapter, favorable_label, threshold)
    return favoured, decision_cutoff(everyone.score(favorable_label), favoured, given)


def _flags(
    tied: Mapping[str, tuple[str, ...]],
    columns: Sequence[str],
    values: np.ndarray,
    output: np.ndarray,
    space: str,
    favourable: np.ndarray,
    cutoff: Cutoff | None,
) -> tuple[np.ndarray | None, dict[str, np.ndarray], np.ndarray, tuple[str, ...]]:
    """The decisions turned without every tied input's contributions (None: not readable),
    those turned without each ground's inputs alone (in order of first appearance), the
    decisions a tied input contributed to, and the tied inputs that contributed to none."""
    at = {c: columns.index(c) for c in tied}

    def without(cols: Sequence[str]) -> np.ndarray | None:
        taken = values[:, [at[c] for c in cols]].sum(axis=1)
        return decisions_turned(taken, output, space, favourable, cutoff)

    turned = without(list(tied))
    by_ground: dict[str, np.ndarray] = {}
    for g in dict.fromkeys(g for gs in tied.values() for g in gs):
        flags = None if turned is None else without([c for c, gs in tied.items() if g in gs])
        if flags is not None:
            by_ground[g] = flags
    nonzero = np.asarray(values[:, [at[c] for c in tied]] != 0, dtype=bool)
    unused = tuple(c for j, c in enumerate(tied) if not nonzero[:, j].any())
    return turned, by_ground, np.asarray(nonzero.any(axis=1), dtype=bool), unused


def _contributions(
    model: Any,
    data: pd.DataFrame,
    take: np.ndarray,
    favorable_label: Any,
    background_size: int,
    random_state: int | None,
    progress: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str, str]:
    """The contributions of every input of ``data`` (columns in its order) to the decisions
    at positions ``take`` (those the engine explained: all, or a part of them for the
    permutation engine), against a background drawn as
    :func:`~szai_audit.explain.explain_people` draws it, in one call of the engine; with the
    positions explained, the explained output, its scale and the engine in words."""
    n = len(data)
    rng = np.random.default_rng(random_state)
    bg = np.sort(rng.choice(n, min(background_size, n), replace=False))
    frame = pd.concat([data.iloc[bg], data.iloc[take]], ignore_index=True)
    size, k = len(frame), len(take)
    sample = RowSample(frame, np.arange(size), size, np.arange(size - k, size),
                       np.arange(size - k), None)  # fmt: skip
    exp = explain_sample(
        model, sample, positive_label=favorable_label, random_state=random_state,
        progress=progress,
    )  # fmt: skip
    explained = take[np.asarray(exp.positions, dtype=int) - (size - k)]
    values = exp.values.reindex(columns=data.columns, fill_value=0.0).to_numpy(dtype=float)
    return explained, values, np.asarray(exp.output, dtype=float), exp.output_space, exp.method
